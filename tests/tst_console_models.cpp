// The console's models and views on real fixture killmails, without an engine: the feed's batching, bound, pause
// and filters, the health models, the killmail detail view, and the short ISK units. QAbstractItemModelTester
// watches every model from the moment it is created (empty).
#include "FakeEngineView.h"
#include "Fixtures.h"
#include "TestDatabase.h"

#include "MainWindow.h"
#include "common/Colours.h"
#include "common/Isk.h"
#include "detail/AttackerModel.h"
#include "detail/KillmailDialog.h"
#include "feed/FeedFilterModel.h"
#include "feed/FeedModel.h"
#include "feed/FeedView.h"
#include "health/HealthView.h"
#include "health/QueueModel.h"
#include "health/SourceButtons.h"
#include "health/SourceModel.h"
#include "processing/StoredKillmail.h"
#include "storage/KillmailRows.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QColor>
#include <QDir>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace km;
using namespace km::ui;

namespace {

constexpr int waitMs = 30000;

StoredKillmail storedOf(const Killmail& killmail, const QString& source = QStringLiteral("test"))
{
    test::FixedPrices prices;
    return StoredKillmail::from(test::valued(killmail, prices), StaticData::bundled(), source);
}

std::vector<StoredKillmail> storedFixtures(std::size_t count)
{
    std::vector<StoredKillmail> kills;
    for (const Killmail& killmail : test::allFixtureKillmails()) {
        if (kills.size() == count) {
            break;
        }
        kills.push_back(storedOf(killmail));
    }
    return kills;
}

void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString folder = QStringLiteral(KILLMAIL_SCREENSHOT_DIR);
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(widget.grab().save(folder + u'/' + name + QStringLiteral(".png")));
}

/// The rows under `parent`, nested ones included.
int rowsUnder(const QAbstractItemModel& model, const QModelIndex& parent)
{
    int count = 0;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        count += 1 + rowsUnder(model, model.index(row, 0, parent));
    }
    return count;
}

/// A dark palette as desktop themes give one (Breeze Dark's window, base and text colours).
QPalette darkPalette()
{
    const std::pair<QPalette::ColorRole, QRgb> colours[] = {
        {QPalette::Window, 0x202326},        {QPalette::WindowText, 0xFCFCFC},  {QPalette::Base, 0x141618},
        {QPalette::AlternateBase, 0x1D1F22}, {QPalette::Text, 0xFCFCFC},        {QPalette::Button, 0x292C30},
        {QPalette::ButtonText, 0xFCFCFC},    {QPalette::Highlight, 0x3DAEE9},   {QPalette::HighlightedText, 0xFCFCFC},
        {QPalette::ToolTipBase, 0x292C30},   {QPalette::ToolTipText, 0xFCFCFC}, {QPalette::PlaceholderText, 0xA1A9B1}};
    QPalette dark;
    for (const auto& [role, rgb] : colours) {
        dark.setColor(role, QColor(rgb));
    }
    return dark;
}

} // namespace

class ConsoleModelsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shortIskUnits()
    {
        QCOMPARE(shortIsk(950), QStringLiteral("950"));
        QCOMPARE(shortIsk(12500), QStringLiteral("12.5k"));
        QCOMPARE(shortIsk(350e6), QStringLiteral("350m"));
        QCOMPARE(shortIsk(1.2e9), QStringLiteral("1.2b"));
        QCOMPARE(shortIsk(1.234e9), QStringLiteral("1.23b"));
        QCOMPARE(shortIsk(3.41e12), QStringLiteral("3.41t"));
        QCOMPARE(parseShortIsk(QStringLiteral("1.5b")), std::optional<double>(1.5e9));
        QCOMPARE(parseShortIsk(QStringLiteral(" 250 K ")), std::optional<double>(250e3));
        QCOMPARE(parseShortIsk(QStringLiteral("500000")), std::optional<double>(500000));
        QCOMPARE(parseShortIsk(QStringLiteral("lots")), std::nullopt);
        QCOMPARE(parseShortIsk(QStringLiteral("-3m")), std::nullopt);
    }

    void feedInsertsInBatchesNewestOnTop()
    {
        FeedModel model(StaticData::bundled());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const std::vector<StoredKillmail> kills = storedFixtures(40);
        for (const StoredKillmail& kill : kills) {
            model.add(kill);
        }
        QCOMPARE(model.rowCount(), 0); // nothing until the batch is due
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), int(kills.size()), waitMs);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.killmail(0).killmailId, kills.back().killmailId);
        QCOMPARE(model.killmail(model.rowCount() - 1).killmailId, kills.front().killmailId);

        const StoredKillmail& newest = kills.back();
        const auto cell = [&model](int column, int role = Qt::DisplayRole) {
            return model.index(0, column).data(role);
        };
        QCOMPARE(cell(FeedModel::Ship).toString(), StaticData::bundled().type(newest.victimShipTypeId)->name);
        const SolarSystemInfo& system = *StaticData::bundled().solarSystem(newest.solarSystemId);
        QVERIFY(cell(FeedModel::System).toString().startsWith(system.name + QStringLiteral(" (")));
        // The security colour as one kept icon: the same pixmap on every call, so that QIcon's QPixmapCache entry for
        // it is found again rather than a new one added for every cell painted.
        const auto swatch = cell(FeedModel::System, Qt::DecorationRole).value<QIcon>();
        QVERIFY(!swatch.isNull());
        QCOMPARE(swatch.pixmap(swatch.availableSizes().value(0)).toImage().pixelColor(0, 0).alpha(), 255);
        QCOMPARE(cell(FeedModel::System, Qt::DecorationRole).value<QIcon>().cacheKey(), swatch.cacheKey());
        QCOMPARE(cell(FeedModel::System, FeedModel::SortRole).toDouble(), system.security);
        QCOMPARE(cell(FeedModel::Region).toString(), StaticData::bundled().regionName(system.regionId));
        QCOMPARE(cell(FeedModel::Attackers).toInt(), int(newest.valued->killmail.attackers.size()));
        const Attacker* finalBlow = newest.valued->killmail.finalBlowAttacker();
        QVERIFY(finalBlow);
        if (finalBlow->characterId) {
            QCOMPARE(cell(FeedModel::FinalBlow).toString(),
                     QStringLiteral("Character %1").arg(*finalBlow->characterId));
        }
        QCOMPARE(cell(FeedModel::Value).toString(), shortIsk(newest.totalValue));
        QCOMPARE(cell(FeedModel::Value, FeedModel::SortRole).toDouble(), newest.totalValue);
        QCOMPARE(cell(FeedModel::Source).toString(), QStringLiteral("test"));
        QCOMPARE(cell(FeedModel::Time, FeedModel::SortRole).toLongLong(), qint64(newest.killmailTime));
    }

    void feedKeepsOnlyTheLastRows()
    {
        FeedModel model(StaticData::bundled(), 5);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const std::vector<StoredKillmail> kills = storedFixtures(12);
        for (std::size_t i = 0; i < 3; ++i) {
            model.add(kills[i]);
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, waitMs);
        for (std::size_t i = 3; i < kills.size(); ++i) {
            model.add(kills[i]);
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.killmail(0).killmailId, kills.back().killmailId, waitMs);
        QCOMPARE(model.rowCount(), 5);
        for (int row = 0; row < 5; ++row) {
            QCOMPARE(model.killmail(row).killmailId, kills[kills.size() - 1 - std::size_t(row)].killmailId);
        }
    }

    void victimsNamesReplaceTheirIdsInPlace()
    {
        FeedModel model(StaticData::bundled());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy wanted(&model, &FeedModel::namesWanted);
        std::vector<StoredKillmail> pilots;
        for (const StoredKillmail& kill : storedFixtures(40)) {
            if (kill.victimCharacterId != 0 && pilots.size() < 3) {
                pilots.push_back(kill);
                model.add(kill);
            }
        }
        QCOMPARE(pilots.size(), std::size_t(3));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, waitMs);
        QVERIFY(!wanted.isEmpty());
        QCOMPARE(wanted.front().at(0).value<EntityKind>(), EntityKind::Character);
        auto asked = wanted.front().at(1).value<std::vector<EntityId>>();
        std::sort(asked.begin(), asked.end());
        // The victims and the pilots who dealt the final blows.
        std::vector<EntityId> shown;
        for (const StoredKillmail& pilot : pilots) {
            shown.push_back(pilot.victimCharacterId);
            if (const Attacker* finalBlow = pilot.valued->killmail.finalBlowAttacker(); finalBlow->characterId) {
                shown.push_back(*finalBlow->characterId);
            }
        }
        std::sort(shown.begin(), shown.end());
        shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
        QCOMPARE(asked, shown);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setNames(EntityKind::Character,
                       {{pilots[1].victimCharacterId, EntityName{QStringLiteral("Pilot One"), {}}}});
        const int row = 1; // newest on top: the second of three stays in the middle
        QCOMPARE(model.index(row, FeedModel::Victim).data().toString(), QStringLiteral("Pilot One"));
        QVERIFY(!changed.isEmpty());
        QCOMPARE(changed.front().at(0).value<QModelIndex>().column(), int(FeedModel::Victim));
        if (const Attacker* finalBlow = pilots[0].valued->killmail.finalBlowAttacker(); finalBlow->characterId) {
            model.setNames(EntityKind::Character,
                           {{*finalBlow->characterId, EntityName{QStringLiteral("Killer"), {}}}});
            QCOMPARE(model.index(2, FeedModel::FinalBlow).data().toString(), QStringLiteral("Killer"));
        }
        QVERIFY(model.index(row, FeedModel::Victim, {})
                    .data(FeedModel::SearchTextRole)
                    .toString()
                    .contains(QStringLiteral("Pilot One")));

        // The victim's corporation and alliance have a column of their own, by ID until their names are known.
        const StoredKillmail& pilot = pilots[1];
        const QString corporationId = QString::number(pilot.victimCorporationId);
        QVERIFY2(model.index(row, FeedModel::VictimGroup).data().toString().contains(corporationId),
                 qPrintable(model.index(row, FeedModel::VictimGroup).data().toString()));
        const auto askedFor = [&wanted](EntityKind kind, EntityId id) {
            return std::any_of(wanted.cbegin(), wanted.cend(), [kind, id](const QList<QVariant>& call) {
                const auto ids = call.at(1).value<std::vector<EntityId>>();
                return call.at(0).value<EntityKind>() == kind && std::find(ids.cbegin(), ids.cend(), id) != ids.cend();
            });
        };
        QVERIFY(askedFor(EntityKind::Corporation, pilot.victimCorporationId));
        model.setNames(EntityKind::Corporation,
                       {{pilot.victimCorporationId, EntityName{QStringLiteral("Some Corp"), {}}}});
        QString expected = QStringLiteral("Some Corp");
        if (pilot.victimAllianceId != 0) {
            QVERIFY(askedFor(EntityKind::Alliance, pilot.victimAllianceId));
            model.setNames(EntityKind::Alliance,
                           {{pilot.victimAllianceId, EntityName{QStringLiteral("Some Alliance"), {}}}});
            expected += QStringLiteral(" / Some Alliance");
        }
        QCOMPARE(model.index(row, FeedModel::VictimGroup).data().toString(), expected);
    }

    void pauseHoldsKillsBackUntilResumed()
    {
        FeedModel model(StaticData::bundled());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FeedView view(model);
        const std::vector<StoredKillmail> kills = storedFixtures(4);
        model.add(kills[0]);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, waitMs);
        view.pauseButton()->click();
        QVERIFY(model.isPaused());
        QCOMPARE(view.pauseButton()->text(), QStringLiteral("Resume"));
        for (std::size_t i = 1; i < kills.size(); ++i) {
            model.add(kills[i]);
        }
        QTest::qWait(int(FeedModel::batchInterval.count()) * 4);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.pendingCount(), 3);
        view.pauseButton()->click();
        QVERIFY(!model.isPaused());
        QCOMPARE(model.rowCount(), 4); // inserted at once on resume
        QCOMPARE(model.killmail(0).killmailId, kills.back().killmailId);
    }

    void filterBarNarrowsTheFeed()
    {
        FeedModel model(StaticData::bundled());
        FeedView view(model);
        QAbstractItemModelTester tester(view.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const std::vector<StoredKillmail> kills = storedFixtures(60);
        for (const StoredKillmail& kill : kills) {
            model.add(kill);
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), int(kills.size()), waitMs);
        FeedFilterModel& filter = *view.filterModel();
        const auto shown = [&filter] {
            QSet<KillmailId> ids;
            for (int row = 0; row < filter.rowCount(); ++row) {
                ids.insert(filter.index(row, 0).data(FeedModel::KillmailIdRole).toLongLong());
            }
            return ids;
        };
        const auto expected = [&kills](const std::function<bool(const StoredKillmail&)>& keep) {
            QSet<KillmailId> ids;
            for (const StoredKillmail& kill : kills) {
                if (keep(kill)) {
                    ids.insert(kill.killmailId);
                }
            }
            return ids;
        };

        const QString system = StaticData::bundled().solarSystem(kills[7].solarSystemId)->name;
        QTest::keyClicks(view.textFilter(), system.toLower());
        const QSet<KillmailId> inSystem = expected([&system](const StoredKillmail& kill) {
            const SolarSystemInfo* info = StaticData::bundled().solarSystem(kill.solarSystemId);
            return info && info->name.contains(system, Qt::CaseInsensitive);
        });
        QVERIFY(!inSystem.isEmpty() && inSystem.size() < qsizetype(kills.size()));
        QCOMPARE(shown(), inSystem);
        view.textFilter()->clear();
        QCOMPARE(filter.rowCount(), int(kills.size()));

        std::vector<double> values;
        for (const StoredKillmail& kill : kills) {
            values.push_back(kill.totalValue);
        }
        std::sort(values.begin(), values.end());
        const QString typed = shortIsk(values[values.size() / 2]);
        const double threshold = parseShortIsk(typed).value();
        const QSet<KillmailId> expensive =
            expected([threshold](const StoredKillmail& kill) { return kill.totalValue >= threshold; });
        QVERIFY(!expensive.isEmpty() && expensive.size() < qsizetype(kills.size()));
        QTest::keyClicks(view.minimumValueFilter(), typed);
        QCOMPARE(shown(), expensive);
        view.minimumValueFilter()->setText(QStringLiteral("not an amount")); // the last good filter stays
        QCOMPARE(shown(), expensive);
        view.minimumValueFilter()->clear();
        QCOMPARE(filter.rowCount(), int(kills.size()));

        filter.setRequiredFlags(FeedModel::Solo);
        const QSet<KillmailId> solo = expected([](const StoredKillmail& kill) { return kill.isSolo; });
        QVERIFY(!solo.isEmpty() && solo.size() < qsizetype(kills.size()));
        QCOMPARE(shown(), solo);
        filter.setRequiredFlags(FeedModel::Npc);
        QCOMPARE(shown(), expected([](const StoredKillmail& kill) { return kill.isNPC; }));

        filter.setRequiredFlags({});
        filter.sort(FeedModel::Value, Qt::DescendingOrder);
        QCOMPARE(filter.index(0, 0).data(FeedModel::TotalValueRole).toDouble(), values.back());
        QCOMPARE(filter.index(filter.rowCount() - 1, 0).data(FeedModel::TotalValueRole).toDouble(), values.front());
    }

    void feedIsReadableOnLightAndDarkPalettes()
    {
        const QPalette original = QApplication::palette();
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        FeedModel model(StaticData::bundled());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FeedView view(model);
        for (const StoredKillmail& kill : storedFixtures(120)) {
            model.add(kill);
        }
        QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > 0 && model.pendingCount() == 0, waitMs);
        // Every colour the feed gives text, on the rows of either kind, with each palette.
        const auto checkContrast = [&model](const QPalette& palette, const QString& name) {
            QSet<QRgb> colours;
            for (int row = 0; row < model.rowCount(); ++row) {
                for (int column = 0; column < FeedModel::ColumnCount; ++column) {
                    const QVariant foreground = model.index(row, column).data(Qt::ForegroundRole);
                    if (!foreground.isValid()) {
                        continue;
                    }
                    const QColor colour = foreground.value<QColor>();
                    colours.insert(colour.rgb());
                    for (const QPalette::ColorRole rows : {QPalette::Base, QPalette::AlternateBase}) {
                        const double contrast = contrastRatio(colour, palette.color(rows));
                        QVERIFY2(contrast >= minimumContrast,
                                 qPrintable(QStringLiteral("%1 palette: %2 on %3 in column %4 has contrast %5")
                                                .arg(name, colour.name(), palette.color(rows).name())
                                                .arg(column)
                                                .arg(contrast)));
                    }
                }
            }
            QVERIFY2(colours.size() >= 4, qPrintable(name)); // security levels, badges, values
        };
        checkContrast(QApplication::palette(), QStringLiteral("light"));
        if (QTest::currentTestFailed()) {
            return;
        }
        QApplication::setPalette(darkPalette());
        checkContrast(QApplication::palette(), QStringLiteral("dark"));
        if (!QTest::currentTestFailed()) {
            view.resize(1300, 500);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            QCOMPARE(view.table()->palette().color(QPalette::Base), darkPalette().color(QPalette::Base));
            saveScreenshot(view, QStringLiteral("feed-dark"));
        }
        QApplication::setPalette(original);
    }

    void healthModels()
    {
        QueueModel queues;
        QAbstractItemModelTester queueTester(&queues, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QueueStats killmails{QStringLiteral("killmail"), 12, 3, 4, 100, 2, std::chrono::milliseconds(4500)};
        QueueStats characters{QStringLiteral("character"), 1, 0, 0, 5, 0, std::chrono::milliseconds(0)};
        queues.setBacklog({killmails, characters});
        QCOMPARE(queues.rowCount(), 2);
        QCOMPARE(queues.index(0, QueueModel::Queue).data().toString(), QStringLiteral("character"));
        QCOMPARE(queues.index(1, QueueModel::Waiting).data(QueueModel::SortRole).toLongLong(), qint64(12));
        QCOMPARE(queues.index(1, QueueModel::OldestWaiting).data().toString(), QStringLiteral("4.5 s"));
        queues.setCounters({{QStringLiteral("killmail"), RunnerCounters{10, 9, 2, 1}},
                            {QStringLiteral("alliance"), RunnerCounters{1, 1, 0, 0}}});
        QCOMPARE(queues.rowCount(), 3);
        QCOMPARE(queues.index(2, QueueModel::Done).data(QueueModel::SortRole).toLongLong(), qint64(9));
        QCOMPARE(queues.index(2, QueueModel::Failed).data(QueueModel::SortRole).toLongLong(), qint64(2));

        SourceModel sources([](const QString& name) { return name == QStringLiteral("r2z2") ? 1.5 : 0.0; });
        QAbstractItemModelTester sourceTester(&sources, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SourceStatus r2z2;
        r2z2.name = QStringLiteral("r2z2");
        r2z2.state = SourceState::Running;
        r2z2.received = 42;
        sources.setStatus(r2z2);
        SourceStatus redisq;
        redisq.name = QStringLiteral("redisq");
        redisq.state = SourceState::BackingOff;
        redisq.lastError = QStringLiteral("HTTP 503");
        sources.setStatus(redisq);
        r2z2.received = 43;
        sources.setStatus(r2z2);
        QCOMPARE(sources.rowCount(), 2);
        QCOMPARE(sources.index(0, SourceModel::Received).data(SourceModel::SortRole).toLongLong(), qint64(43));
        QCOMPARE(sources.index(0, SourceModel::Rate).data().toString(), QStringLiteral("1.50/s"));
        QCOMPARE(sources.index(1, SourceModel::State).data().toString(), QStringLiteral("backing off"));
        QCOMPARE(sources.index(1, SourceModel::LastError).data().toString(), QStringLiteral("HTTP 503"));
    }

    void detailViewShowsAFixtureKillmail()
    {
        // The fixture with the most attackers among those with items, so that shares and slots are tested.
        const std::vector<Killmail> all = test::allFixtureKillmails();
        const Killmail* chosen = nullptr;
        for (const Killmail& killmail : all) {
            if (!killmail.victim.items.empty() && (!chosen || killmail.attackers.size() > chosen->attackers.size())) {
                chosen = &killmail;
            }
        }
        QVERIFY(chosen && chosen->attackers.size() > 1);
        const StoredKillmail kill = storedOf(*chosen);
        const StaticData& staticData = StaticData::bundled();
        KillmailDialog dialog(kill, staticData);
        QAbstractItemModelTester attackerTester(dialog.attackers(),
                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester itemTester(dialog.items(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        QVERIFY(dialog.summary()->text().contains(staticData.type(chosen->victim.shipTypeId)->name.toHtmlEscaped()));
        QVERIFY(dialog.summary()->text().contains(staticData.solarSystem(chosen->solarSystemId)->name));
        QVERIFY(dialog.values()->text().contains(QStringLiteral("(%1)").arg(shortIsk(kill.totalValue))));
        QVERIFY(dialog.link()->text().contains(QStringLiteral("https://zkillboard.com/kill/%1/").arg(kill.killmailId)));

        const AttackerModel& attackers = *dialog.attackers();
        QCOMPARE(attackers.rowCount(), int(chosen->attackers.size()));
        std::int64_t totalDamage = 0;
        for (const Attacker& attacker : chosen->attackers) {
            totalDamage += attacker.damageDone;
        }
        double shares = 0;
        for (int row = 0; row < attackers.rowCount(); ++row) {
            const Attacker& attacker = chosen->attackers[std::size_t(row)];
            const double share = attackers.index(row, AttackerModel::Share).data(AttackerModel::SortRole).toDouble();
            shares += share;
            QCOMPARE(share, 100.0 * double(attacker.damageDone) / double(totalDamage));
            QCOMPARE(attackers.index(row, AttackerModel::Damage).data(AttackerModel::SortRole).toLongLong(),
                     qint64(attacker.damageDone));
            QCOMPARE(attackers.index(row, AttackerModel::FinalBlow).data(AttackerModel::SortRole).toBool(),
                     attacker.finalBlow);
            if (attacker.shipTypeId && staticData.type(*attacker.shipTypeId)) {
                QCOMPARE(attackers.index(row, AttackerModel::Ship).data().toString(),
                         staticData.type(*attacker.shipTypeId)->name);
            }
        }
        QVERIFY(qAbs(shares - 100.0) < 1e-6);

        const QStandardItemModel& items = *dialog.items();
        QSet<int> flags;
        for (const Item& item : chosen->victim.items) {
            flags.insert(item.flag);
        }
        QCOMPARE(items.rowCount(), int(flags.size())); // one group per slot
        QCOMPARE(rowsUnder(items, {}) - items.rowCount(), int(rows::itemCount(*chosen)));
        const QModelIndex firstSlot = items.index(0, 0);
        QCOMPARE(firstSlot.data().toString(), staticData.flagName(*std::min_element(flags.begin(), flags.end())));

        const QJsonObject json = QJsonDocument::fromJson(dialog.json()).object();
        QCOMPARE(json.value(QLatin1StringView("killmail_id")).toInteger(), kill.killmailId);
        const QJsonObject zkb = json.value(QLatin1StringView("zkb")).toObject();
        QCOMPARE(zkb.value(QLatin1StringView("totalValue")).toDouble(), kill.totalValue);
        QCOMPARE(zkb.value(QLatin1StringView("hash")).toString(), chosen->hash);
        const auto copy = dialog.findChildren<QPushButton*>();
        const auto button = std::find_if(copy.begin(), copy.end(),
                                         [](QPushButton* b) { return b->text() == QStringLiteral("Copy as JSON"); });
        QVERIFY(button != copy.end());
        (*button)->click();
        QCOMPARE(QApplication::clipboard()->text().toUtf8(), dialog.json());

        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        saveScreenshot(dialog, QStringLiteral("killmail-detail"));
    }

    // The window depends on EngineView only: given a fake with canned numbers, it shows them, takes the kills the
    // fake announces, asks it to stop a source, and stops it on close.
    void theWindowRunsOnAFakeEngine()
    {
        test::TestDatabase db(Backend::Sqlite);
        db.database();
        test::FakeEngineView engine(db.url());
        engine.cannedBacklog = {QueueStats{QStringLiteral("killmail"), 12, 0, 1, 30, 2, std::chrono::seconds(4)}};
        SourceStatus r2z2;
        r2z2.name = QStringLiteral("r2z2");
        r2z2.state = SourceState::Running;
        r2z2.received = 42;
        engine.cannedSources = {r2z2};
        engine.cannedRate = 3.5;

        ui::MainWindow window(engine, StaticData::bundled());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const ui::HealthView& health = *window.healthView();
        QVERIFY(health.rateLabel()->text().startsWith(QStringLiteral("3.50 killmails/s")));
        QCOMPARE(health.queueModel()->index(0, ui::QueueModel::Waiting).data(ui::QueueModel::SortRole).toLongLong(),
                 12);
        QCOMPARE(health.sourceModel()->index(0, ui::SourceModel::Received).data(ui::SourceModel::SortRole).toLongLong(),
                 42);

        const std::vector<StoredKillmail> kills = storedFixtures(3);
        for (const StoredKillmail& kill : kills) {
            Q_EMIT engine.killmailStored(kill);
        }
        QTRY_COMPARE_WITH_TIMEOUT(window.feedModel()->rowCount(), 3, waitMs);

        health.sourceButtons()->buttonOf(QStringLiteral("r2z2"))->click();
        QCOMPARE(engine.sourceRequests, QStringList{QStringLiteral("r2z2 stop")});
        QCOMPARE(health.sourceModel()->index(0, ui::SourceModel::State).data().toString(), QStringLiteral("stopped"));
        Q_EMIT engine.databaseProblemChanged(QStringLiteral("the server went away"));
        QVERIFY(health.databaseLabel()->text().contains(QStringLiteral("the server went away")));
        window.tabs()->setCurrentWidget(window.healthView());
        saveScreenshot(window, QStringLiteral("fake-engine-health"));

        window.close();
        QCOMPARE(engine.stopRequests, 1);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
    }
};

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    ConsoleModelsTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console_models.moc"
