// The console's failures tab over the real engine on both databases: failed jobs put in the database appear (and
// new ones when the engine reads its backlog again), retry and delete change the database only as confirmed, copy
// details fills the clipboard, and a database that cannot be reached is said in the tab.
#include "ConsoleSuite.h"
#include "OfflineEngine.h"
#include "TestDatabase.h"

#include "MainWindow.h"
#include "failures/FailedJobsModel.h"
#include "failures/FailuresView.h"
#include "queue/JobQueue.h"
#include "queue/QueueAdmin.h"
#include "runtime/DatabaseThread.h"
#include "runtime/Engine.h"
#include "runtime/FleetMonitor.h"
#include "staticdata/StaticData.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace km;
using namespace km::ui;

namespace {

constexpr int waitMs = 60000;
const QString characters = QStringLiteral("character");
const QString corporations = QStringLiteral("corporation");
const QString alliances = QStringLiteral("alliance");
const QString worker = QStringLiteral("test-worker");

/// Queues jobs of `keys` in `queue` (payload `{"id": key}`) and fails them with `error`, as a worker would. The jobs
/// are claimed first when `priority` is above that of the others waiting in the queue.
void failJobs(Database& database, const QString& queue, const QStringList& keys, const QString& error,
              Priority priority = Priority::Low)
{
    JobQueue jobs(database);
    std::vector<NewJob> added;
    for (const QString& key : keys) {
        added.push_back(NewJob{key, QStringLiteral(R"({"id":%1})").arg(key).toUtf8(), priority});
    }
    QCOMPARE(jobs.enqueue(queue, added).added, int(keys.size()));
    std::vector<FinishedJob> failed;
    for (const Job& job : jobs.claim(queue, int(keys.size()), worker)) {
        failed.push_back({job, JobResult::fail(job.id, error)});
    }
    QCOMPARE(int(failed.size()), int(keys.size()));
    jobs.settle(failed, worker);
}

struct StoredJob {
    int state = -1; // -1: no such job
    int attempts = -1;
};

StoredJob storedJob(Database& database, const QString& queue, const QString& key)
{
    QSqlQuery query = database.exec(
        QStringLiteral(R"(SELECT "state", "attempts" FROM jobs WHERE "queue" = ? AND "dedupKey" = ?)"), {queue, key});
    return query.next() ? StoredJob{query.value(0).toInt(), query.value(1).toInt()} : StoredJob{};
}

qint64 failedCount(Database& database)
{
    return database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM jobs WHERE "state" = 3)")).toLongLong();
}

/// The view's rows (sorted as shown) by key.
int shownRowOf(const QTableView& table, const QString& key)
{
    const QAbstractItemModel& shown = *table.model();
    for (int row = 0; row < shown.rowCount(); ++row) {
        if (shown.index(row, FailedJobsModel::Key).data().toString() == key) {
            return row;
        }
    }
    return -1;
}

void select(QTableView& table, const QStringList& keys)
{
    QItemSelection selection;
    for (const QString& key : keys) {
        const int row = shownRowOf(table, key);
        QVERIFY2(row >= 0, qPrintable(key));
        selection.select(table.model()->index(row, 0), table.model()->index(row, FailedJobsModel::ColumnCount - 1));
    }
    table.selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    table.setFocus();
}

/// The confirmation the view opened (null until it is shown).
QMessageBox* confirmation(const FailuresView& view)
{
    QMessageBox* box = view.findChild<QMessageBox*>();
    return box && box->isVisible() ? box : nullptr;
}

QAbstractButton* confirmButton(QMessageBox& box)
{
    for (QAbstractButton* button : box.buttons()) {
        if (box.buttonRole(button) == QMessageBox::DestructiveRole) {
            return button;
        }
    }
    return nullptr;
}

QString backendName(Backend backend)
{
    return backend == Backend::Sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgres");
}

} // namespace

class ConsoleFailuresTest : public QObject {
    Q_OBJECT
public:
    explicit ConsoleFailuresTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void failedJobsAreListedCopiedRetriedAndDeletedAsConfirmed()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        const QString notFound = QStringLiteral("ESI answered 404:\nno such character");
        failJobs(database, characters, {QStringLiteral("90000001"), QStringLiteral("90000002"), QStringLiteral("900")},
                 notFound);
        failJobs(database, corporations, {QStringLiteral("98000001"), QStringLiteral("98000002")},
                 QStringLiteral("timeout"));

        // Entity updates are off: nothing runs the entity queues, so retried jobs stay waiting.
        Engine engine(db.url(), test::offlineEngineSettings());
        MainWindow window(engine, StaticData::bundled());
        auto* found = window.findChild<FailuresView*>();
        QVERIFY(found);
        FailuresView& view = *found;
        FailedJobsModel& model = *view.model();
        QTableView& table = *view.table();
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sortedTester(table.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QVERIFY2(engine.start(error), qPrintable(error));
        window.tabs()->setCurrentWidget(&view);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));

        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 5, waitMs);
        const int shown = shownRowOf(table, QStringLiteral("90000001"));
        const QAbstractItemModel& sorted = *table.model();
        QCOMPARE(sorted.index(shown, FailedJobsModel::Queue).data().toString(), characters);
        QCOMPARE(sorted.index(shown, FailedJobsModel::Attempts).data().toInt(), 1);
        QCOMPARE(sorted.index(shown, FailedJobsModel::LastError).data().toString(),
                 QStringLiteral("ESI answered 404: no such character"));
        QCOMPARE(sorted.index(shown, FailedJobsModel::LastError).data(Qt::ToolTipRole).toString(), notFound);
        const FailedJob stored = QueueAdmin(database).failed(characters, 10).front();
        QCOMPARE(sorted.index(shown, FailedJobsModel::FailedAt).data().toString(),
                 FailedJobsModel::timeText(stored.finishedAtMs));
        QVERIFY2(view.summaryLabel()->text().contains(QStringLiteral("5 failed job")),
                 qPrintable(view.summaryLabel()->text()));
        QVERIFY(!view.problemLabel()->isVisible());
        // Keys that are IDs sort as numbers.
        table.sortByColumn(FailedJobsModel::Key, Qt::AscendingOrder);
        QCOMPARE(sorted.index(0, FailedJobsModel::Key).data().toString(), QStringLiteral("900"));
        table.sortByColumn(FailedJobsModel::FailedAt, Qt::DescendingOrder);

        // A job that fails while the window is open appears once the engine has read its backlog again (nothing
        // else reads the list until the first action).
        failJobs(database, alliances, {QStringLiteral("99000001")}, QStringLiteral("bad alliance"));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 6, waitMs);
        select(table, {QStringLiteral("99000001")});
        test::saveScreenshot(window, QStringLiteral("console-failures-%1").arg(backendName(m_backend)));

        // Copy details (Ctrl+C): everything about the job, the whole error and the payload included.
        select(table, {QStringLiteral("90000001")});
        QApplication::clipboard()->clear();
        QTest::keySequence(&table, QKeySequence::Copy);
        const QString copied = QApplication::clipboard()->text();
        for (const QString& part :
             {QStringLiteral("Key: 90000001"), QStringLiteral("Queue: character"), QStringLiteral("Attempts: 1"),
              notFound, QStringLiteral(R"("id": 90000001)"), FailedJobsModel::timeText(stored.finishedAtMs)}) {
            QVERIFY2(copied.contains(part), qPrintable(copied));
        }

        // Retry selected (Ctrl+R) puts just those back to wait, with fresh attempts.
        select(table, {QStringLiteral("90000002"), QStringLiteral("900")});
        QTest::keyClick(&table, Qt::Key_R, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(storedJob(database, characters, QStringLiteral("900")).state, int(JobState::Waiting),
                                  waitMs);
        QCOMPARE(storedJob(database, characters, QStringLiteral("900")).attempts, 0);
        QCOMPARE(storedJob(database, characters, QStringLiteral("90000002")).state, int(JobState::Waiting));
        QCOMPARE(storedJob(database, characters, QStringLiteral("90000001")).state, int(JobState::Failed));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 4, waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(view.outcomeLabel()->text().contains(QStringLiteral("2 job")), waitMs);

        // Delete (the key) asks first: cancelled, nothing goes; confirmed, the selected job goes.
        select(table, {QStringLiteral("98000001")});
        QTest::keyClick(&table, Qt::Key_Delete);
        QTRY_VERIFY_WITH_TIMEOUT(confirmation(view), waitMs);
        QVERIFY2(confirmation(view)->text().contains(QStringLiteral("1 selected")),
                 qPrintable(confirmation(view)->text()));
        confirmation(view)->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!confirmation(view), waitMs);
        select(table, {QStringLiteral("98000002")});
        view.deleteSelectedAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(confirmation(view), waitMs);
        confirmButton(*confirmation(view))->click();
        QTRY_COMPARE_WITH_TIMEOUT(storedJob(database, corporations, QStringLiteral("98000002")).state, -1, waitMs);
        // The database thread runs actions in order: a delete the cancel had let through would have run by now.
        QCOMPARE(storedJob(database, corporations, QStringLiteral("98000001")).state, int(JobState::Failed));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, waitMs);

        // Clear failed names how many; cancelled, nothing goes, and "Retry all" then takes every failed job.
        view.clearAllAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(confirmation(view), waitMs);
        QVERIFY2(confirmation(view)->text().contains(QStringLiteral("all 3 failed")),
                 qPrintable(confirmation(view)->text()));
        confirmation(view)->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!confirmation(view), waitMs);
        window.activateWindow(); // back from the confirmation
        QVERIFY(QTest::qWaitForWindowActive(&window));
        table.setFocus();
        QTest::keyClick(&table, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE_WITH_TIMEOUT(failedCount(database), 0, waitMs);
        for (const auto& [queue, key] :
             {std::pair{characters, QStringLiteral("90000001")}, std::pair{corporations, QStringLiteral("98000001")},
              std::pair{alliances, QStringLiteral("99000001")}}) {
            QCOMPARE(storedJob(database, queue, key).state, int(JobState::Waiting));
        }
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 0, waitMs);
        QVERIFY(!view.clearAllAction()->isEnabled());

        // Confirmed, Clear failed deletes the failed jobs of every queue and nothing else.
        failJobs(database, characters, {QStringLiteral("91000001")}, QStringLiteral("gone"), Priority::High);
        failJobs(database, alliances, {QStringLiteral("99000002")}, QStringLiteral("gone"), Priority::High);
        QTest::keySequence(&table, QKeySequence::Refresh);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, waitMs);
        view.clearAllAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(confirmation(view), waitMs);
        QVERIFY2(confirmation(view)->text().contains(QStringLiteral("all 2 failed")),
                 qPrintable(confirmation(view)->text()));
        confirmButton(*confirmation(view))->click();
        QTRY_COMPARE_WITH_TIMEOUT(failedCount(database), 0, waitMs);
        QCOMPARE(storedJob(database, characters, QStringLiteral("91000001")).state, -1);
        QCOMPARE(storedJob(database, characters, QStringLiteral("90000001")).state, int(JobState::Waiting));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 0, waitMs);

        window.close();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineStopped(), waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
    }

    void anAttachedWindowFollowsTheFleetsBacklog()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        FleetMonitor fleet(db.url(), StaticData::bundled(), std::chrono::milliseconds(200));
        Configuration configuration;
        configuration.database = db.url();
        configuration.engine = test::offlineEngineSettings();
        MainWindow window(fleet, configuration, StaticData::bundled());
        auto* found = window.findChild<FailuresView*>();
        QVERIFY(found);
        window.tabs()->setCurrentWidget(found);
        window.show();
        // Failed by an engine elsewhere after the window read the list: the fleet's next backlog brings it in.
        QTRY_VERIFY_WITH_TIMEOUT(found->summaryLabel()->text().contains(QStringLiteral("0 failed")), waitMs);
        failJobs(database, characters, {QStringLiteral("92000001")}, QStringLiteral("elsewhere"));
        QTRY_COMPARE_WITH_TIMEOUT(found->model()->rowCount(), 1, waitMs);
        select(*found->table(), {QStringLiteral("92000001")});
        found->retrySelectedAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(storedJob(database, characters, QStringLiteral("92000001")).state,
                                  int(JobState::Waiting), waitMs);
        window.close();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
    }

    void anActionTheDatabaseDroppedIsSaidAndTheNextOneWorks()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("only a PostgreSQL server drops connections");
        }
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        failJobs(database, characters, {QStringLiteral("93000001")}, QStringLiteral("gone"));
        DatabaseThread thread(db.url());
        FailuresView view(thread);
        view.show();
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, waitMs);
        database.exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
        select(*view.table(), {QStringLiteral("93000001")});
        view.retrySelectedAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(view.outcomeLabel()->text().startsWith(QStringLiteral("Not done")), waitMs);
        QCOMPARE(storedJob(database, characters, QStringLiteral("93000001")).state, int(JobState::Failed));
        view.retrySelectedAction()->trigger(); // on a new connection
        QTRY_COMPARE_WITH_TIMEOUT(storedJob(database, characters, QStringLiteral("93000001")).state,
                                  int(JobState::Waiting), waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 0, waitMs);
        QVERIFY(!view.problemLabel()->isVisible());
    }

    void aDatabaseThatCannotBeReachedIsSaidInTheTab()
    {
        QTemporaryDir dir;
        const DatabaseUrl url = test::TestDatabase::unreachableUrl(m_backend, dir);
        Engine engine(url, test::offlineEngineSettings());
        MainWindow window(engine, StaticData::bundled());
        FailuresView& view = *window.findChild<FailuresView*>();
        window.tabs()->setCurrentWidget(&view);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(view.problemLabel()->isVisible(), waitMs);
        QVERIFY2(view.problemLabel()->text().contains(QStringLiteral("cannot be read")),
                 qPrintable(view.problemLabel()->text()));
        QCOMPARE(view.model()->rowCount(), 0);
        QVERIFY(!view.retryAllAction()->isEnabled());
        window.close();
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
    }
};

int main(int argc, char** argv) { return test::runConsoleSuite<ConsoleFailuresTest>(argc, argv); }

#include "tst_console_failures.moc"
