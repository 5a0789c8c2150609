// A console attached to engines that share the database follows them through FleetMonitor: each engine's report
// (its sources, its state) and the killmails it stores as they are committed (PostgreSQL LISTEN/NOTIFY), with a
// real engine in this process following the fake R2Z2.
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "OfflineEngine.h"
#include "TestDatabase.h"

#include "MainWindow.h"
#include "backfills/BackfillDialog.h"
#include "backfills/BackfillsView.h"
#include "backfills/JobModel.h"
#include "feed/FeedModel.h"
#include "fleet/EngineReportModel.h"
#include "fleet/FleetView.h"
#include "health/QueueModel.h"
#include "health/SourceModel.h"
#include "queue/KillmailJobs.h"
#include "runtime/Engine.h"
#include "runtime/FleetMonitor.h"
#include "sources/R2z2Source.h"
#include "staticdata/StaticData.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QSet>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>

using namespace km;

namespace {

constexpr int waitMs = 60000;
constexpr int kills = 5;

/// The report of the engine running in this process, if the monitor has seen one.
std::optional<EngineReport> ownReport(const QList<EngineReport>& reports)
{
    for (const EngineReport& report : reports) {
        if (report.pid == QCoreApplication::applicationPid()) {
            return report;
        }
    }
    return std::nullopt;
}

bool hasSource(const EngineReport& report, const QString& name)
{
    return std::any_of(report.sources.cbegin(), report.sources.cend(),
                       [&name](const SourceStatus& source) { return source.name == name; });
}

} // namespace

class TestFleet : public QObject {
    Q_OBJECT
public:
    explicit TestFleet(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void followsTheEnginesSharingTheDatabase()
    {
        test::TestDatabase db(m_backend);
        db.database();
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        zkillboard.setAnnouncedSequence(96000000);

        FleetMonitor fleet(db.url(), StaticData::bundled(), std::chrono::milliseconds(200));
        Configuration configuration;
        configuration.database = db.url();
        configuration.engine = test::zkillboardEngineSettings(zkillboard.url());
        ui::MainWindow window(fleet, configuration, StaticData::bundled());
        ui::FleetView& view = *window.fleetView();
        QAbstractItemModelTester engineTester(view.engineModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sourceTester(view.sourceModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        QList<EngineReport> reports;
        QSet<KillmailId> heard;
        std::vector<QueueStats> backlog;
        connect(&fleet, &FleetMonitor::reportsChanged, this, [&reports](const QList<EngineReport>& r) { reports = r; });
        connect(&fleet, &FleetMonitor::backlogChanged, this,
                [&backlog](const std::vector<QueueStats>& stats) { backlog = stats; });
        connect(&fleet, &FleetMonitor::killmailStored, this, [&heard](const StoredKillmail& killmail) {
            QVERIFY2(!heard.contains(killmail.killmailId), "a killmail was announced twice");
            QCOMPARE(killmail.source, R2z2Source::sourceName);
            QVERIFY(killmail.valued);
            heard.insert(killmail.killmailId);
        });

        auto engine = std::make_unique<Engine>(db.url(), test::zkillboardEngineSettings(zkillboard.url()));
        QString error;
        QVERIFY2(engine->start(error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(ownReport(reports) && hasSource(*ownReport(reports), R2z2Source::sourceName), waitMs);
        QCOMPARE(ownReport(reports)->summary.state, SourceState::Running);

        QSet<KillmailId> published;
        for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
            zkillboard.publish(fixture);
            published.insert(fixture.killmailId);
            if (published.size() == kills) {
                break;
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")), qint64(kills), waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!backlog.empty(), waitMs); // the killmail queue's finished jobs
        if (m_backend == Backend::Postgres) {
            QTRY_COMPARE_WITH_TIMEOUT(heard, published, waitMs);
            QTRY_COMPARE_WITH_TIMEOUT(window.feedModel()->rowCount(), kills, waitMs); // the attached window's feed
        } else {
            QVERIFY(heard.isEmpty()); // SQLite has no notifications
        }

        // The engines tab shows this engine, its sources and the queue it worked.
        const ui::EngineReportModel& engines = *view.engineModel();
        QCOMPARE(engines.runningCount(), 1);
        QCOMPARE(engines.index(0, ui::EngineReportModel::Process).data().toString(),
                 QString::number(QCoreApplication::applicationPid()));
        QCOMPARE(engines.index(0, ui::EngineReportModel::State).data().toString(), QStringLiteral("running"));
        QVERIFY(view.summaryLabel()->text().startsWith(QStringLiteral("Engines running: 1 of 1")));
        QTRY_COMPARE_WITH_TIMEOUT(view.sourceModel()->rowCount(), 1, waitMs);
        QCOMPARE(view.sourceModel()->index(0, ui::SourceModel::Name).data().toString(), R2z2Source::sourceName);
        QTRY_VERIFY_WITH_TIMEOUT(
            view.sourceModel()->index(0, ui::SourceModel::Received).data(ui::SourceModel::SortRole).toLongLong()
                == kills,
            waitMs);
        const ui::QueueModel& queues = *view.queueModel();
        const auto killmailQueueShown = [&queues] {
            for (int row = 0; row < queues.rowCount(); ++row) {
                if (queues.index(row, ui::QueueModel::Queue).data().toString() == KillmailJobs::queueName) {
                    return true;
                }
            }
            return false;
        };
        QVERIFY(killmailQueueShown());
        const QString folder = QStringLiteral(KILLMAIL_SCREENSHOT_DIR);
        QVERIFY(QDir().mkpath(folder));
        window.tabs()->setCurrentWidget(&view);
        QVERIFY(window.grab().save(
            folder
            + QStringLiteral("/fleet-%1.png")
                  .arg(m_backend == Backend::Sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgres"))));

        // A stopped engine says so before it goes; its report stays, marked stopped.
        QSignalSpy stopped(engine.get(), &Engine::stopped);
        engine->stop();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, waitMs);
        engine.reset();
        QTRY_COMPARE_WITH_TIMEOUT(ownReport(reports)->summary.state, SourceState::Stopped, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(engines.index(0, ui::EngineReportModel::State).data().toString(),
                                  QStringLiteral("stopped"), waitMs);
        QCOMPARE(engines.runningCount(), 0);
        QVERIFY(window.close()); // at once: it has no engine of its own to stop
        QVERIFY(!ownReport(reports)->isSilent(QDateTime::currentDateTimeUtc(), FleetMonitor::silence));
    }

    void anAttachedConsoleQueuesBackfillsForTheFleet()
    {
        test::TestDatabase db(m_backend);
        db.database();
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        zkillboard.setAnnouncedSequence(96000000);
        QSet<KillmailId> inHistory;
        QDate first;
        QDate last;
        for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
            zkillboard.addToHistory(fixture);
            inHistory.insert(fixture.killmailId);
            const QDate day = test::FakeZkillboard::dayOf(fixture);
            first = first.isValid() ? std::min(first, day) : day;
            last = last.isValid() ? std::max(last, day) : day;
            if (inHistory.size() == kills) {
                break;
            }
        }
        EngineSettings settings = test::zkillboardEngineSettings(zkillboard.url());
        Engine engine(db.url(), settings);
        QString error;
        QVERIFY2(engine.start(error), qPrintable(error));

        FleetMonitor fleet(db.url(), StaticData::bundled(), std::chrono::milliseconds(200));
        Configuration configuration;
        configuration.database = db.url();
        configuration.engine = settings;
        ui::MainWindow window(fleet, configuration, StaticData::bundled());
        auto* backfills = window.findChild<ui::BackfillsView*>();
        QVERIFY(backfills && backfills->canStart()); // no engine of its own to wait for
        backfills->newBackfill();
        auto* dialog = backfills->findChild<ui::BackfillDialog*>();
        QVERIFY(dialog);
        dialog->setSource(ui::BackfillDialog::ZkillboardHistory);
        dialog->setDays(first, last);
        const std::optional<ui::BackfillRequest> request = dialog->request();
        QVERIFY2(request, qPrintable(dialog->problem()));
        dialog->reject();
        backfills->startBackfill(*request);
        // The attached console only queues the kills; the fleet's engine stores them.
        QTRY_COMPARE_WITH_TIMEOUT(backfills->model()->state(0), ui::JobModel::JobState::Finished, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")), qint64(kills), waitMs);
        if (m_backend == Backend::Postgres) {
            QTRY_COMPARE_WITH_TIMEOUT(window.feedModel()->rowCount(), kills, waitMs);
        }
        QSignalSpy stopped(&engine, &Engine::stopped);
        engine.stop();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, waitMs);
    }

    void readsNoticesAndSkipsMalformedParts()
    {
        using Notice = StoredKillmailNotices::Notice;
        QCOMPARE(StoredKillmailNotices::read(QStringLiteral("12:r2z2,x:y,,-4:cli,99,13:backfill:zkillboard")),
                 (QList<Notice>{
                     {12, QStringLiteral("r2z2")}, {99, QString()}, {13, QStringLiteral("backfill:zkillboard")}}));
    }

    void reportsStaleEnginesAsSilent()
    {
        test::TestDatabase db(m_backend);
        EngineReport gone = EngineReport::forThisProcess();
        gone.engineId = QStringLiteral("elsewhere:1:1");
        gone.summary.name = QStringLiteral("engine");
        EngineReportStore(db.database()).save(gone);
        const QList<EngineReport> all = EngineReportStore(db.database()).all();
        QCOMPARE(all.size(), 1);
        QVERIFY(!all.front().isSilent(QDateTime::currentDateTimeUtc(), FleetMonitor::silence));
        QVERIFY(all.front().isSilent(QDateTime::currentDateTimeUtc().addSecs(FleetMonitor::silence.count() + 1),
                                     FleetMonitor::silence));
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QApplication app(argc, argv);
    TestFleet suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_fleet.moc"
