// The operator console over the real engine, in this process, following the fake R2Z2 on both databases: kills
// appear in the feed with the values stored, the health tab follows the engine's signals, the detail view opens on
// a stored kill, and closing the window stops the engine as SIGTERM does and remembers the window's geometry.
#include "ConsoleSuite.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "OfflineEngine.h"
#include "TestDatabase.h"

#include "EngineOptions.h"
#include "MainWindow.h"
#include "backfills/BackfillDialog.h"
#include "backfills/BackfillsView.h"
#include "common/Isk.h"
#include "detail/AttackerModel.h"
#include "detail/KillmailDialog.h"
#include "feed/FeedFilterModel.h"
#include "feed/FeedModel.h"
#include "feed/FeedView.h"
#include "health/HealthView.h"
#include "health/QueueModel.h"
#include "health/SourceModel.h"
#include "prices/PriceMoment.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "runtime/Engine.h"
#include "settings/SettingsDialog.h"
#include "sources/R2z2Source.h"
#include "util/UtcTime.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace km;
using namespace km::ui;

namespace {

constexpr int waitMs = 60000;
constexpr int kills = 6;
constexpr double hullPrice = 123456789.0;

/// Prices the hulls of `fixtures` on their days, so that their values are well above zKillboard's floor.
void priceHulls(Database& database, const std::vector<test::EsiFixture>& fixtures)
{
    for (const test::EsiFixture& fixture : fixtures) {
        const Killmail killmail = test::fixtureKillmail(fixture.killmailId);
        const QDate day = QDateTime::fromSecsSinceEpoch(killmail.killmailTime, Qt::UTC).date();
        for (int before = 0; before < 3; ++before) {
            database.exec(
                QStringLiteral(R"(INSERT INTO prices ("typeId", "regionId", "date", average) VALUES (?, ?, ?, ?))"),
                {killmail.victim.shipTypeId, 10000002, day.addDays(-before).toString(Qt::ISODate), hullPrice});
        }
    }
}

/// Kills of distinct hulls that market prices value (zKillboard sets some, capsules among them, by hand).
std::vector<test::EsiFixture> fixturesWithMarketPricedHulls(int count)
{
    const StaticData& staticData = StaticData::bundled();
    std::vector<test::EsiFixture> chosen;
    QSet<int> hulls;
    for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
        const Killmail killmail = test::fixtureKillmail(fixture.killmailId);
        const int hull = killmail.victim.shipTypeId;
        const bool handSet = staticData.handSetPrices()
                                 .find(hull, staticData.groupOf(hull), PriceMoment::ofKill(killmail.killmailTime))
                                 .has_value();
        if (!handSet && staticData.type(hull) && !hulls.contains(hull)) {
            hulls.insert(hull);
            chosen.push_back(fixture);
        }
        if (int(chosen.size()) == count) {
            break;
        }
    }
    return chosen;
}

void nameCharacter(Database& database, EntityId id, const QString& name)
{
    database.exec(QStringLiteral(R"(INSERT INTO characters ("characterId", name, "updatedAt") VALUES (?, ?, ?))"),
                  {qint64(id), name, QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()))});
}

/// The feed's row of a killmail; -1 when it is not shown.
int feedRowOf(const FeedModel& feed, KillmailId id)
{
    for (int row = 0; row < feed.rowCount(); ++row) {
        if (feed.killmail(row).killmailId == id) {
            return row;
        }
    }
    return -1;
}

int rowOf(const QAbstractItemModel& model, const QString& name)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, 0).data().toString() == name) {
            return row;
        }
    }
    return -1;
}

QString backendName(Backend backend)
{
    return backend == Backend::Sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgres");
}

} // namespace

class ConsoleTest : public QObject {
    Q_OBJECT
public:
    explicit ConsoleTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void killsFromR2z2AppearInTheFeedWithTheirStoredValues()
    {
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        zkillboard.setAnnouncedSequence(96000000);
        const std::vector<test::EsiFixture> fixtures = fixturesWithMarketPricedHulls(kills);
        QCOMPARE(int(fixtures.size()), kills);
        priceHulls(db.database(), fixtures);

        // Victims' names: one known before its kill comes, one only after it is shown (as the entity updates do).
        std::vector<Killmail> pilotLosses;
        for (const test::EsiFixture& fixture : fixtures) {
            const Killmail killmail = test::fixtureKillmail(fixture.killmailId);
            if (killmail.victim.characterId) {
                pilotLosses.push_back(killmail);
            }
        }
        QVERIFY(pilotLosses.size() >= 2);
        nameCharacter(db.database(), *pilotLosses[0].victim.characterId, QStringLiteral("Known Before"));

        Engine engine(db.url(), test::zkillboardEngineSettings(zkillboard.url()));
        MainWindow window(engine, StaticData::bundled());
        FeedModel& feed = *window.feedModel();
        feed.setNameRetryInterval(std::chrono::milliseconds(200));
        QAbstractItemModelTester feedTester(&feed, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(window.feedView()->filterModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester queueTester(window.healthView()->queueModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sourceTester(window.healthView()->sourceModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QVERIFY2(engine.start(error), qPrintable(error));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        for (const test::EsiFixture& fixture : fixtures) {
            zkillboard.publish(fixture);
        }
        QTRY_COMPARE_WITH_TIMEOUT(feed.rowCount(), kills, waitMs);
        for (int row = 0; row < feed.rowCount(); ++row) {
            const StoredKillmail& kill = feed.killmail(row);
            const KillValues stored = test::storedValues(db.database(), kill.killmailId);
            QVERIFY2(stored.totalValue >= hullPrice, qPrintable(QString::number(kill.killmailId)));
            QCOMPARE(feed.index(row, FeedModel::Value).data(FeedModel::SortRole).toDouble(), stored.totalValue);
            QCOMPARE(feed.index(row, FeedModel::Value).data().toString(), shortIsk(stored.totalValue));
            QCOMPARE(feed.index(row, FeedModel::Source).data().toString(), R2z2Source::sourceName);
            const Killmail killmail = test::fixtureKillmail(kill.killmailId);
            QCOMPARE(feed.index(row, FeedModel::Ship).data().toString(),
                     StaticData::bundled().type(killmail.victim.shipTypeId)->name);
        }

        const auto victimShown = [&feed](const Killmail& killmail) {
            return feed.index(feedRowOf(feed, killmail.killmailId), FeedModel::Victim).data().toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(victimShown(pilotLosses[0]), QStringLiteral("Known Before"), waitMs);
        QCOMPARE(victimShown(pilotLosses[1]),
                 QCoreApplication::translate("km::ui::Names", "Character %1").arg(*pilotLosses[1].victim.characterId));
        nameCharacter(db.database(), *pilotLosses[1].victim.characterId, QStringLiteral("Resolved Later"));
        QTRY_COMPARE_WITH_TIMEOUT(victimShown(pilotLosses[1]), QStringLiteral("Resolved Later"), waitMs);

        // The health tab follows the engine's signals: the source's state and count, the queue's work, the database.
        const SourceModel& sources = *window.healthView()->sourceModel();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(sources, R2z2Source::sourceName) >= 0, waitMs);
        const int r2z2 = rowOf(sources, R2z2Source::sourceName);
        QTRY_COMPARE_WITH_TIMEOUT(sources.index(r2z2, SourceModel::Received).data(SourceModel::SortRole).toLongLong(),
                                  qint64(kills), waitMs);
        const QueueModel& queues = *window.healthView()->queueModel();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(queues, KillmailJobs::queueName) >= 0, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(queues.index(rowOf(queues, KillmailJobs::queueName), QueueModel::Done)
                                      .data(QueueModel::SortRole)
                                      .toLongLong(),
                                  qint64(kills), waitMs);
        QVERIFY(window.healthView()->databaseLabel()->text().contains(
            QCoreApplication::translate("km::ui::HealthView", "Database: connected")));
        test::saveScreenshot(window, QStringLiteral("console-feed-%1").arg(backendName(m_backend)));
        window.tabs()->setCurrentWidget(window.healthView());
        test::saveScreenshot(window, QStringLiteral("console-health-%1").arg(backendName(m_backend)));
        window.tabs()->setCurrentWidget(window.feedView());

        // Enter on the selected row opens its detail view, built from what the engine handed over, with the names the
        // entity tables hold (looked up off the GUI thread).
        const KillmailId shown = feed.killmail(0).killmailId;
        const Killmail shownKillmail = test::fixtureKillmail(shown);
        const auto named = std::find_if(
            shownKillmail.attackers.cbegin(), shownKillmail.attackers.cend(), [&pilotLosses](const Attacker& attacker) {
                return attacker.characterId && *attacker.characterId != *pilotLosses[0].victim.characterId
                    && *attacker.characterId != *pilotLosses[1].victim.characterId;
            });
        QVERIFY(named != shownKillmail.attackers.cend());
        nameCharacter(db.database(), *named->characterId, QStringLiteral("Named Attacker"));
        QTableView& table = *window.feedView()->table();
        table.setFocus();
        table.setCurrentIndex(table.model()->index(0, 0));
        QTest::keyClick(&table, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(window.findChildren<KillmailDialog*>().size(), qsizetype(1), waitMs);
        KillmailDialog& dialog = *window.findChildren<KillmailDialog*>().front();
        QVERIFY(dialog.windowTitle().contains(QString::number(shown)));
        QCOMPARE(dialog.attackers()->rowCount(), int(shownKillmail.attackers.size()));
        const int namedRow = int(named - shownKillmail.attackers.cbegin());
        QTRY_COMPARE_WITH_TIMEOUT(dialog.attackers()->index(namedRow, AttackerModel::Attacker).data().toString(),
                                  QStringLiteral("Named Attacker"), waitMs);
        test::saveScreenshot(dialog, QStringLiteral("console-detail-%1").arg(backendName(m_backend)));
        dialog.close();

        // The backfill dialog and the settings, as the operator opens them (screenshots in each language).
        auto* backfills = window.findChild<BackfillsView*>();
        QVERIFY(backfills);
        window.tabs()->setCurrentWidget(backfills);
        backfills->newBackfill();
        auto* backfillDialog = backfills->findChild<BackfillDialog*>();
        QVERIFY(backfillDialog);
        QVERIFY(QTest::qWaitForWindowExposed(backfillDialog));
        test::saveScreenshot(*backfillDialog, QStringLiteral("console-backfill-dialog-%1").arg(backendName(m_backend)));
        backfillDialog->reject();
        window.showSettings();
        auto* settings = window.findChild<SettingsDialog*>();
        QVERIFY(settings);
        QVERIFY(QTest::qWaitForWindowExposed(settings));
        test::saveScreenshot(*settings, QStringLiteral("console-settings-%1").arg(backendName(m_backend)));
        settings->close();
        window.tabs()->setCurrentWidget(window.feedView());

        window.close();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineStopped(), waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
    }

    void healthShowsADatabaseThatCannotBeReachedAndClosingStillStops()
    {
        QTemporaryDir dir;
        const DatabaseUrl url = test::TestDatabase::unreachableUrl(m_backend, dir);
        EngineSettings settings = test::zkillboardEngineSettings(QUrl(QStringLiteral("http://127.0.0.1:9")));
        settings.sources.live.clear();
        Engine engine(url, settings);
        MainWindow window(engine, StaticData::bundled());
        QString error;
        QVERIFY2(engine.start(error), qPrintable(error));
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.healthView()->databaseLabel()->text().contains(
                QCoreApplication::translate("km::ui::HealthView", "<b>Database unavailable:</b> %1").arg(QString())),
            waitMs);
        window.close();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
        QVERIFY(window.engineStopped());
    }

    void closingTheWindowStopsTheEngineAndRemembersItsGeometry()
    {
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        zkillboard.setAnnouncedSequence(96000000);
        const QRect placed(40, 50, 900, 640);
        {
            Engine engine(db.url(), test::zkillboardEngineSettings(zkillboard.url()));
            MainWindow window(engine, StaticData::bundled());
            QString error;
            QVERIFY2(engine.start(error), qPrintable(error));
            window.setGeometry(placed);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            zkillboard.publish(test::allEsiFixtures().front());
            QTRY_COMPARE_WITH_TIMEOUT(window.feedModel()->rowCount(), 1, waitMs);

            QVERIFY(!window.close()); // refused until the engine has stopped
            QVERIFY(window.isVisible());
            QVERIFY(!window.tabs()->isEnabled());
            QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
            QVERIFY(window.engineStopped());
        }
        // Nothing held: the jobs in hand finished or were given back.
        QCOMPARE(db.database().scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE state = 1")).toLongLong(),
                 qint64(0));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(1));

        // Not in the config file, whose every setting the engine checks (it refuses ones it does not know).
        QVERIFY(!QFile::exists(cli::EngineOptions::defaultConfigFile()));
        Engine engine(db.url(), test::zkillboardEngineSettings(zkillboard.url()));
        MainWindow window(engine, StaticData::bundled());
        QCOMPARE(window.size(), placed.size());

        // Without the engine running, the window reads the kill stored before back into its feed, and its detail view
        // shows the values of its hull and items (this kill has none), both read on the window's own database thread.
        FeedModel& feed = *window.feedModel();
        QTRY_COMPARE_WITH_TIMEOUT(feed.rowCount(), 1, waitMs);
        QCOMPARE(feed.killmail(0).killmailId, test::allEsiFixtures().front().killmailId);
        QCOMPARE(feed.index(0, FeedModel::Source).data().toString(),
                 QCoreApplication::translate("km::ui::FeedModel", "database"));
        window.showDetails(feed.killmail(0));
        QCOMPARE(window.findChildren<KillmailDialog*>().size(), qsizetype(1));
        const KillmailDialog& dialog = *window.findChildren<KillmailDialog*>().front();
        const QString hullValue = QCoreApplication::translate("km::ui::KillmailDialog", "Ship %1").arg(QString());
        QTRY_VERIFY_WITH_TIMEOUT(dialog.values()->text().contains(hullValue), waitMs);
    }
};

int main(int argc, char** argv) { return test::runConsoleSuite<ConsoleTest>(argc, argv); }

#include "tst_console.moc"
