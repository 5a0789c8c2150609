// The console's feed and detail view over a real database (both backends), read through the window's DatabaseThread:
// older kills are read back when the table is scrolled to its bottom, in order, without duplicates and within the
// feed's bound, while live kills keep arriving on top; the detail view of a kill read back shows each item's value as
// the engine's valuation computes it from the stored prices, grouped by slot.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "detail/KillmailDialog.h"
#include "feed/FeedFilterModel.h"
#include "feed/FeedModel.h"
#include "feed/FeedView.h"
#include "prices/PriceMoment.h"
#include "processing/StoredKillmail.h"
#include "runtime/DatabaseThread.h"
#include "storage/KillmailRows.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace km;
using namespace km::ui;

namespace {

constexpr int waitMs = 60000;

StoredKillmail storedOf(const Killmail& killmail)
{
    test::FixedPrices prices;
    return StoredKillmail::from(test::valued(killmail, prices), StaticData::bundled(), QStringLiteral("live"));
}

/// The killmails sorted as the feed reads them back: newest first, by time and then ID.
std::vector<Killmail> newestFirst(std::vector<Killmail> killmails)
{
    std::sort(killmails.begin(), killmails.end(), [](const Killmail& a, const Killmail& b) {
        return std::pair(a.killmailTime, a.killmailId) > std::pair(b.killmailTime, b.killmailId);
    });
    return killmails;
}

std::vector<KillmailId> shownIds(const FeedModel& model)
{
    std::vector<KillmailId> ids;
    for (int row = 0; row < model.rowCount(); ++row) {
        ids.push_back(model.killmail(row).killmailId);
    }
    return ids;
}

void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString folder = QStringLiteral(KILLMAIL_SCREENSHOT_DIR);
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(widget.grab().save(folder + u'/' + name + QStringLiteral(".png")));
}

/// Whether the valuation takes a type's market price as it is: no hand-set price, not a SKIN, a structure module or
/// the customs office gantry (priced by their builds or parts), not a blueprint copy or an item in a slot valued at
/// zKillboard's floor.
bool marketPriced(const Item& item, UnixTime killTime)
{
    const StaticData& staticData = StaticData::bundled();
    const TypeInfo* type = staticData.type(item.typeId);
    constexpr int skins = 91;
    constexpr int structureModules = 66;
    constexpr int customsOfficeGantry = 2233;
    constexpr int frigateEscapeBay = 179;
    constexpr int genolutionImplantFlag = 89;
    return type && type->categoryId != skins && type->categoryId != structureModules
        && item.typeId != customsOfficeGantry && item.singleton != 2 && item.flag != frigateEscapeBay
        && item.flag != genolutionImplantFlag
        && !staticData.handSetPrices().find(item.typeId, type->groupId, PriceMoment::ofKill(killTime)).has_value();
}

/// A made-up market price per type, distinct and well above zKillboard's floor.
double marketPrice(int typeId) { return 1000.0 + double(typeId % 10007) * 10.5; }

} // namespace

class ConsoleFeedTest : public QObject {
    Q_OBJECT
public:
    explicit ConsoleFeedTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void olderKillsAreReadBackWhenScrolledToTheBottom()
    {
        test::TestDatabase db(m_backend);
        const std::vector<Killmail> all = test::allFixtureKillmails();
        QVERIFY(all.size() > 40);
        const std::vector<Killmail> stored(all.begin(), all.begin() + 30);
        test::store(db.database(), stored);
        const std::vector<Killmail> sorted = newestFirst(stored);

        DatabaseThread thread(db.url());
        constexpr int limit = 10;
        // No QAbstractItemModelTester here: it asks for more rows after every change, as a table scrolled to its end
        // does, so it would read everything back before the scrolling is tested (the other tests run it).
        FeedModel model(StaticData::bundled(), limit);
        model.setDatabase(&thread);
        model.setPageSize(4);
        // Live: the three newest stored kills, announced oldest first, so they end up on top, newest first.
        for (int i = 2; i >= 0; --i) {
            model.add(storedOf(sorted[std::size_t(i)]));
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, waitMs);

        // A table a few rows high reads back while its bottom is in view, then waits for the operator to scroll.
        FeedView view(model);
        view.resize(900, 260);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTableView& table = *view.table();
        const auto bottomShown = [&table] {
            const QAbstractItemModel& rows = *table.model();
            return table.viewport()->rect().intersects(table.visualRect(rows.index(rows.rowCount() - 1, 0)));
        };
        QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > 3 && !model.isReadingOlder() && !bottomShown(), waitMs);
        QVERIFY(model.canFetchMore({}));
        const int beforeScrolling = model.rowCount();
        QVERIFY(beforeScrolling < model.maximumRows());
        table.verticalScrollBar()->setValue(table.verticalScrollBar()->maximum());
        QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > beforeScrolling, waitMs);

        // Scrolled on to the end: the feed holds at most maximumRows(), the newest first, none twice.
        while (model.rowCount() < model.maximumRows()) {
            const int rows = model.rowCount();
            table.verticalScrollBar()->setValue(table.verticalScrollBar()->maximum());
            QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > rows, waitMs);
        }
        QCOMPARE(model.rowCount(), 2 * limit);
        QVERIFY(!model.canFetchMore({}));
        std::vector<KillmailId> expected;
        for (std::size_t i = 0; i < std::size_t(model.maximumRows()); ++i) {
            expected.push_back(sorted[i].killmailId);
        }
        QCOMPARE(shownIds(model), expected);
        QCOMPARE(model.index(3, FeedModel::Source).data().toString(), QStringLiteral("database"));
        QCOMPARE(model.index(3, FeedModel::Value).data(FeedModel::SortRole).toDouble(),
                 test::storedValues(db.database(), expected[3]).totalValue);

        // Live kills keep coming on top: one shown already is not shown twice; new ones push out the bottom rows.
        model.add(storedOf(sorted[5]));
        QTest::qWait(int(FeedModel::batchInterval.count()) * 3);
        QCOMPARE(shownIds(model), expected);
        const std::vector<Killmail> fresh(all.begin() + 30, all.begin() + 35);
        for (const Killmail& killmail : fresh) {
            model.add(storedOf(killmail));
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.killmail(0).killmailId, fresh.back().killmailId, waitMs);
        QCOMPARE(model.rowCount(), 2 * limit);
        std::vector<KillmailId> shown = shownIds(model);
        QCOMPARE(std::vector<KillmailId>(shown.begin() + 5, shown.end()),
                 std::vector<KillmailId>(expected.begin(), expected.end() - 5));
        QVERIFY(!model.canFetchMore({})); // at the bound still
    }

    // The window closed while a page read back was on its way to the model (found under the asan preset: Qt 6.4
    // then ran the model's failure handler without its context and aborted on a Q_ASSERT).
    void aModelDestroyedWhileItsReadIsDeliveredGoesQuietly()
    {
        test::TestDatabase db(m_backend);
        test::store(db.database(), test::allFixtureKillmails());
        DatabaseThread thread(db.url());
        auto model = std::make_unique<FeedModel>(StaticData::bundled());
        model->setDatabase(&thread);
        QVERIFY(model->canFetchMore({}));
        model->fetchMore({});
        // The database thread runs its actions in turn: once this one is done the page was read and its delivery
        // is queued to this thread, which has not handled its events since.
        thread.run<int>([](Database&) { return 0; }).waitForFinished();
        model.reset();
        QCoreApplication::processEvents();
        QCOMPARE(thread.run<int>([](Database&) { return 1; }).result(), 1);
    }

    void filtersApplyToTheRowsReadBack()
    {
        test::TestDatabase db(m_backend);
        const std::vector<Killmail> all = test::allFixtureKillmails();
        const std::vector<Killmail> stored(all.begin(), all.begin() + 30);
        test::store(db.database(), stored);
        const std::vector<Killmail> sorted = newestFirst(stored);

        DatabaseThread thread(db.url());
        FeedModel model(StaticData::bundled(), 20);
        model.setDatabase(&thread);
        model.setPageSize(3);
        FeedView view(model);
        QAbstractItemModelTester tester(view.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Only the oldest stored kill matches: the table reads on, page after page, while the filter hides them all.
        const Killmail& oldest = sorted.back();
        view.textFilter()->setText(QString::number(oldest.killmailId));
        view.resize(900, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_COMPARE_WITH_TIMEOUT(view.filterModel()->rowCount(), 1, waitMs);
        QCOMPARE(view.filterModel()->index(0, 0).data(FeedModel::KillmailIdRole).toLongLong(), oldest.killmailId);
        QCOMPARE(model.rowCount(), int(stored.size()));
        QTRY_VERIFY_WITH_TIMEOUT(!model.isReadingOlder() && !model.canFetchMore({}), waitMs);

        // A live kill that matches shows on top of the filtered rows read back.
        const Killmail& live = all[35];
        model.add(storedOf(live));
        view.textFilter()->setText(QStringLiteral("%1").arg(live.killmailId));
        QTRY_COMPARE_WITH_TIMEOUT(view.filterModel()->rowCount(), 1, waitMs);
        QCOMPARE(model.killmail(0).killmailId, live.killmailId);
    }

    void detailOfAKillReadBackShowsItsItemValues()
    {
        test::TestDatabase db(m_backend);
        // The fixture with the most market-priced items, nested ones among them where there are.
        const std::vector<Killmail> all = test::allFixtureKillmails();
        const Killmail* chosen = nullptr;
        int chosenPriced = 0;
        for (const Killmail& killmail : all) {
            int priced = 0;
            rows::forEachItem(killmail.victim.items, [&](const Item& item, std::size_t, std::optional<std::size_t>) {
                priced += marketPriced(item, killmail.killmailTime) ? 1 : 0;
            });
            if (priced > chosenPriced) {
                chosen = &killmail;
                chosenPriced = priced;
            }
        }
        QVERIFY(chosen && chosenPriced > 5);
        const Killmail& killmail = *chosen;
        const QDate day = QDateTime::fromSecsSinceEpoch(killmail.killmailTime, Qt::UTC).date();
        QSet<int> types{killmail.victim.shipTypeId};
        rows::forEachItem(killmail.victim.items, [&](const Item& item, std::size_t, std::optional<std::size_t>) {
            types.insert(item.typeId);
        });
        for (const int type : types) {
            for (int before = 0; before < 3; ++before) {
                db.database().exec(
                    QStringLiteral(R"(INSERT INTO prices ("typeId", "regionId", "date", average) VALUES (?, ?, ?, ?))"),
                    {type, 10000002, day.addDays(-before).toString(Qt::ISODate), marketPrice(type)});
            }
        }
        test::store(db.database(), {killmail});
        const KillValues stored = test::storedValues(db.database(), killmail.killmailId);

        DatabaseThread thread(db.url());
        FeedModel feed(StaticData::bundled());
        feed.setDatabase(&thread);
        feed.fetchMore({});
        QTRY_COMPARE_WITH_TIMEOUT(feed.rowCount(), 1, waitMs);
        KillmailDialog dialog(feed.killmail(0), StaticData::bundled(), nullptr, &thread);
        QSignalSpy shown(&dialog, &KillmailDialog::itemValuesShown);
        QAbstractItemModelTester tester(dialog.items(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, waitMs);

        // One group per slot, in the game's order; under each, its items with their own values.
        const QStandardItemModel& items = *dialog.items();
        std::map<int, std::vector<const Item*>> bySlot;
        for (const Item& item : killmail.victim.items) {
            bySlot[item.flag].push_back(&item);
        }
        QCOMPARE(items.rowCount(), int(bySlot.size()));
        double sum = 0;
        int checked = 0;
        int slotRow = 0;
        bool itemsRight = true;
        const std::function<double(const QModelIndex&, const Item&)> checkItem = [&](const QModelIndex& name,
                                                                                     const Item& item) -> double {
            const double value =
                name.siblingAtColumn(KillmailDialog::ItemValue).data(KillmailDialog::ValueRole).toDouble();
            if (marketPriced(item, killmail.killmailTime)) {
                const double expected =
                    marketPrice(item.typeId) * double(item.quantityDestroyed + item.quantityDropped);
                itemsRight = QTest::qCompare(value, expected, "value", "expected", __FILE__, __LINE__) && itemsRight;
                ++checked;
            }
            double total = value;
            for (std::size_t content = 0; content < item.items.size(); ++content) {
                total += checkItem(items.index(int(content), 0, name), item.items[content]);
            }
            return total;
        };
        for (const auto& [flag, slotItems] : bySlot) {
            const QModelIndex slot = items.index(slotRow++, 0);
            QCOMPARE(slot.data().toString(), StaticData::bundled().flagName(flag));
            QCOMPARE(items.rowCount(slot), int(slotItems.size()));
            double slotValue = 0;
            for (std::size_t i = 0; i < slotItems.size(); ++i) {
                const QModelIndex name = items.index(int(i), 0, slot);
                QCOMPARE(name.data().toString(), StaticData::bundled().type(slotItems[i]->typeId)->name);
                slotValue += checkItem(name, *slotItems[i]);
            }
            QCOMPARE(slot.siblingAtColumn(KillmailDialog::ItemValue).data(KillmailDialog::ValueRole).toDouble(),
                     slotValue);
            sum += slotValue;
        }
        QVERIFY(itemsRight);
        QCOMPARE(checked, chosenPriced);
        // The ship and the items add up to the stored total (rounded to cents as stored).
        Item hull;
        hull.typeId = killmail.victim.shipTypeId;
        const double ship = marketPriced(hull, killmail.killmailTime) ? marketPrice(killmail.victim.shipTypeId) : 0;
        if (ship > 0) {
            QCOMPARE(std::round((ship + sum) * 100.0) / 100.0, stored.totalValue);
        }
        dialog.findChild<QTabWidget*>()->setCurrentIndex(1); // the items
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        saveScreenshot(dialog, QStringLiteral("detail"));
    }
};

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    ConsoleFeedTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console_feed.moc"
