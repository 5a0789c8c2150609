// The RedisQ live source against a fake RedisQ server over loopback, queueing into a real database.
#include "CoroTest.h"
#include "FakeRedisq.h"
#include "Fixtures.h"
#include "NetworkFaults.h"
#include "TestDatabase.h"
#include "net/HttpClient.h"
#include "sources/KillmailSink.h"
#include "sources/RedisqSource.h"

#include <QCoroTimer>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <memory>

using namespace km;
using namespace std::chrono_literals;

using Answer = test::FakeRedisq::Answer;

namespace {

const QString listenPath = QStringLiteral("/listen.php");
const QString objectPath = QStringLiteral("/object.php");

/// A source wired to a real database, its own HTTP client and the fake, all on the test thread.
struct Harness {
    Harness(test::TestDatabase& database, const RedisqSettings& settings,
            HttpSettings httpSettings = HttpSettings{test::userAgent, 5s})
        : db(database)
        , sink(db.database())
        , http(std::move(httpSettings))
        , source(settings, SourceContext{sink, http})
        , changes(&source, &Source::statusChanged)
    {
    }

    [[nodiscard]] qint64 jobs() { return db.rowCount(QStringLiteral("jobs")); }
    /// Every error the source reported, in order.
    [[nodiscard]] QStringList errors() const
    {
        QStringList reported;
        qint64 counted = 0;
        for (const QList<QVariant>& change : changes) {
            const auto status = change.front().value<SourceStatus>();
            if (status.errors > counted) {
                counted = status.errors;
                reported.append(status.lastError);
            }
        }
        return reported;
    }
    [[nodiscard]] bool wentThrough(SourceState state) const
    {
        return std::any_of(changes.begin(), changes.end(), [state](const QList<QVariant>& change) {
            return change.front().value<SourceStatus>().state == state;
        });
    }
    /// Generous, but far shorter than the long timeouts and backoffs that tests of a prompt stop set.
    void stop()
    {
        QSignalSpy stopped(&source, &Source::stopped);
        source.stop();
        QVERIFY(!source.isRunning() || !stopped.isEmpty() || stopped.wait(30000));
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;
    /// A test that failed half-way leaves no coroutine behind to outlive the source.
    ~Harness() { stop(); }

    test::TestDatabase& db;
    KillmailSink sink;
    HttpClient http;
    RedisqSource source;
    QSignalSpy changes;
};

/// The job queued for a killmail, and the priority it was queued at.
struct QueuedJob {
    KillmailJob job;
    int priority = -1;
};

std::optional<QueuedJob> queuedJob(test::TestDatabase& db, KillmailId id)
{
    QSqlQuery query = db.database().exec(
        QStringLiteral(R"(SELECT "payload", "priority" FROM jobs WHERE "queue" = 'killmail' AND "dedupKey" = ?)"),
        {QString::number(id)});
    if (!query.next()) {
        return std::nullopt;
    }
    QString error;
    std::optional<KillmailJob> job = KillmailJob::fromPayload(query.value(0).toByteArray(), error);
    if (!job) {
        qWarning() << error;
        return std::nullopt;
    }
    return QueuedJob{*job, query.value(1).toInt()};
}

std::vector<test::EsiFixture> fixtures(std::size_t count)
{
    std::vector<test::EsiFixture> all = test::allEsiFixtures();
    all.resize(std::min(count, all.size()));
    return all;
}

/// Queues `count` real kills as current packages (without the killmail) on `queueId`, and returns them.
std::vector<test::EsiFixture> pushReferences(test::FakeRedisq& fake, const QString& queueId, std::size_t count)
{
    std::vector<test::EsiFixture> kills = fixtures(count);
    for (const auto& kill : kills) {
        fake.push(queueId, test::FakeRedisq::packageWithoutKillmail(kill));
    }
    return kills;
}

QJsonObject withKillId(const test::EsiFixture& fixture, const QJsonValue& killId)
{
    QJsonObject package = test::FakeRedisq::packageWithoutKillmail(fixture);
    package.insert(QStringLiteral("killID"), killId);
    return package;
}

} // namespace

class RedisqTest : public QObject {
    Q_OBJECT
public:
    explicit RedisqTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    static RedisqSettings settings(const test::FakeRedisq& fake)
    {
        RedisqSettings settings;
        settings.baseUrl = fake.url();
        settings.queueId = QStringLiteral("test-queue");
        settings.ttw = 1;
        settings.requestTimeout = 3s; // the fake holds a quiet poll for its ttw
        settings.minPollInterval = 20ms;
        settings.backoffInitial = 50ms;
        settings.backoffMax = 200ms;
        return settings;
    }

    static void verifyQueuedAsReference(test::TestDatabase& db, const test::EsiFixture& fixture)
    {
        const std::optional<QueuedJob> queued = queuedJob(db, fixture.killmailId);
        QVERIFY(queued);
        QCOMPARE(queued->job.hash, fixture.hash);
        QCOMPARE(queued->job.source, QStringLiteral("redisq"));
        QVERIFY(queued->job.esiBody.isEmpty());
        QCOMPARE(queued->priority, int(Priority::High));
    }

    Backend m_backend;
    /// Shared by the tests that need nothing special of it (a new database per test takes too long on PostgreSQL).
    std::unique_ptr<test::TestDatabase> m_db;

private Q_SLOTS:
    void initTestCase() { m_db = std::make_unique<test::TestDatabase>(m_backend); }
    void init() { m_db->database().exec(QStringLiteral("DELETE FROM jobs")); }
    void cleanupTestCase() { m_db.reset(); }

    void queuesPackagesWithAndWithoutTheKillmail()
    {
        test::FakeRedisq fake;
        RedisqSettings odd = settings(fake);
        odd.queueId = QStringLiteral("kill feed #1&ttw=9"); // reaches the server as it is, not as more parameters
        const auto kills = fixtures(4);
        fake.push(odd.queueId, test::FakeRedisq::packageWithKillmail(kills[0]));
        fake.push(odd.queueId, test::FakeRedisq::packageWithoutKillmail(kills[1]));
        fake.push(odd.queueId, test::FakeRedisq::packageWithKillmail(kills[2]));
        fake.push(odd.queueId, test::FakeRedisq::packageWithoutKillmail(kills[3]));
        Harness harness(*m_db, odd);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(4), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(harness.source.status().state, SourceState::Waiting, 30000);
        for (const auto& embedded : {kills[0], kills[2]}) {
            const std::optional<QueuedJob> queued = queuedJob(harness.db, embedded.killmailId);
            QVERIFY(queued);
            QCOMPARE(queued->job.hash, embedded.hash);
            QCOMPARE(queued->job.source, QStringLiteral("redisq"));
            QCOMPARE(queued->priority, int(Priority::High));
            QCOMPARE(QJsonDocument::fromJson(queued->job.esiBody), QJsonDocument::fromJson(embedded.body));
        }
        verifyQueuedAsReference(harness.db, kills[1]);
        verifyQueuedAsReference(harness.db, kills[3]);

        const SourceStatus& status = harness.source.status();
        QCOMPARE(status.received, qint64(4));
        QCOMPARE(status.queued, qint64(4));
        QCOMPARE(status.errors, qint64(0));
        QCOMPARE(status.lastKillmailId, kills[3].killmailId);
        QCOMPARE(status.detail, QStringLiteral("queue kill feed #1&ttw=9, last kill %1").arg(kills[3].killmailId));
        QVERIFY(harness.wentThrough(SourceState::Running));
        harness.stop();

        // Every poll asked for this queue with ttw and was redirected; the packages only came by following it.
        QCOMPARE(fake.waiting(odd.queueId), 0);
        int polls = 0;
        for (const auto& request : fake.requests()) {
            if (request.route() == listenPath) {
                const QUrlQuery query(QUrl(request.path));
                QCOMPARE(query.queryItemValue(QStringLiteral("queueID"), QUrl::FullyDecoded), odd.queueId);
                QCOMPARE(query.allQueryItemValues(QStringLiteral("ttw")), QStringList{QStringLiteral("1")});
                QCOMPARE(request.status, 302);
                ++polls;
            }
        }
        QVERIFY(polls >= 5);
        QVERIFY(fake.requestsTo(objectPath) >= 5);
    }

    void pollsKeepTheirPace()
    {
        test::FakeRedisq fake;
        RedisqSettings paced = settings(fake);
        paced.minPollInterval = 200ms;
        const auto kills = pushReferences(fake, paced.queueId, 3);
        Harness harness(*m_db, paced);
        harness.source.start();
        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(3), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(fake.requestsFor(listenPath).size() >= 6, 30000); // then quiet polls
        QCOMPARE(harness.source.status().state, SourceState::Waiting);
        QCOMPARE(harness.source.status().errors, qint64(0));
        QCOMPARE(harness.source.status().detail,
                 QStringLiteral("queue test-queue, last kill %1").arg(kills.back().killmailId));

        // As the fake received them: a poll answered with a kill goes out again 200 ms after it was sent (so only the
        // trips of the first and the last, allowed 100 ms, shorten the span of the three); one held for its ttw comes
        // after the answer, 1 s later (less what a coarse timer may fire early).
        const QList<test::FakeHttpServer::Request> polls = fake.requestsFor(listenPath);
        const auto span = polls[3].receivedAt - polls[0].receivedAt;
        QVERIFY2(span >= 3 * 200ms - 100ms, qPrintable(QString::number(span / 1ms)));
        for (qsizetype i = 4; i < polls.size(); ++i) {
            const auto spacing = polls[i].receivedAt - polls[i - 1].receivedAt;
            QVERIFY2(spacing >= 950ms, qPrintable(QString::number(spacing / 1ms)));
        }

        harness.stop();
    }

    void failuresAreReportedAndTheSourceRecovers_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<QString>("reported");
        QTest::addColumn<bool>("firstLost");
        QTest::addColumn<int>("times");

        const auto answer = [](int status, const QByteArray& body, Answer::Mode mode = Answer::Normal) {
            return Answer{status, body, {}, mode};
        };
        const QByteArray package = R"({"package": {"killID": 1, "zkb": {"hash": "abc"}}})";
        QTest::newRow("403 with an explanation")
            << listenPath << answer(403, test::FakeRedisq::errorBody(QStringLiteral("You are rate limited, go away")))
            << QStringLiteral("403 Forbidden (You are rate limited, go away)") << false << 1;
        QTest::newRow("429 without Retry-After")
            << listenPath << answer(429, {}) << QStringLiteral("429") << false << 1;
        QTest::newRow("500") << listenPath << answer(500, "boom") << QStringLiteral("500 Internal Server Error (boom)")
                             << false << 1;
        QTest::newRow("503") << listenPath << answer(503, {}) << QStringLiteral("503") << false << 1;
        QTest::newRow("hang") << listenPath << answer(200, {}, Answer::Hang) << QStringLiteral("timeout") << false << 1;
        // Qt asks again by itself once when a connection closes without an answer.
        QTest::newRow("dropped") << listenPath << answer(200, {}, Answer::Drop) << QStringLiteral("network error")
                                 << false << 2;
        QTest::newRow("truncated") << listenPath << answer(200, package, Answer::Truncate) << QStringLiteral("cut off")
                                   << false << 1;
        QTest::newRow("garbage") << listenPath << answer(200, "<html>Bad gateway</html>")
                                 << QStringLiteral("malformed JSON") << false << 1;
        QTest::newRow("empty body") << listenPath << answer(200, {}) << QStringLiteral("empty body") << false << 1;
        QTest::newRow("not a RedisQ answer")
            << listenPath << answer(200, R"({"packages": []})") << QStringLiteral("not a RedisQ answer") << false << 1;
        // The server took the package off the queue and will not hand it again: the object is asked for again.
        QTest::newRow("truncated object")
            << objectPath << answer(200, package, Answer::Truncate) << QStringLiteral("cut off") << false << 1;
        QTest::newRow("object gone") << objectPath << answer(404, test::FakeRedisq::errorBody(QStringLiteral("gone")))
                                     << QStringLiteral("404 Not Found (gone)") << true << 1;
    }

    void failuresAreReportedAndTheSourceRecovers()
    {
        QFETCH(QString, path);
        QFETCH(Answer, answer);
        QFETCH(QString, reported);
        QFETCH(bool, firstLost);
        QFETCH(int, times);

        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        const auto kills = fixtures(2);
        for (int i = 0; i < times; ++i) {
            fake.script(path, answer);
        }
        fake.push(redisq.queueId, test::FakeRedisq::packageWithoutKillmail(kills[0]));
        fake.push(redisq.queueId, test::FakeRedisq::packageWithKillmail(kills[1]));
        Harness harness(*m_db, redisq);
        harness.source.start();

        QTRY_VERIFY_WITH_TIMEOUT(queuedJob(harness.db, kills[1].killmailId).has_value(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(harness.source.status().state, SourceState::Waiting, 30000);
        QCOMPARE(queuedJob(harness.db, kills[0].killmailId).has_value(), !firstLost);
        const QStringList errors = harness.errors();
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.front().contains(reported), qPrintable(errors.front()));
        QVERIFY(harness.wentThrough(SourceState::BackingOff));
        QVERIFY(harness.source.isRunning());
        harness.stop();
    }

    void tooManyRequestsWaitsForRetryAfter()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        fake.script(
            listenPath,
            Answer{
                429, test::FakeRedisq::errorBody(QStringLiteral("Slow down")), {{"Retry-After", "1"}}, Answer::Normal});
        fake.push(redisq.queueId, test::FakeRedisq::packageWithoutKillmail(fixtures(1).front()));
        Harness harness(*m_db, redisq);
        QElapsedTimer clock;
        clock.start();
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(1), 30000);
        // The backoff alone would have asked again after about 50 ms.
        QVERIFY2(clock.elapsed() >= 950, qPrintable(QString::number(clock.elapsed())));
        const auto requests = fake.requests();
        QCOMPARE(requests[0].status, 429);
        QCOMPARE(requests[1].route(), listenPath);
        QCOMPARE(requests[1].status, 302);
        QVERIFY(harness.source.status().lastError.contains(QStringLiteral("429 Too Many Requests (Slow down)")));
        harness.stop();
    }

    void malformedPackagesAreReportedAndCounted()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        const auto kills = fixtures(2);
        QJsonObject noHash = test::FakeRedisq::packageWithoutKillmail(kills[0]);
        noHash.remove(QStringLiteral("zkb"));
        QJsonObject badHash = test::FakeRedisq::packageWithoutKillmail(kills[0]);
        badHash.insert(QStringLiteral("zkb"), QJsonObject{{QStringLiteral("hash"), QStringLiteral("xyz")}});
        QJsonObject noId = test::FakeRedisq::packageWithoutKillmail(kills[0]);
        noId.remove(QStringLiteral("killID"));
        const QList<QPair<QJsonValue, QString>> malformed{
            {QJsonValue(5), QStringLiteral("rejected a package: expected an object or null")},
            {noId, QStringLiteral("rejected a package: killID: required field is missing")},
            {withKillId(kills[0], QStringLiteral("123")), QStringLiteral("killID: expected an integer, got a string")},
            {withKillId(kills[0], 1.5), QStringLiteral("killID: expected an integer, got 1.5")},
            {withKillId(kills[0], -5), QStringLiteral("killID: must be a positive killmail id")},
            {noHash, QStringLiteral("zkb.hash: required field is missing")},
            {badHash, QStringLiteral("zkb.hash: 'xyz' is not a killmail hash")},
        };
        for (const auto& [package, reported] : malformed) {
            fake.push(redisq.queueId, package);
        }
        fake.push(redisq.queueId, test::FakeRedisq::packageWithoutKillmail(kills[1]));
        Harness harness(*m_db, redisq);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(1), 30000);
        verifyQueuedAsReference(harness.db, kills[1]);
        const QStringList errors = harness.errors();
        QCOMPARE(errors.size(), malformed.size());
        for (qsizetype i = 0; i < malformed.size(); ++i) {
            QVERIFY2(errors[i].contains(malformed[i].second), qPrintable(errors[i]));
        }
        QCOMPARE(harness.source.status().errors, qint64(malformed.size()));
        // A bad package is the server's answer, not its failure: no backoff, the next poll goes out at once.
        QVERIFY(!harness.wentThrough(SourceState::BackingOff));
        harness.stop();
    }

    void anUnusableEmbeddedKillmailIsFetchedFromEsiInstead()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        const auto kills = fixtures(3);
        QJsonObject garbled = test::FakeRedisq::packageWithKillmail(kills[0]);
        garbled.insert(QStringLiteral("killmail"), QJsonObject{{QStringLiteral("victim"), 7}});
        QJsonObject otherKill = test::FakeRedisq::packageWithKillmail(kills[2]);
        otherKill.insert(QStringLiteral("killID"), qint64(kills[1].killmailId));
        otherKill.insert(QStringLiteral("zkb"),
                         test::FakeRedisq::packageWithoutKillmail(kills[1]).value(QStringLiteral("zkb")));
        fake.push(redisq.queueId, garbled);
        fake.push(redisq.queueId, otherKill);
        Harness harness(*m_db, redisq);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(2), 30000);
        verifyQueuedAsReference(harness.db, kills[0]);
        verifyQueuedAsReference(harness.db, kills[1]);
        const QStringList errors = harness.errors();
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors[0].startsWith(QStringLiteral("package %1: killmail").arg(kills[0].killmailId)),
                 qPrintable(errors[0]));
        QVERIFY2(errors[1].contains(
                     QStringLiteral("killmail_id %1 differs from the package's killID").arg(kills[2].killmailId)),
                 qPrintable(errors[1]));
        for (const QString& error : errors) {
            QVERIFY2(error.endsWith(QStringLiteral("queued by ID and hash, for the processor to fetch from ESI")),
                     qPrintable(error));
        }
        harness.stop();
    }

    void aFaultyServerIsReportedAndPolledAgainWhenItMends_data()
    {
        QTest::addColumn<Answer>("fault");
        QTest::addColumn<QString>("reported");
        for (const test::NetworkFault& fault : test::networkFaults()) {
            // The source follows a poll's redirect itself, once: a second one is an error of its own.
            const QString reported =
                fault.answer.mode == Answer::RedirectLoop ? QStringLiteral("302 Found") : fault.reported;
            QTest::newRow(qPrintable(fault.name)) << fault.answer << reported;
        }
    }

    void aFaultyServerIsReportedAndPolledAgainWhenItMends()
    {
        QFETCH(Answer, fault);
        QFETCH(QString, reported);

        test::FakeRedisq fake;
        fake.setDripInterval(100ms);
        const RedisqSettings redisq = settings(fake);
        fake.setFault(listenPath, fault);
        const auto kills = pushReferences(fake, redisq.queueId, 1);
        Harness harness(*m_db, redisq, test::boundedHttpSettings(test::userAgent, 1s));
        harness.source.start();
        QTRY_VERIFY_WITH_TIMEOUT(harness.errors().size() >= 2, 30000); // polled again, and failed again
        const QString error = harness.errors().back();
        QVERIFY2(error.contains(QRegularExpression(reported)) && error.contains(listenPath), qPrintable(error));
        QVERIFY(harness.source.isRunning());
        QCOMPARE(fake.waiting(redisq.queueId), 1); // no fault took the kill away

        fake.clearFaults();
        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(1), 30000);
        verifyQueuedAsReference(*m_db, kills.front());
        harness.stop();
        QCOMPARE(fake.overlappingPolls(), 0);
    }

    void neverTwoPollsInFlight()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        fake.holdAnswers(60ms);
        fake.script(listenPath, Answer{500, {}, {}, Answer::Normal});
        fake.script(listenPath, Answer{200, {}, {}, Answer::Hang});
        fake.script(listenPath, Answer{200, "{", {}, Answer::Truncate});
        const auto kills = fixtures(3);
        for (const auto& kill : kills) {
            fake.push(redisq.queueId, test::FakeRedisq::packageWithoutKillmail(kill));
        }
        Harness harness(*m_db, redisq);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(3), 30000);
        const qsizetype polled = fake.requestsFor(listenPath).size();
        QTRY_VERIFY_WITH_TIMEOUT(fake.requestsFor(listenPath).size() >= polled + 2, 30000); // quiet polls too
        harness.stop();
        QCOMPARE(harness.errors().size(), 3);
        QCOMPARE(fake.overlappingPolls(), 0);
    }

    void everyRedirectIsFollowedBeforeTheNextPoll()
    {
        // The server hands a queue each kill once, behind a redirect. Held answers make a poll and its object
        // together take longer than the request timeout, each alone less: the object must still be fetched (it was
        // lost when the client followed redirects itself, under one timeout), and never beside a new poll.
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        fake.holdAnswers(700ms);
        const auto kills = pushReferences(fake, redisq.queueId, 6);
        Harness harness(*m_db, redisq);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(kills.size()), 30000);
        harness.stop();
        QCOMPARE(fake.requestsTo(objectPath), int(kills.size()));
        QCOMPARE(fake.overlappingPolls(), 0);
        QVERIFY2(harness.errors().isEmpty(), qPrintable(harness.errors().join(QLatin1Char('\n'))));
    }

    void aFailedObjectIsAskedForAgain()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        fake.script(objectPath, Answer{503, {}, {}, Answer::Normal});
        fake.script(objectPath, Answer{200, {}, {}, Answer::Hang});
        fake.script(objectPath, Answer{200, "{\"package\": {", {}, Answer::Truncate});
        const auto kills = pushReferences(fake, redisq.queueId, 2);
        Harness harness(*m_db, redisq);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(harness.jobs(), qint64(kills.size()), 30000);
        harness.stop();
        for (const auto& kill : kills) {
            verifyQueuedAsReference(*m_db, kill);
        }
        QCOMPARE(harness.errors().size(), 3);
        QVERIFY(harness.errors().front().contains(QLatin1StringView("asking for the kill again")));
    }

    void theFakeRefusesASecondPollInFlight()
    {
        test::FakeRedisq fake;
        fake.holdAnswers(300ms);
        HttpClient http(HttpSettings{test::userAgent, 5s});
        QUrl url = joinUrl(fake.url(), listenPath);
        url.setQuery(QStringLiteral("queueID=q&ttw=1"));
        const auto both = [&]() -> QCoro::Task<> {
            QCoro::Task<HttpReply> first = http.get(url);
            co_await QCoro::sleepFor(50ms);
            const HttpReply second = co_await http.get(url);
            KM_CO_COMPARE(second.status.httpStatus, 429);
            const HttpReply firstReply = co_await first;
            KM_CO_COMPARE(firstReply.status.httpStatus, 200);
        };
        KM_CO_RUN(both());
        QCOMPARE(fake.overlappingPolls(), 1);
    }

    void stopEndsAWaitingPollAtOnce()
    {
        test::FakeRedisq fake;
        RedisqSettings patient = settings(fake);
        patient.requestTimeout = 600s; // far beyond what stop() waits
        fake.script(listenPath, Answer{200, {}, {}, Answer::Hang});
        Harness harness(*m_db, patient);
        harness.source.start();
        QTRY_COMPARE_WITH_TIMEOUT(fake.requestsTo(listenPath), 1, 30000);

        harness.stop();
        QCOMPARE(harness.source.status().state, SourceState::Stopped);
        QCOMPARE(harness.source.status().errors, qint64(0));
        QCOMPARE(fake.requestsTo(listenPath), 1);
    }

    void stopEndsABackoffAtOnce()
    {
        test::FakeRedisq fake;
        RedisqSettings slow = settings(fake);
        slow.backoffInitial = 600s; // far beyond what stop() waits
        slow.backoffMax = 600s;
        fake.script(listenPath, Answer{503, {}, {}, Answer::Normal});
        Harness harness(*m_db, slow);
        harness.source.start();
        QTRY_COMPARE_WITH_TIMEOUT(harness.source.status().state, SourceState::BackingOff, 30000);
        QVERIFY(harness.source.status().backoffUntil > QDateTime::currentDateTimeUtc().addSecs(100));

        harness.stop();
        QCOMPARE(harness.source.status().state, SourceState::Stopped);
    }

    void refusesToStartWithBadSettings_data()
    {
        QTest::addColumn<QString>("queueId");
        QTest::addColumn<int>("ttw");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<QString>("reported");

        QTest::newRow("no queueID") << QString() << 1 << 1200 << QStringLiteral("no RedisQ queueID is configured");
        QTest::newRow("blank queueID") << QStringLiteral("  ") << 1 << 1200
                                       << QStringLiteral("no RedisQ queueID is configured (REDISQ_ID)");
        QTest::newRow("ttw 0") << QStringLiteral("q") << 0 << 1200 << QStringLiteral("ttw must be 1 to 10 seconds");
        QTest::newRow("ttw 11") << QStringLiteral("q") << 11 << 20000 << QStringLiteral("ttw must be 1 to 10 seconds");
        QTest::newRow("timeout within ttw")
            << QStringLiteral("q") << 10 << 10000 << QStringLiteral("the request timeout (10000 ms) must exceed ttw");
    }

    void refusesToStartWithBadSettings()
    {
        QFETCH(QString, queueId);
        QFETCH(int, ttw);
        QFETCH(int, timeoutMs);
        QFETCH(QString, reported);

        test::FakeRedisq fake;
        RedisqSettings bad = settings(fake);
        bad.queueId = queueId;
        bad.ttw = ttw;
        bad.requestTimeout = std::chrono::milliseconds(timeoutMs);
        Harness harness(*m_db, bad);
        QSignalSpy stopped(&harness.source, &Source::stopped);
        harness.source.start();

        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 30000);
        QVERIFY(!harness.source.isRunning());
        QCOMPARE(harness.source.status().state, SourceState::Stopped);
        QCOMPARE(harness.source.status().errors, qint64(1));
        QVERIFY2(harness.source.status().lastError.startsWith(QStringLiteral("cannot start: ") + reported),
                 qPrintable(harness.source.status().lastError));
        QCOMPARE(fake.requestCount(), 0); // it has stopped: none can come later
    }

    void aRefusingDatabaseHoldsThePackageUntilItIsQueued()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        const auto kill = fixtures(1).front();
        test::TestDatabase refusing(m_backend); // its trigger must not outlive the test
        Harness harness(refusing, redisq);
        harness.db.failInserts(QStringLiteral("jobs"), QStringLiteral("1 = 1"), QStringLiteral("disk full"));
        fake.push(redisq.queueId, test::FakeRedisq::packageWithoutKillmail(kill));
        harness.source.start();

        QTRY_VERIFY_WITH_TIMEOUT(harness.source.status().errors >= 2, 30000);
        QCOMPARE(harness.source.status().state, SourceState::BackingOff);
        QVERIFY(harness.source.status().backoffUntil.isValid()); // the console shows until when
        QVERIFY(harness.source.status().lastError.contains(QStringLiteral("disk full")));
        // The package is in hand: no further poll until it is queued.
        QCOMPARE(fake.requestsTo(listenPath), 1);
        harness.db.allowInserts(QStringLiteral("jobs"));
        QTRY_VERIFY_WITH_TIMEOUT(queuedJob(harness.db, kill.killmailId).has_value(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(harness.source.status().state, SourceState::Waiting, 30000);

        harness.stop();
    }

    void stoppingWhileTheDatabaseRefusesNamesTheKillmailLeftOut()
    {
        test::FakeRedisq fake;
        const RedisqSettings redisq = settings(fake);
        const auto kill = fixtures(1).front();
        test::TestDatabase refusing(m_backend); // its trigger must not outlive the test
        Harness harness(refusing, redisq);
        harness.db.failInserts(QStringLiteral("jobs"), QStringLiteral("1 = 1"), QStringLiteral("disk full"));
        fake.push(redisq.queueId, test::FakeRedisq::packageWithoutKillmail(kill));
        harness.source.start();
        QTRY_COMPARE_WITH_TIMEOUT(harness.source.status().state, SourceState::BackingOff, 30000);

        harness.stop();
        QCOMPARE(harness.source.status().lastError,
                 QStringLiteral("killmail %1 was not queued before the source stopped: queue it by hand "
                                "(queue:add killmail %1 %2)")
                     .arg(kill.killmailId)
                     .arg(kill.hash));
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    RedisqTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_redisq.moc"
