// The console's backfills and imports tab over the real engine on both databases: a zKillboard history backfill
// started from the dialog against the fake history host shows its progress, is cancelled, resumes from its cursor
// when started again and stores every kill once; killmail files and market history imported from the window are
// stored; the dialog refuses what cannot run, saying why.
#include "ConsoleSuite.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "OfflineEngine.h"
#include "TestDatabase.h"

#include "MainWindow.h"
#include "backfills/BackfillDialog.h"
#include "backfills/BackfillsView.h"
#include "backfills/JobModel.h"
#include "runtime/Engine.h"
#include "sources/SourceStateStore.h"
#include "sources/ZkillboardBackfill.h"
#include "staticdata/StaticData.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace km;
using namespace km::ui;
using namespace std::chrono_literals;

namespace {

constexpr int waitMs = 120000;
const QDate firstDay(2014, 5, 15);
const QDate lastDay(2014, 6, 18);

EngineSettings engineSettings(const QUrl& history)
{
    EngineSettings settings = test::offlineEngineSettings();
    settings.sources.historyUrl = history;
    return settings;
}

/// The fixtures killed from firstDay to lastDay, as the fake history files them.
std::vector<test::EsiFixture> historyFixtures()
{
    std::vector<test::EsiFixture> chosen;
    for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
        const QDate day = test::FakeZkillboard::dayOf(fixture);
        if (day >= firstDay && day <= lastDay) {
            chosen.push_back(fixture);
        }
    }
    return chosen;
}

/// The days the backfill's cursor holds as finished.
QStringList finishedDays(Database& database)
{
    const std::optional<QString> cursor = SourceStateStore(database).cursor(ZkillboardBackfill::sourceName);
    return QJsonDocument::fromJson(cursor.value_or(QString()).toUtf8())
        .object()
        .value(QLatin1StringView("finished"))
        .toObject()
        .keys();
}

/// The window over a started engine, its backfills tab shown, its models under test.
struct Console {
    Console(const DatabaseUrl& url, const QUrl& history)
        : engine(url, engineSettings(history))
        , window(engine, StaticData::bundled())
        , view(window.findChild<BackfillsView*>())
        , jobsTester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest)
        , sortedTester(view->sortedModel(), QAbstractItemModelTester::FailureReportingMode::QtTest)
    {
        window.tabs()->setCurrentWidget(view);
    }
    ~Console()
    {
        window.close();
        if (!QTest::qWaitFor([this] { return !window.isVisible(); }, waitMs)) {
            qFatal("the engine did not stop");
        }
    }
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    bool start()
    {
        QString error;
        if (!engine.start(error)) {
            qWarning() << error;
            return false;
        }
        window.show();
        // Nothing starts before the engine has brought the schema up to date.
        return QTest::qWaitForWindowExposed(&window)
            && QTest::qWaitFor([this] { return view->newBackfillAction()->isEnabled(); }, waitMs);
    }

    Engine engine;
    MainWindow window;
    BackfillsView* view;
    QAbstractItemModelTester jobsTester;
    QAbstractItemModelTester sortedTester;
};

QPushButton* okButton(BackfillDialog& dialog)
{
    return dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
}

} // namespace

class ConsoleBackfillsTest : public QObject {
    Q_OBJECT
public:
    explicit ConsoleBackfillsTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

    /// Opens the dialog from the tab's action and asks for the history from firstDay to lastDay.
    BackfillDialog* askForHistory(BackfillsView& view)
    {
        view.newBackfillAction()->trigger();
        auto* dialog = view.findChild<BackfillDialog*>();
        if (dialog != nullptr) {
            dialog->setSource(BackfillDialog::ZkillboardHistory);
            dialog->setDays(firstDay, lastDay);
        }
        return dialog;
    }

private Q_SLOTS:
    void aBackfillFromTheDialogProgressesIsCancelledAndResumes()
    {
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        const std::vector<test::EsiFixture> fixtures = historyFixtures();
        QCOMPARE(int(fixtures.size()), 57);
        for (const test::EsiFixture& fixture : fixtures) {
            zkillboard.addToHistory(fixture);
        }
        zkillboard.setLatency(300ms); // slow enough to cancel half-way

        Console console(db.url(), zkillboard.url());
        QVERIFY(console.start());
        BackfillsView& view = *console.view;
        JobModel& jobs = *view.model();
        QList<int> barValues;
        connect(view.progressBar(), &QProgressBar::valueChanged, this, [&barValues](int value) { barValues << value; });

        BackfillDialog* dialog = askForHistory(view);
        QVERIFY(dialog);
        test::saveScreenshot(*dialog, QStringLiteral("backfill-dialog"));
        okButton(*dialog)->click();
        QCOMPARE(jobs.rowCount(), 1);
        QCOMPARE(jobs.index(0, JobModel::Kind).data().toString(), QStringLiteral("zKillboard history"));
        QCOMPARE(jobs.index(0, JobModel::Parameters).data().toString(), QStringLiteral("2014-05-15 to 2014-06-18"));
        QVERIFY(!view.newBackfillAction()->isEnabled()); // one at a time

        // Cancelled once some days are in: they stay finished in the cursor, the others are left for the rerun.
        QTRY_VERIFY_WITH_TIMEOUT(jobs.progress(0).done > 0, waitMs);
        QVERIFY(view.cancelAction()->isEnabled());
        view.cancelAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(jobs.state(0), JobModel::JobState::Cancelled, waitMs);
        QVERIFY(jobs.index(0, JobModel::Result).data().toString().contains(QStringLiteral("resume")));
        const QStringList finishedBefore = finishedDays(db.database());
        QVERIFY2(!finishedBefore.isEmpty() && finishedBefore.size() < 8, qPrintable(finishedBefore.join(u' ')));
        QMap<QString, int> requestsBefore;
        for (const QString& day : finishedBefore) {
            requestsBefore.insert(day,
                                  zkillboard.requestsTo(test::FakeZkillboard::dayPath(
                                      QDate::fromString(day, QStringLiteral("yyyyMMdd")), true)));
        }

        // Started again from the dialog: the finished days are not read again, the rest is, and the engine's workers
        // store every kill once.
        QVERIFY(view.newBackfillAction()->isEnabled());
        dialog = askForHistory(view);
        QVERIFY(dialog);
        okButton(*dialog)->click();
        QCOMPARE(jobs.rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(jobs.state(1), JobModel::JobState::Finished, waitMs);
        QCOMPARE(finishedDays(db.database()).size(), 8);
        for (auto it = requestsBefore.cbegin(); it != requestsBefore.cend(); ++it) {
            QCOMPARE(zkillboard.requestsTo(
                         test::FakeZkillboard::dayPath(QDate::fromString(it.key(), QStringLiteral("yyyyMMdd")), true)),
                     *it);
        }
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size()));
        QCOMPARE(
            db.database().scalar(QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails)")).toLongLong(),
            qint64(fixtures.size()));
        QCOMPARE(
            db.database()
                .scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state IN (0, 1, 3)"))
                .toLongLong(),
            qint64(0));
        QVERIFY(jobs.index(1, JobModel::Result).data().toString().contains(QStringLiteral("killmails found")));
        QCOMPARE(view.progressBar()->value(), 100);
        QVERIFY2(std::any_of(barValues.cbegin(), barValues.cend(), [](int value) { return value > 0 && value < 100; }),
                 "the progress bar never showed a backfill under way");
        view.table()->resizeColumnsToContents();
        test::saveScreenshot(console.window, QStringLiteral("backfills"));

        // The sorted view sorts by the sort role: the finished job before the cancelled one by state.
        view.sortedModel()->sort(JobModel::State, Qt::AscendingOrder);
        QCOMPARE(view.sortedModel()->index(0, JobModel::State).data().toString(), QStringLiteral("Finished"));
    }

    void theDialogSaysWhyItCannotRun()
    {
        test::TestDatabase db(m_backend);
        Console console(db.url(), QUrl(QStringLiteral("http://127.0.0.1:9")));
        BackfillsView& view = *console.view;
        view.newBackfill();
        auto* dialog = view.findChild<BackfillDialog*>();
        QVERIFY(dialog);
        dialog->setSource(BackfillDialog::ZkillboardHistory);
        dialog->setDays(lastDay, firstDay);
        QVERIFY(dialog->problem().contains(QStringLiteral("before the first")));
        QVERIFY(!okButton(*dialog)->isEnabled());
        QVERIFY(!dialog->request());

        dialog->setSource(BackfillDialog::EveKill);
        QVERIFY(dialog->problem().contains(QStringLiteral("at least one")));
        QVERIFY(!okButton(*dialog)->isEnabled());
        dialog->setEntities(QStringLiteral("90000001, x"), {}, {});
        QVERIFY(dialog->problem().contains(QStringLiteral("'x' is not an ID")));
        dialog->setEntities(QStringLiteral("90000001, 90000002"), {}, QStringLiteral("99000001"));
        QVERIFY(dialog->problem().isEmpty());
        QVERIFY(okButton(*dialog)->isEnabled());
        const std::optional<BackfillRequest> request = dialog->request();
        QVERIFY(request);
        QCOMPARE(request->parameters, QStringLiteral("characters 90000001, 90000002; alliances 99000001"));
        QVERIFY(request->queuesJobs);
        dialog->reject();
    }

    void importsFromTheWindowStoreKillmailsAndPrices()
    {
        test::TestDatabase db(m_backend);
        Console console(db.url(), QUrl(QStringLiteral("http://127.0.0.1:9")));
        QVERIFY(console.start());
        BackfillsView& view = *console.view;
        JobModel& jobs = *view.model();

        QTemporaryDir folder;
        const QDir fixtures(QStringLiteral(KILLMAIL_TEST_DATA_DIR "/killmails"));
        const QStringList names = fixtures.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name).first(12);
        for (const QString& name : names) {
            QVERIFY(QFile::copy(fixtures.filePath(name), folder.filePath(name)));
        }
        view.importKillmails({folder.path()});
        QCOMPARE(jobs.rowCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(jobs.state(0) != JobModel::JobState::Importing, waitMs);
        QCOMPARE(jobs.state(0), JobModel::JobState::Finished);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(names.size()));
        QVERIFY2(
            jobs.index(0, JobModel::Result).data().toString().startsWith(QStringLiteral("12 stored, 0 duplicates")),
            qPrintable(jobs.index(0, JobModel::Result).data().toString()));

        // Importing the same folder again is safe: everything is a duplicate.
        view.importKillmails({folder.path()});
        QTRY_COMPARE_WITH_TIMEOUT(jobs.state(1), JobModel::JobState::Finished, waitMs);
        QVERIFY(
            jobs.index(1, JobModel::Result).data().toString().startsWith(QStringLiteral("0 stored, 12 duplicates")));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(names.size()));

        view.importPrices({QStringLiteral(KILLMAIL_TEST_DATA_DIR "/prices/market-history-2024-06-15-to-07-26.csv")});
        QTRY_COMPARE_WITH_TIMEOUT(jobs.state(2), JobModel::JobState::Finished, waitMs);
        QVERIFY(db.rowCount(QStringLiteral("prices")) > 0);
        QVERIFY(jobs.index(2, JobModel::Result).data().toString().startsWith(QStringLiteral("1 of 1 files")));
    }
};

int main(int argc, char** argv) { return test::runConsoleSuite<ConsoleBackfillsTest>(argc, argv); }

#include "tst_console_backfills.moc"
