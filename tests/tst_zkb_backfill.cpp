// The zKillboard history backfill over real sockets to a fake r2z2 host, into a real database: raw days preferred,
// plain days as the fallback, stored killmails left out, resuming after a stop, days re-uploaded with late kills,
// and failures retried or left unfinished for a later run.
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "NetworkFaults.h"
#include "TestDatabase.h"

#include "net/HttpClient.h"
#include "sources/KillmailSink.h"
#include "sources/SourceStateStore.h"
#include "sources/ZkillboardBackfill.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailWriter.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace km;
using namespace std::chrono_literals;

namespace {

using Answer = test::FakeHttpServer::Answer;

const QDate firstDay(2014, 5, 15);
const QDate lastDay(2014, 6, 18);

QJsonObject objectOf(const QByteArray& json) { return QJsonDocument::fromJson(json).object(); }

/// The fixtures whose kills fall from firstDay to lastDay (57 of them on 8 days), by day.
const QMap<QDate, std::vector<test::EsiFixture>>& historyFixtures()
{
    static const QMap<QDate, std::vector<test::EsiFixture>> days = [] {
        QMap<QDate, std::vector<test::EsiFixture>> byDay;
        for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
            const QDate day = test::FakeZkillboard::dayOf(fixture);
            if (day >= firstDay && day <= lastDay) {
                byDay[day].push_back(fixture);
            }
        }
        return byDay;
    }();
    return days;
}

int historyKillmails()
{
    int count = 0;
    for (const auto& day : historyFixtures()) {
        count += int(day.size());
    }
    return count;
}

/// A database, the fake host serving the fixtures' history, and the backfill, all on the test thread.
struct Rig {
    /// A pause of 3 s is a timeout: a loaded machine does not make one where the test expects none.
    explicit Rig(Backend backend, HttpSettings httpSettings = HttpSettings{test::userAgent, 3s})
        : db(backend)
        , sink(db.database())
        , http(std::move(httpSettings))
    {
        for (const auto& day : historyFixtures()) {
            for (const test::EsiFixture& fixture : day) {
                zkb.addToHistory(fixture);
            }
        }
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;
    /// A test that failed half-way leaves its backfill running: it must end before what it uses goes.
    ~Rig()
    {
        if (backfill && backfill->isRunning()) {
            backfill->stop();
            if (!QTest::qWaitFor([this] { return !backfill->isRunning(); }, 5000)) {
                qFatal("the backfill did not stop within 5 s");
            }
        }
    }

    /// firstDay to lastDay, chunks of 10, quick backoffs.
    [[nodiscard]] ZkillboardBackfillSettings settings() const
    {
        ZkillboardBackfillSettings settings;
        settings.baseUrl = zkb.url();
        settings.startDate = firstDay;
        settings.endDate = lastDay;
        settings.history.chunkSize = 10;
        settings.history.attempts = 3;
        settings.history.backoffInitial = 20ms;
        settings.history.backoffMax = 100ms;
        return settings;
    }

    void start(const ZkillboardBackfillSettings& settings)
    {
        backfill = std::make_unique<ZkillboardBackfill>(settings, SourceContext{sink, http});
        QObject::connect(backfill.get(), &Source::statusChanged, backfill.get(),
                         [this](const SourceStatus& status) { details << status.detail; });
        backfill->start();
    }

    /// Runs to the end; false when it did not finish in (generous) time.
    bool run(const ZkillboardBackfillSettings& settings)
    {
        start(settings);
        return QTest::qWaitFor([this] { return !backfill->isRunning(); }, 120000);
    }

    [[nodiscard]] QMap<QString, qint64> finishedDays()
    {
        const std::optional<QString> saved = SourceStateStore(db.database()).cursor(ZkillboardBackfill::sourceName);
        QMap<QString, qint64> days;
        const QJsonObject finished =
            objectOf(saved.value_or(QString()).toUtf8()).value(QLatin1StringView("finished")).toObject();
        for (auto it = finished.constBegin(); it != finished.constEnd(); ++it) {
            days.insert(it.key(), it.value().toInteger());
        }
        return days;
    }

    [[nodiscard]] int dayRequests(QDate day, bool raw) const
    {
        return zkb.requestsTo(test::FakeZkillboard::dayPath(day, raw));
    }

    test::TestDatabase db;
    KillmailSink sink;
    HttpClient http;
    test::FakeZkillboard zkb;
    std::unique_ptr<ZkillboardBackfill> backfill;
    QStringList details;
};

QString key(QDate day) { return day.toString(QStringLiteral("yyyyMMdd")); }

/// Every day with kills, finished with its count.
QMap<QString, qint64> allFinished()
{
    QMap<QString, qint64> days;
    for (auto it = historyFixtures().cbegin(); it != historyFixtures().cend(); ++it) {
        days.insert(key(it.key()), qint64(it->size()));
    }
    return days;
}

void compareBackfillJob(const test::QueuedKillmail& queued, const test::EsiFixture& fixture, bool withBody)
{
    QCOMPARE(queued.job.killmailId, fixture.killmailId);
    QCOMPARE(queued.job.source, QStringLiteral("backfill:zkillboard"));
    QCOMPARE(queued.priority, Priority::Normal);
    QCOMPARE(queued.job.hash, fixture.hash); // a raw day's hashes come from its plain file
    if (withBody) {
        QCOMPARE(objectOf(queued.job.esiBody), objectOf(fixture.body));
    } else {
        QVERIFY(queued.job.esiBody.isEmpty());
    }
}

} // namespace

class TestZkbBackfill : public QObject {
    Q_OBJECT
public:
    explicit TestZkbBackfill(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void initTestCase() { QCOMPARE(historyFixtures().size(), 8); }

    void readsRawDaysAndQueuesEveryKillmailOnce()
    {
        Rig rig(m_backend);
        QVERIFY(rig.run(rig.settings()));
        const SourceStatus status = rig.backfill->status();
        QCOMPARE(status.state, SourceState::Finished);
        QCOMPARE(status.errors, qint64(0));
        QCOMPARE(status.received, qint64(historyKillmails()));
        QCOMPARE(status.queued, qint64(historyKillmails()));
        QCOMPARE(status.done, qint64(35));
        QCOMPARE(status.total, qint64(35));
        QCOMPARE(status.detail, QStringLiteral("done: 2014-05-15 to 2014-06-18 (35 days, 0 left unfinished)"));
        QVERIFY(rig.details.contains(QStringLiteral("2014-05-25 (11 of 35 days)")));

        const auto queued = test::queuedKillmails(rig.db.database());
        QCOMPARE(queued.size(), historyKillmails());
        for (const auto& day : historyFixtures()) {
            for (const test::EsiFixture& fixture : day) {
                compareBackfillJob(queued.value(fixture.killmailId), fixture, true);
            }
        }
        // totals.json once, each day with kills once from its raw file and once from its plain file (for the
        // hashes), nothing for the days without.
        QCOMPARE(rig.zkb.requestsTo(QStringLiteral("/history/totals.json")), 1);
        for (auto it = historyFixtures().cbegin(); it != historyFixtures().cend(); ++it) {
            QCOMPARE(rig.dayRequests(it.key(), true), 1);
            QCOMPARE(rig.dayRequests(it.key(), false), 1);
        }
        QCOMPARE(rig.zkb.requestCount(), 1 + 2 * int(historyFixtures().size()));
        QCOMPARE(rig.finishedDays(), allFinished());
    }

    void fallsBackToThePlainDayWithoutARawOne()
    {
        Rig rig(m_backend);
        const QDate day(2014, 5, 25);
        rig.zkb.removeRawDay(day);
        QVERIFY(rig.run(rig.settings()));
        QCOMPARE(rig.backfill->status().state, SourceState::Finished);
        QCOMPARE(rig.dayRequests(day, true), 1);
        QCOMPARE(rig.dayRequests(day, false), 1);
        QCOMPARE(rig.dayRequests(QDate(2014, 5, 20), false), 1); // only for its hashes
        const auto queued = test::queuedKillmails(rig.db.database());
        QCOMPARE(queued.size(), historyKillmails());
        for (auto it = historyFixtures().cbegin(); it != historyFixtures().cend(); ++it) {
            for (const test::EsiFixture& fixture : *it) {
                compareBackfillJob(queued.value(fixture.killmailId), fixture, it.key() != day);
            }
        }
        QCOMPARE(rig.finishedDays(), allFinished());
    }

    void leavesOutStoredKillmails()
    {
        Rig rig(m_backend);
        const std::vector<test::EsiFixture> day = historyFixtures().value(QDate(2014, 5, 20));
        test::FixedPrices prices;
        std::vector<ValuedKillmail> stored;
        for (std::size_t i = 0; i < 5; ++i) {
            stored.push_back(test::valued(test::fixtureKillmail(day[i].killmailId), prices));
        }
        KillmailWriter::create(rig.db.database(), StaticData::bundled())->write(stored);

        QVERIFY(rig.run(rig.settings()));
        QCOMPARE(rig.backfill->status().state, SourceState::Finished);
        QCOMPARE(rig.backfill->status().received, qint64(historyKillmails() - 5)); // left out before the hand-over
        const auto queued = test::queuedKillmails(rig.db.database());
        QCOMPARE(queued.size(), historyKillmails() - 5);
        for (std::size_t i = 0; i < day.size(); ++i) {
            QCOMPARE(queued.contains(day[i].killmailId), i >= 5);
        }
        QCOMPARE(rig.finishedDays(), allFinished());
    }

    void aStoppedBackfillResumesWithoutTheFinishedDays()
    {
        Rig rig(m_backend);
        rig.zkb.setLatency(150ms);
        rig.start(rig.settings());
        QTRY_VERIFY_WITH_TIMEOUT(!rig.finishedDays().isEmpty(), 30000);
        rig.backfill->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!rig.backfill->isRunning(), 30000);
        QCOMPARE(rig.backfill->status().state, SourceState::Stopped);
        const QMap<QString, qint64> finishedBefore = rig.finishedDays();
        QVERIFY2(finishedBefore.size() < historyFixtures().size(), "stopped too late to test a resume");

        rig.zkb.setLatency(0ms);
        rig.zkb.clearLog();
        QVERIFY(rig.run(rig.settings()));
        QCOMPARE(rig.backfill->status().state, SourceState::Finished);
        for (auto it = historyFixtures().cbegin(); it != historyFixtures().cend(); ++it) {
            // The day in hand when it stopped may count its aborted request here too.
            const int requests = rig.dayRequests(it.key(), true);
            QVERIFY(finishedBefore.contains(key(it.key())) ? requests == 0 : requests >= 1);
        }
        QCOMPARE(test::queuedKillmails(rig.db.database()).size(), historyKillmails());
        QCOMPARE(rig.finishedDays(), allFinished());
    }

    void readsADayAgainWhenItsTotalChanged()
    {
        Rig rig(m_backend);
        QVERIFY(rig.run(rig.settings()));
        const QDate day(2014, 5, 20);
        const std::vector<test::EsiFixture> all = test::allEsiFixtures();
        const test::EsiFixture late = *std::find_if(all.begin(), all.end(), [](const test::EsiFixture& fixture) {
            return test::FakeZkillboard::dayOf(fixture) > lastDay;
        }); // uploaded late, filed under that day
        QVERIFY(!test::queuedKillmails(rig.db.database()).contains(late.killmailId));
        rig.zkb.addToHistory(late, day);
        rig.zkb.clearLog();

        QVERIFY(rig.run(rig.settings()));
        QCOMPARE(rig.backfill->status().state, SourceState::Finished);
        QCOMPARE(rig.zkb.requestCount(), 3); // totals.json and that day's raw and plain files
        QCOMPARE(rig.dayRequests(day, true), 1);
        QCOMPARE(rig.backfill->status().queued, qint64(1));
        compareBackfillJob(test::queuedKillmails(rig.db.database()).value(late.killmailId), late, true);
        QCOMPARE(rig.finishedDays().value(key(day)), qint64(historyFixtures().value(day).size() + 1));
    }

    void aFaultyDayIsAskedForUntilItMends_data() { test::addNetworkFaultRows(); }

    void aFaultyDayIsAskedForUntilItMends()
    {
        QFETCH(Answer, fault);
        QFETCH(QString, reported);

        Rig rig(m_backend, test::boundedHttpSettings(test::userAgent, 1s));
        rig.zkb.setDripInterval(100ms);
        const QDate faulty(2014, 5, 20);
        const QString path = test::FakeZkillboard::dayPath(faulty, true);
        rig.zkb.setFault(path, fault);
        rig.start(rig.settings());
        QTRY_VERIFY_WITH_TIMEOUT(rig.backfill->status().errors >= 2, 60000); // asked again, and failed again
        const QString error = rig.backfill->status().lastError;
        QVERIFY2(error.contains(QRegularExpression(reported)) && error.contains(path), qPrintable(error));
        QVERIFY(rig.backfill->isRunning());

        rig.zkb.clearFaults();
        QTRY_VERIFY_WITH_TIMEOUT(!rig.backfill->isRunning(), 120000);
        QCOMPARE(rig.backfill->status().state, SourceState::Finished);
        QCOMPARE(rig.finishedDays(), allFinished());
        const auto queued = test::queuedKillmails(rig.db.database());
        QVERIFY(!historyFixtures().value(faulty).empty());
        for (const test::EsiFixture& fixture : historyFixtures().value(faulty)) {
            QVERIFY(queued.contains(fixture.killmailId));
        }
    }

    void failuresAreAskedAgainOrLeftUnfinished()
    {
        Rig rig(m_backend);
        const QDate throttled(2014, 5, 15);
        const QDate missing(2014, 5, 16);
        const QDate garbled(2014, 5, 20);
        const QDate hanging(2014, 5, 25);
        const QDate cutOff(2014, 5, 31);
        const QDate badEntry(2014, 6, 5);
        Answer tooMany{429, test::FakeHttpServer::errorBody(QStringLiteral("slow down")), {{"Retry-After", "1"}}, {}};
        rig.zkb.script(test::FakeZkillboard::dayPath(throttled, true), {503, "busy", {}, {}});
        rig.zkb.script(test::FakeZkillboard::dayPath(throttled, true), tooMany);
        rig.zkb.removeRawDay(missing);
        rig.zkb.removePlainDay(missing);
        for (int i = 0; i < 3; ++i) {
            rig.zkb.script(test::FakeZkillboard::dayPath(garbled, true), {200, "{\"115797013\": {\"killm", {}, {}});
        }
        rig.zkb.script(test::FakeZkillboard::dayPath(hanging, true), {200, {}, {}, Answer::Hang});
        rig.zkb.script(test::FakeZkillboard::dayPath(cutOff, true),
                       {200, R"({"1": {}, "2": {}})", {}, Answer::Truncate});
        const test::EsiFixture good = historyFixtures().value(badEntry).front();
        const QByteArray withBadEntry = QStringLiteral(R"({"%1": %2, "12345": "not a body"})")
                                            .arg(good.killmailId)
                                            .arg(QString::fromUtf8(good.body))
                                            .toUtf8();
        rig.zkb.script(test::FakeZkillboard::dayPath(badEntry, true), {200, withBadEntry, {}, {}});

        QElapsedTimer clock;
        clock.start();
        QVERIFY(rig.run(rig.settings()));
        QVERIFY2(clock.elapsed() >= 1000, "the 429's Retry-After was not honoured");
        const SourceStatus status = rig.backfill->status();
        QCOMPARE(status.state, SourceState::Finished);
        QCOMPARE(status.detail, QStringLiteral("done: 2014-05-15 to 2014-06-18 (35 days, 3 left unfinished)"));
        QCOMPARE(rig.dayRequests(throttled, true), 3);
        QCOMPARE(rig.dayRequests(missing, false), 1);
        QCOMPARE(rig.dayRequests(garbled, true), 3);
        QCOMPARE(rig.dayRequests(garbled, false), 0);
        QCOMPARE(rig.dayRequests(hanging, true), 2);
        QVERIFY(rig.dayRequests(cutOff, true) >= 2);

        QMap<QString, qint64> expected = allFinished();
        expected.remove(key(missing));
        expected.remove(key(garbled));
        expected.remove(key(badEntry));
        QCOMPARE(rig.finishedDays(), expected);
        auto queued = test::queuedKillmails(rig.db.database());
        QCOMPARE(queued.size(),
                 historyKillmails() - int(historyFixtures().value(missing).size())
                     - int(historyFixtures().value(garbled).size()) - int(historyFixtures().value(badEntry).size())
                     + 1);
        QVERIFY(queued.contains(good.killmailId));
        QVERIFY(!queued.contains(12345));

        // A later run reads only the unfinished days again; the missing one is still missing.
        rig.zkb.clearLog();
        QVERIFY(rig.run(rig.settings()));
        QCOMPARE(rig.backfill->status().detail,
                 QStringLiteral("done: 2014-05-15 to 2014-06-18 (35 days, 1 left unfinished)"));
        QVERIFY2(rig.backfill->status().lastError.contains(QLatin1StringView("2014-05-16 left unfinished")),
                 qPrintable(rig.backfill->status().lastError));
        QCOMPARE(rig.zkb.requestCount(), 1 + 2 + 2 + 2); // totals, then raw and plain of: missing, garbled, bad entry
        expected = allFinished();
        expected.remove(key(missing));
        QCOMPARE(rig.finishedDays(), expected);
        QCOMPARE(test::queuedKillmails(rig.db.database()).size(),
                 historyKillmails() - int(historyFixtures().value(missing).size()));
    }

    void aRefusedTotalsEndsTheBackfillReported()
    {
        Rig rig(m_backend);
        for (int i = 0; i < 3; ++i) {
            rig.zkb.script(QStringLiteral("/history/totals.json"),
                           {403, test::FakeHttpServer::errorBody(QStringLiteral("no User-Agent")), {}, {}});
        }
        QVERIFY(rig.run(rig.settings()));
        const SourceStatus status = rig.backfill->status();
        QCOMPARE(status.state, SourceState::Stopped);
        QCOMPARE(status.errors, qint64(3));
        QVERIFY2(status.lastError.contains(QLatin1StringView("refused the User-Agent"))
                     && status.lastError.contains(QLatin1StringView("given up")),
                 qPrintable(status.lastError));
        QCOMPARE(rig.zkb.requestCount(), 3);
        QVERIFY(test::queuedKillmails(rig.db.database()).isEmpty());
    }

    void aBadRangeIsReported()
    {
        Rig rig(m_backend);
        ZkillboardBackfillSettings settings = rig.settings();
        settings.startDate = lastDay;
        settings.endDate = firstDay;
        QVERIFY(rig.run(settings));
        QCOMPARE(rig.backfill->status().state, SourceState::Stopped);
        QVERIFY(rig.backfill->status().lastError.startsWith(QLatin1StringView("cannot start: ")));
        QCOMPARE(rig.zkb.requestCount(), 0);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    TestZkbBackfill test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_zkb_backfill.moc"
