// The console's engine health tab over the real engine, on both databases: R2Z2 and RedisQ fakes feed it (RedisQ's
// kills fetched from a fake ESI), the rate charts follow the kills and ESI's requests, a source stopped from its
// button really stops (its fake is asked nothing more while RedisQ keeps polling) and starts again from it, and the
// tray icon's tooltip and menu follow the engine and steer the window.
#include "ConsoleSuite.h"
#include "FakeEsi.h"
#include "FakeRedisq.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "OfflineEngine.h"
#include "TestDatabase.h"

#include "MainWindow.h"
#include "feed/FeedModel.h"
#include "health/HealthView.h"
#include "health/RateChart.h"
#include "health/SourceButtons.h"
#include "health/SourceModel.h"
#include "runtime/Engine.h"
#include "sources/R2z2Source.h"
#include "sources/RedisqSource.h"
#include "tray/TrayIcon.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>

#include <algorithm>

using namespace km;
using namespace km::ui;

namespace {

constexpr int waitMs = 60000;
const QString queueId = QStringLiteral("console-health");

EngineSettings engineSettings(const QUrl& zkillboard, const QUrl& redisq, const QUrl& esi)
{
    EngineSettings settings = test::zkillboardEngineSettings(zkillboard);
    settings.sources.live << RedisqSource::sourceName;
    settings.sources.redisqUrl = redisq;
    settings.sources.redisqQueueId = queueId;
    settings.workers.esi.baseUrl = esi;
    return settings;
}

bool anyAbove(const std::vector<RatePoint>& points, double rate)
{
    return std::any_of(points.cbegin(), points.cend(),
                       [rate](const RatePoint& point) { return point.perSecond > rate; });
}

bool shown(const FeedModel& feed, KillmailId id)
{
    for (int row = 0; row < feed.rowCount(); ++row) {
        if (feed.killmail(row).killmailId == id) {
            return true;
        }
    }
    return false;
}

} // namespace

class ConsoleHealthTest : public QObject {
    Q_OBJECT
public:
    explicit ConsoleHealthTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void chartsFollowTheKillsAndEachSourceStopsAndStartsFromTheWindow()
    {
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        zkillboard.setAnnouncedSequence(96000000);
        test::FakeThread<test::FakeRedisq> redisqThread;
        test::FakeRedisq& redisq = redisqThread.fake();
        test::FakeEsiThread esiThread;
        test::FakeEsi& esi = esiThread.fake();
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        QVERIFY(fixtures.size() >= 12);

        Engine engine(db.url(), engineSettings(zkillboard.url(), redisq.url(), esi.url()));
        MainWindow window(engine, StaticData::bundled());
        HealthView& health = *window.healthView();
        SourceModel& sources = *health.sourceModel();
        QAbstractItemModelTester sourceTester(&sources, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QVERIFY2(engine.start(error), qPrintable(error));
        window.tabs()->setCurrentWidget(&health);
        window.resize(1200, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // Kills from both feeds; RedisQ's come by reference, so the processor asks ESI for them.
        for (std::size_t i = 0; i < 5; ++i) {
            zkillboard.publish(fixtures[i]);
        }
        for (std::size_t i = 5; i < 10; ++i) {
            esi.addKillmail(fixtures[i].killmailId, fixtures[i].hash, fixtures[i].body);
            redisq.push(queueId, test::FakeRedisq::packageWithoutKillmail(fixtures[i]));
        }
        FeedModel& feed = *window.feedModel();
        QTRY_COMPARE_WITH_TIMEOUT(feed.rowCount(), 10, waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(anyAbove(health.killmailChart()->points(), 0), waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(anyAbove(health.esiChart()->points(), 0), waitMs);
        // The charts go on with the engine's samples, and the longer span holds the same kills.
        const qint64 newest = health.killmailChart()->points().back().msecsSinceEpoch;
        QTRY_VERIFY_WITH_TIMEOUT(health.killmailChart()->points().back().msecsSinceEpoch > newest, waitMs);
        health.chartSpanBox()->setCurrentIndex(1);
        QVERIFY(anyAbove(health.killmailChart()->points(), 0));
        QVERIFY2(!health.esiLabel()->text().contains(QStringLiteral("none used yet")),
                 qPrintable(health.esiLabel()->text()));
        QVERIFY(!health.alertBanner()->isVisible());
        health.chartSpanBox()->setCurrentIndex(0);

        // Stopped from its button: R2Z2 is asked nothing more, for longer than it waits between questions, while
        // RedisQ keeps polling and delivering.
        const auto stateOf = [&sources](const QString& source) {
            for (int row = 0; row < sources.rowCount(); ++row) {
                if (sources.index(row, SourceModel::Name).data().toString() == source) {
                    return SourceState(sources.index(row, SourceModel::State).data(SourceModel::SortRole).toInt());
                }
            }
            return SourceState::Stopped;
        };
        QPushButton* r2z2Button = health.sourceButtons()->buttonOf(R2z2Source::sourceName);
        QVERIFY(r2z2Button);
        QCOMPARE(r2z2Button->text(), QStringLiteral("Stop"));
        QTest::mouseClick(r2z2Button, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(R2z2Source::sourceName), SourceState::Stopped, waitMs);
        QCOMPARE(r2z2Button->text(), QStringLiteral("Start"));
        QVERIFY(r2z2Button->isEnabled());
        const auto polls = [&redisq] { return redisq.requestsTo(QStringLiteral("/listen.php")); };
        // A request R2Z2 sent just before it stopped may reach its fake later: two polls of RedisQ let it arrive.
        const int polledAtStop = polls();
        QTRY_VERIFY_WITH_TIMEOUT(polls() >= polledAtStop + 2, waitMs);
        const int asked = zkillboard.requestCount();
        const int polled = polls();
        zkillboard.publish(fixtures[10]);
        esi.addKillmail(fixtures[11].killmailId, fixtures[11].hash, fixtures[11].body);
        redisq.push(queueId, test::FakeRedisq::packageWithoutKillmail(fixtures[11]));
        // Long enough for a running R2Z2 to ask twice: RedisQ's polls (held for their ttw), as its fake received
        // them, tell the time.
        QTRY_VERIFY_WITH_TIMEOUT(
            redisq.spanOf(QStringLiteral("/listen.php"), polled) >= 2 * R2z2Settings().notPublishedWait, waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(shown(feed, fixtures[11].killmailId), waitMs);
        QCOMPARE(zkillboard.requestCount(), asked);
        QVERIFY(!shown(feed, fixtures[10].killmailId));
        QVERIFY(SourceModel::runs(stateOf(RedisqSource::sourceName)));

        // Started again from the same button: it goes on from its cursor.
        QTest::mouseClick(r2z2Button, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(shown(feed, fixtures[10].killmailId), waitMs);
        QVERIFY(SourceModel::runs(stateOf(R2z2Source::sourceName)));
        QCOMPARE(r2z2Button->text(), QStringLiteral("Stop"));

        test::saveScreenshot(window, QStringLiteral("health"));

        // The tray icon (none offscreen, where no tray is available: made here by hand) shows the rate, and its menu
        // pauses the feed, hides and shows the window, and quits as closing the window does.
        TrayIcon tray(window, engine, feed);
        QVERIFY(tray.toolTip().contains(QStringLiteral("killmails/s")));
        QTRY_VERIFY2_WITH_TIMEOUT(!tray.toolTip().contains(QStringLiteral(": 0.00 killmails/s")),
                                  qPrintable(tray.toolTip()), waitMs);
        tray.pauseAction()->trigger();
        QVERIFY(feed.isPaused());
        feed.setPaused(false);
        QVERIFY(!tray.pauseAction()->isChecked());
        tray.showAction()->trigger();
        QVERIFY(!window.isVisible());
        tray.showAction()->trigger();
        QVERIFY(window.isVisible());
        tray.quitAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.engineStopped(), waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), waitMs);
    }
};

int main(int argc, char** argv) { return test::runConsoleSuite<ConsoleHealthTest>(argc, argv); }

#include "tst_console_health.moc"
