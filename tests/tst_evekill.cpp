// EVE-KILL's WebSocket feed (EveKillWsSource) and its export backfill (EveKillBackfill), against fakes of both over
// real sockets, queuing into a real database. The killmails are the real fixtures, turned into EVE-KILL documents.
#include "FakeEveKill.h"
#include "Fixtures.h"
#include "NetworkFaults.h"
#include "TestDatabase.h"
#include "net/HttpClient.h"
#include "queue/KillmailJobs.h"
#include "sources/EveKillBackfill.h"
#include "sources/EveKillWsSource.h"
#include "sources/KillmailSink.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailWriter.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QWebSocket>

using namespace km;
using namespace std::chrono_literals;

namespace {

const QString exportRoute = QStringLiteral("/api/export/killmails");
const QString ping = QStringLiteral(R"({"type":"ping"})");
const QString pong = QStringLiteral(R"({"type":"pong"})");

/// What a source runs with, on the test thread: a fresh database, its sink and an HTTP client.
struct Bench {
    explicit Bench(Backend backend, HttpSettings httpSettings = HttpSettings{test::userAgent, 3s})
        : db(backend)
        , sink(db.database())
        , http(std::move(httpSettings))
    {
    }

    SourceContext context() { return {sink, http}; }

    /// The `killmail` queue's jobs by killmail ID, each with the priority it was queued at.
    QMap<KillmailId, KillmailJob> jobs()
    {
        QMap<KillmailId, KillmailJob> jobs;
        QSqlQuery query = db.database().exec(QStringLiteral("SELECT payload, priority FROM jobs WHERE queue = ?"),
                                             {KillmailJobs::queueName});
        while (query.next()) {
            QString error;
            std::optional<KillmailJob> job = KillmailJob::fromPayload(query.value(0).toString().toUtf8(), error);
            if (!job) {
                qWarning("unreadable job: %s", qPrintable(error));
                continue;
            }
            job->priority = Priority(query.value(1).toInt());
            jobs.insert(job->killmailId, *job);
        }
        return jobs;
    }

    test::TestDatabase db;
    KillmailSink sink;
    HttpClient http;
};

/// Stops the source should a test leave early, so that no coroutine of it outlives it.
class StopOnExit {
public:
    explicit StopOnExit(Source& source)
        : m_source(source)
    {
    }
    ~StopOnExit()
    {
        if (m_source.isRunning()) {
            QSignalSpy stopped(&m_source, &Source::stopped);
            m_source.stop();
            if (stopped.isEmpty()) {
                stopped.wait(5000);
            }
        }
    }
    StopOnExit(const StopOnExit&) = delete;
    StopOnExit& operator=(const StopOnExit&) = delete;

private:
    Source& m_source;
};

QString stateOf(const Source& source) { return sourceStateName(source.status().state); }
/// The feed confirmed the source's subscription.
bool subscribed(const Source& source) { return source.status().detail.startsWith(QLatin1StringView("subscribed to ")); }
QString stateName(SourceState state) { return sourceStateName(state); }

} // namespace

class EveKillTest : public QObject {
    Q_OBJECT
public:
    explicit EveKillTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    static EveKillWsSettings feedSettings(const QUrl& url)
    {
        EveKillWsSettings settings;
        settings.url = url;
        // Far longer than stopPromptly() waits: a stop that waited for one of them fails.
        settings.connectTimeout = 60s;
        settings.keepaliveAfter = 60s;
        settings.silenceTimeout = 120s;
        settings.healthyAfter = 120s;
        settings.backoffInitial = 100ms;
        settings.backoffMax = 5s;
        return settings;
    }

    /// The filter most export tests use: an alliance and a character, together in about 65 fixtures.
    static EveKillBackfillSettings exportSettings(const test::FakeEveKillExport& fake)
    {
        EveKillBackfillSettings settings;
        settings.baseUrl = fake.url();
        settings.alliances = {1182801433};
        settings.characters = {495572827};
        settings.pageSize = 10;
        settings.backoffInitial = 50ms;
        settings.backoffMax = 200ms;
        return settings;
    }

    /// The fixtures the settings' filter selects (victim or attacker), found through the parsed killmails.
    QMap<KillmailId, QString> selected(const EveKillBackfillSettings& settings) const
    {
        const auto listed = [](const QList<qint64>& ids, const std::optional<EntityId>& id) {
            return id && ids.contains(*id);
        };
        const auto matches = [&](const auto& party) {
            return listed(settings.characters, party.characterId) || listed(settings.corporations, party.corporationId)
                || listed(settings.alliances, party.allianceId);
        };
        QMap<KillmailId, QString> found;
        for (const Killmail& killmail : m_killmails) {
            if (!killmail.hash.isEmpty()
                && (matches(killmail.victim)
                    || std::any_of(killmail.attackers.begin(), killmail.attackers.end(), matches))) {
                found.insert(killmail.killmailId, killmail.hash);
            }
        }
        return found;
    }

    /// Starts `source` and waits until it stops by itself.
    static void runToEnd(Source& source)
    {
        QSignalSpy stopped(&source, &Source::stopped);
        source.start();
        QVERIFY(!stopped.isEmpty() || stopped.wait(20000));
    }

    /// Stops `source` and checks that it ended without waiting out what it was waiting for (each test sets those
    /// waits far longer than this generous limit).
    static void stopPromptly(Source& source)
    {
        QSignalSpy stopped(&source, &Source::stopped);
        source.stop();
        QVERIFY(!stopped.isEmpty() || stopped.wait(30000));
        QVERIFY(!source.isRunning());
        QCOMPARE(stateOf(source), stateName(SourceState::Stopped));
    }

    static void compareJobs(const QMap<KillmailId, KillmailJob>& jobs, const QMap<KillmailId, QString>& expected,
                            const QString& source, Priority priority)
    {
        QCOMPARE(jobs.keys(), expected.keys());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
            const KillmailJob job = jobs.value(it.key());
            QCOMPARE(job.hash, it.value());
            QCOMPARE(job.source, source);
            QCOMPARE(int(job.priority), int(priority));
            QVERIFY(job.esiBody.isEmpty());
        }
    }

    /// Runs a backfill with `settings` until it has handed over `done` killmails, then stops it.
    void runUntil(Bench& bench, const EveKillBackfillSettings& settings, qint64 done)
    {
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        connect(&backfill, &Source::statusChanged, &backfill, [&backfill, done](const SourceStatus& status) {
            if (status.done >= done) {
                backfill.stop();
            }
        });
        runToEnd(backfill);
        QCOMPARE(stateOf(backfill), stateName(SourceState::Stopped));
        QCOMPARE(backfill.status().done, done);
    }

    Backend m_backend;
    std::vector<test::EsiFixture> m_fixtures;
    /// The same, parsed, for the tests' own reckoning of what a filter selects.
    std::vector<Killmail> m_killmails;
    /// The same as EVE-KILL documents, for the fake export.
    QList<QJsonObject> m_documents;

private Q_SLOTS:
    void initTestCase()
    {
        m_fixtures = test::allEsiFixtures();
        QVERIFY(m_fixtures.size() > 100);
        m_killmails = test::allFixtureKillmails();
        for (const test::EsiFixture& fixture : m_fixtures) {
            m_documents.append(test::eveKillDocument(fixture));
        }
    }

    // A connection that failed must not be sent a closing handshake: Qt warns of the socket it no longer has.
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral("QSocketNotifier"))); }

    // --- the WebSocket feed ---

    void feedAnswersPingsAndQueuesBothMessageShapesOnce()
    {
        test::FakeEveKillFeed feed;
        Bench bench(m_backend);
        EveKillWsSource source(feedSettings(feed.url()), bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        QCOMPARE(stateOf(source), stateName(SourceState::Running));
        QCOMPARE(feed.received(), QStringList{QStringLiteral("all")});
        QCOMPARE(feed.userAgent(), test::userAgent.toUtf8());
        QCOMPARE(feed.requestPath(), QStringLiteral("/killmails"));
        QVERIFY2(source.status().detail.contains(QLatin1StringView("subscribed to all")),
                 qPrintable(source.status().detail));
        feed.sendPing();
        QTRY_COMPARE_WITH_TIMEOUT(feed.receivedCount(pong), 1, 30000);
        feed.sendPing();
        QTRY_COMPARE_WITH_TIMEOUT(feed.receivedCount(pong), 2, 30000);

        QMap<KillmailId, QString> sent;
        for (std::size_t index = 0; index < 6; ++index) {
            const test::EsiFixture& fixture = m_fixtures[index];
            feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(fixture), index % 2 == 0));
            sent.insert(fixture.killmailId, fixture.hash);
        }
        // The same kill again, in the other shape: counted, not queued twice.
        feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(m_fixtures[0]), false));
        QTRY_COMPARE_WITH_TIMEOUT(source.status().received, qint64(7), 30000);
        compareJobs(bench.jobs(), sent, QStringLiteral("ekws"), Priority::High);
        QCOMPARE(source.status().queued, qint64(6));
        QCOMPARE(source.status().lastKillmailId, m_fixtures[0].killmailId);
        QCOMPARE(source.status().errors, qint64(0));
        stopPromptly(source);
        QCOMPARE(feed.connectionCount(), 1);
    }

    void feedSubscribesToTopics()
    {
        test::FakeEveKillFeed feed;
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.topics = {QStringLiteral("character:2117381670"), QStringLiteral("region:10000002")};
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        QCOMPARE(
            feed.received(),
            QStringList{QStringLiteral(R"({"topics":["character:2117381670","region:10000002"],"type":"subscribe"})")});
        QCOMPARE(feed.subscribedTopics(), settings.topics);
        QVERIFY2(source.status().detail.contains(QLatin1StringView("character:2117381670, region:10000002")),
                 qPrintable(source.status().detail));
        feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(m_fixtures[3])));
        QTRY_COMPARE_WITH_TIMEOUT(bench.jobs().keys(), QList<KillmailId>{m_fixtures[3].killmailId}, 30000);
        stopPromptly(source);
    }

    void feedRefusesUnknownTopics()
    {
        QVERIFY(EveKillWsSource::topicsProblem({}).isEmpty());
        QVERIFY(EveKillWsSource::topicsProblem({QStringLiteral("all"), QStringLiteral("corporation:98000001"),
                                                QStringLiteral("alliance:99000001"), QStringLiteral("system:30000142")})
                    .isEmpty());
        for (const QString& bad :
             {QStringLiteral("pilot:5"), QStringLiteral("character:"), QStringLiteral("character:0"),
              QStringLiteral("character:12,alliance:3"), QStringLiteral(" all"), QString()}) {
            QVERIFY2(EveKillWsSource::topicsProblem({bad}).contains(QStringLiteral("\"%1\"").arg(bad)),
                     qPrintable(bad));
        }

        test::FakeEveKillFeed feed;
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.topics = {QStringLiteral("character:1"), QStringLiteral("pilot:5")};
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        runToEnd(source);
        QVERIFY2(source.status().lastError.contains(QLatin1StringView("unknown topic \"pilot:5\"")),
                 qPrintable(source.status().lastError));
        QCOMPARE(stateOf(source), stateName(SourceState::Stopped));
        QTRY_COMPARE_WITH_TIMEOUT(feed.connectionCount(), 0, 30000);
    }

    void feedRejectsMalformedMessagesAndStaysConnected()
    {
        test::FakeEveKillFeed feed;
        Bench bench(m_backend);
        EveKillWsSource source(feedSettings(feed.url()), bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);

        const QString hash = m_fixtures[0].hash;
        const QList<QPair<QString, QString>> malformed{
            {QStringLiteral("this is not JSON"), QStringLiteral("not JSON")},
            {QStringLiteral("[1,2,3]"), QStringLiteral("not a JSON object")},
            {QStringLiteral(R"({"data":{}})"), QStringLiteral("without a type")},
            {QStringLiteral(R"({"type":7})"), QStringLiteral("without a type")},
            {QStringLiteral(R"({"type":"killmail"})"), QStringLiteral("data: expected a killmail document")},
            {QStringLiteral(R"({"type":"killmail","data":{"killmail":[1]}})"),
             QStringLiteral("data.killmail: expected a killmail document")},
            {QStringLiteral(R"({"type":"killmail","data":{"killmail":{"killmail_id":"12","killmail_hash":"%1"}}})")
                 .arg(hash),
             QStringLiteral("killmail_id: expected a positive integer, got the string \"12\"")},
            {QStringLiteral(R"({"type":"killmail","data":{"killmail_id":-5,"killmail_hash":"%1"}})").arg(hash),
             QStringLiteral("killmail_id: expected a positive integer")},
            {QStringLiteral(R"({"type":"killmail","data":{"killmail_id":1.5,"killmail_hash":"%1"}})").arg(hash),
             QStringLiteral("killmail_id: expected a positive integer")},
            {QStringLiteral(R"({"type":"killmail","data":{"killmail":{"killmail_id":123}}})"),
             QStringLiteral("killmail 123: killmail_hash")},
            {QStringLiteral(R"({"type":"killmail","data":{"killmail_id":123,"killmail_hash":"xyz"}})"),
             QStringLiteral("killmail_hash: expected 40 hexadecimal digits, got the string \"xyz\"")},
            {QStringLiteral(R"({"type":"error","message":"Invalid topics: foo"})"),
             QStringLiteral("the server reports: Invalid topics: foo")},
            {QStringLiteral(R"({"type":"mystery"})"), QStringLiteral("unknown type \"mystery\"")},
        };
        qint64 errors = 0;
        for (const auto& [message, expected] : malformed) {
            feed.sendText(message);
            ++errors;
            QTRY_COMPARE_WITH_TIMEOUT(source.status().errors, errors, 30000);
            QVERIFY2(source.status().lastError.contains(expected), qPrintable(source.status().lastError));
        }
        feed.sendBinary(QByteArrayLiteral("\x01\x02\x03"));
        ++errors;
        QTRY_COMPARE_WITH_TIMEOUT(source.status().errors, errors, 30000);
        QVERIFY2(source.status().lastError.contains(QLatin1StringView("binary message of 3 bytes")),
                 qPrintable(source.status().lastError));

        feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(m_fixtures[1])));
        QTRY_COMPARE_WITH_TIMEOUT(bench.jobs().keys(), QList<KillmailId>{m_fixtures[1].killmailId}, 30000);
        QCOMPARE(feed.connectionCount(), 1);
        QCOMPARE(feed.openConnections(), 1);
        QCOMPARE(stateOf(source), stateName(SourceState::Running));
    }

    void feedReconnectsWithGrowingBackoff()
    {
        test::FakeEveKillFeed feed;
        feed.setDropNewConnections(true);
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.backoffInitial = 150ms;
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(feed.connectionCount() >= 4, 30000);
        const QList<qint64> times = feed.connectionTimes();
        const QList<qint64> gaps{times[1] - times[0], times[2] - times[1], times[3] - times[2]};
        const QString shown =
            QStringLiteral("gaps between connections: %1, %2, %3 ms").arg(gaps[0]).arg(gaps[1]).arg(gaps[2]);
        QVERIFY2(gaps[0] >= 120, qPrintable(shown));
        QVERIFY2(gaps[1] > gaps[0] * 1.2, qPrintable(shown));
        QVERIFY2(gaps[2] > gaps[1] * 1.2, qPrintable(shown));
        QVERIFY(source.status().errors >= 3);
        QVERIFY2(source.status().lastError.contains(feed.url().toDisplayString()),
                 qPrintable(source.status().lastError));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(source), stateName(SourceState::BackingOff), 30000);
        QVERIFY(source.status().backoffUntil > QDateTime::currentDateTimeUtc());
        stopPromptly(source); // in the middle of a wait of more than half a second
    }

    void feedBackoffStartsAgainAfterAHealthyConnection()
    {
        test::FakeEveKillFeed feed;
        feed.setDropNewConnections(true);
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.backoffInitial = 300ms;
        settings.healthyAfter = 200ms;
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(feed.connectionCount() >= 3, 30000); // the next wait is about 1.2 s
        feed.setDropNewConnections(false);
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        QCOMPARE(feed.connectionCount(), 4);
        // The waits the source chooses, read as each begins: what a loaded machine does to the reconnection's timing
        // does not change them.
        std::vector<qint64> waits;
        connect(&source, &Source::statusChanged, &source, [&waits](const SourceStatus& status) {
            if (status.state == SourceState::BackingOff && status.backoffUntil.isValid()) {
                waits.push_back(QDateTime::currentDateTimeUtc().msecsTo(status.backoffUntil));
            }
        });
        QTest::qWait(300); // longer than healthyAfter
        feed.dropAll();
        QTRY_COMPARE_WITH_TIMEOUT(feed.connectionCount(), 5, 30000);
        QVERIFY(!waits.empty());
        // 300 ms (± 20%) after the reset; without it the wait would be at least 1.9 s (2.4 s ± 20%).
        QVERIFY2(waits.front() >= 200 && waits.front() <= 400,
                 qPrintable(QStringLiteral("waited %1 ms before reconnecting").arg(waits.front())));
    }

    void feedReconnectsWhenTheServerFallsSilent()
    {
        test::FakeEveKillFeed feed;
        feed.setSilent(true);
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.keepaliveAfter = 150ms;
        settings.silenceTimeout = 500ms;
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(feed.connectionCount() >= 2, 30000);
        const qint64 lasted = feed.connectionTimes()[1] - feed.connectionTimes()[0];
        QVERIFY2(lasted >= 500,
                 qPrintable(QStringLiteral("the silent connection was given up after %1 ms").arg(lasted)));
        QVERIFY2(source.status().lastError.contains(QLatin1StringView("nothing received for 0.5 s")),
                 qPrintable(source.status().lastError));
        QVERIFY(feed.receivedCount(ping) >= 2); // it asked before giving up
        stopPromptly(source);
    }

    void feedStaysWithAServerThatDropsClientsNotAnsweringPings()
    {
        test::FakeEveKillFeed feed;
        feed.setPingInterval(100ms);
        Bench bench(m_backend);
        EveKillWsSource source(feedSettings(feed.url()), bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(feed.receivedCount(pong) >= 5, 30000);
        QCOMPARE(feed.droppedForSilence(), 0);
        QCOMPARE(feed.connectionCount(), 1);

        // The fake is strict: a client that does not answer is dropped at the next ping.
        QWebSocket silent;
        QNetworkRequest request(feed.url());
        request.setHeader(QNetworkRequest::UserAgentHeader, test::userAgent);
        QSignalSpy closed(&silent, &QWebSocket::disconnected);
        silent.open(request);
        QVERIFY(closed.wait(30000));
        QCOMPARE(feed.droppedForSilence(), 1);
        QCOMPARE(source.status().errors, qint64(0));
    }

    void feedRefusesAHandshakeWithoutAProperUserAgent()
    {
        test::FakeEveKillFeed feed;
        QWebSocket client;
        QSignalSpy closed(&client, &QWebSocket::disconnected);
        client.open(feed.url()); // Qt's own User-Agent, no contact
        QVERIFY(closed.wait(30000));
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY2(client.closeReason().contains(QLatin1StringView("User-Agent")), qPrintable(client.closeReason()));
    }

    void feedEndsAConnectionThatSendsAGiganticMessageAndReconnects()
    {
        test::FakeEveKillFeed feed;
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.maxMessageBytes = 64 * 1024;
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        feed.sendText(QString(1024 * 1024, QLatin1Char('x')));
        QTRY_VERIFY_WITH_TIMEOUT(feed.connectionCount() == 2 && feed.openConnections() == 1, 30000);
        // Qt ends it (1009: too much data) before the message is whole, and it is reported as our limit's doing.
        QVERIFY2(source.status().lastError.contains(
                     QLatin1StringView("a message from the server was larger than the 65536 bytes allowed (code 1009")),
                 qPrintable(source.status().lastError));

        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(m_fixtures[0])));
        QTRY_COMPARE_WITH_TIMEOUT(int(bench.jobs().size()), 1, 30000);
    }

    void feedKeepsAQuietServerThatAnswersPings()
    {
        test::FakeEveKillFeed feed; // sends no pings of its own, but answers ours
        Bench bench(m_backend);
        EveKillWsSettings settings = feedSettings(feed.url());
        settings.keepaliveAfter = 100ms;
        settings.silenceTimeout = 500ms;
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        // Pings for longer than the silence timeout, and still the first connection.
        QTRY_VERIFY_WITH_TIMEOUT(feed.receivedCount(ping) >= 8, 30000);
        QCOMPARE(feed.connectionCount(), 1);
        QCOMPARE(source.status().errors, qint64(0));
    }

    void feedGivesUpOnAHandshakeThatHangs()
    {
        test::FakeEveKillExport http; // an HTTP server that never upgrades: hangs first, then answers 404
        http.script(QStringLiteral("/killmails"), {200, {}, {}, test::FakeHttpServer::Answer::Hang});
        Bench bench(m_backend);
        QUrl url = http.url();
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/killmails"));
        EveKillWsSettings settings = feedSettings(url);
        settings.connectTimeout = 300ms;
        QStringList errors; // outlives the source, which reports its last status when stopped
        EveKillWsSource source(settings, bench.context());
        StopOnExit guard(source);
        connect(&source, &Source::statusChanged, &source, [&errors](const SourceStatus& status) {
            if (!status.lastError.isEmpty() && (errors.isEmpty() || errors.back() != status.lastError)) {
                errors.append(status.lastError);
            }
        });
        QElapsedTimer clock;
        clock.start();
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(http.requestsTo(QStringLiteral("/killmails")) >= 3, 30000);
        QVERIFY(clock.elapsed() >= 300);
        QVERIFY(errors.size() >= 2);
        QVERIFY2(errors[0].contains(QLatin1StringView("no connection within 0.3 s")), qPrintable(errors[0]));
        QVERIFY2(errors[1] != errors[0], qPrintable(errors[1])); // the refused upgrade
        QVERIFY(source.isRunning());
    }

    void feedStopsAtOnceWhileConnecting()
    {
        test::FakeEveKillExport http;
        http.script(QStringLiteral("/killmails"), {200, {}, {}, test::FakeHttpServer::Answer::Hang});
        Bench bench(m_backend);
        QUrl url = http.url();
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/killmails"));
        EveKillWsSource source(feedSettings(url), bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(http.requestCount(), 1, 30000);
        QCOMPARE(stateOf(source), stateName(SourceState::Starting));
        stopPromptly(source);
    }

    void feedKeepsKillmailsTheDatabaseRefused()
    {
        test::FakeEveKillFeed feed;
        Bench bench(m_backend);
        EveKillWsSource source(feedSettings(feed.url()), bench.context());
        StopOnExit guard(source);
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(subscribed(source), 30000);
        bench.db.failInserts(QStringLiteral("jobs"), QStringLiteral("NEW.queue = 'killmail'"),
                             QStringLiteral("disk is full"));
        feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(m_fixtures[0])));
        QTRY_VERIFY_WITH_TIMEOUT(source.status().errors >= 1, 30000);
        QVERIFY2(source.status().lastError.contains(QLatin1StringView("disk is full")),
                 qPrintable(source.status().lastError));
        feed.sendText(test::eveKillKillmailMessage(test::eveKillDocument(m_fixtures[1]), false));
        QTRY_VERIFY_WITH_TIMEOUT(source.status().errors >= 3, 30000); // refused again, after the second came
        QCOMPARE(bench.jobs().size(), 0);
        bench.db.allowInserts(QStringLiteral("jobs"));
        QList<KillmailId> both{m_fixtures[0].killmailId, m_fixtures[1].killmailId};
        std::sort(both.begin(), both.end());
        QTRY_COMPARE_WITH_TIMEOUT(bench.jobs().keys(), both, 30000);
        QCOMPARE(feed.connectionCount(), 1);
    }

    // --- the export backfill ---

    void exportPagesThroughTheFilteredKillmails()
    {
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        Bench bench(m_backend);
        const EveKillBackfillSettings settings = exportSettings(fake);
        const QMap<KillmailId, QString> expected = selected(settings);
        QVERIFY(expected.size() > 30);
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        runToEnd(backfill);

        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        compareJobs(bench.jobs(), expected, QStringLiteral("backfill:eve-kill"), Priority::Normal);
        QList<qint64> pages;
        for (qint64 skip = 0; skip < expected.size(); skip += 10) {
            pages.append(skip);
        }
        QCOMPARE(fake.skips(), pages);
        const test::FakeHttpServer::Request first = fake.requests().front();
        QCOMPARE(first.method, QByteArray("POST"));
        QCOMPARE(first.header("User-Agent"), test::userAgent.toUtf8());
        QCOMPARE(QJsonDocument::fromJson(first.body).object(),
                 QJsonDocument::fromJson(R"({"filter": {"alliance_ids": [1182801433], "character_ids": [495572827]},
                                             "options": {"limit": 10, "skip": 0}})")
                     .object());
        const SourceStatus& status = backfill.status();
        QCOMPARE(status.received, qint64(expected.size()));
        QCOMPARE(status.queued, qint64(expected.size()));
        QCOMPARE(status.done, qint64(expected.size()));
        QCOMPARE(status.total, qint64(expected.size()));
        QCOMPARE(status.errors, qint64(0));
        const QJsonObject cursor =
            QJsonDocument::fromJson(bench.sink.state().cursor(EveKillBackfill::sourceName).value_or(QString()).toUtf8())
                .object();
        QCOMPARE(cursor.value(QLatin1StringView("skip")).toInteger(), qint64(expected.size()));
        QCOMPARE(cursor.value(QLatin1StringView("filter")).toString(), backfill.filterFingerprint());
    }

    void exportCountsOneErrorPerRefusedPage()
    {
        // While the database refuses, the first page is asked for again and again: each refusal is one error (it
        // was counted twice, once by deliver() and once more by backOff()), and once the database takes it every
        // kill is queued once.
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        Bench bench(m_backend);
        const EveKillBackfillSettings settings = exportSettings(fake);
        const QMap<KillmailId, QString> expected = selected(settings);
        bench.db.failInserts(QStringLiteral("jobs"), QStringLiteral("NEW.queue = 'killmail'"),
                             QStringLiteral("disk is full"));
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        QSignalSpy stopped(&backfill, &Source::stopped);
        backfill.start();
        QTRY_VERIFY_WITH_TIMEOUT(fake.skips().size() >= 4, 30000);
        QVERIFY2(backfill.status().lastError.contains(QLatin1StringView("disk is full")),
                 qPrintable(backfill.status().lastError));
        bench.db.allowInserts(QStringLiteral("jobs"));
        QVERIFY(stopped.wait(30000));

        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        compareJobs(bench.jobs(), expected, QStringLiteral("backfill:eve-kill"), Priority::Normal);
        const qint64 firstPageAsked = fake.skips().count(0);
        QVERIFY(firstPageAsked >= 4);
        QCOMPARE(backfill.status().errors, firstPageAsked - 1); // every ask of the first page but the last
    }

    void exportFollowsTheServersShorterPages()
    {
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        fake.setMaxLimit(4); // fewer than asked for, with hasMore
        Bench bench(m_backend);
        const EveKillBackfillSettings settings = exportSettings(fake);
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        runToEnd(backfill);
        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        const QMap<KillmailId, QString> expected = selected(settings);
        compareJobs(bench.jobs(), expected, QStringLiteral("backfill:eve-kill"), Priority::Normal);
        QCOMPARE(fake.skips().size(), int((expected.size() + 3) / 4));
        QCOMPARE(fake.skips()[1], qint64(4));
    }

    void exportSkipsStoredKillmails()
    {
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        Bench bench(m_backend);
        const EveKillBackfillSettings settings = exportSettings(fake);
        QMap<KillmailId, QString> expected = selected(settings);
        test::FixedPrices prices;
        const auto writer = KillmailWriter::create(bench.db.database(), StaticData::bundled());
        for (const KillmailId stored : {expected.firstKey(), expected.lastKey()}) {
            writer->write({test::valued(test::fixtureKillmail(stored), prices)});
            expected.remove(stored);
        }
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        runToEnd(backfill);
        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        compareJobs(bench.jobs(), expected, QStringLiteral("backfill:eve-kill"), Priority::Normal);
        QCOMPARE(backfill.status().received, qint64(expected.size() + 2));
        QCOMPARE(backfill.status().queued, qint64(expected.size()));
    }

    void exportResumesAtTheSavedPageAndStartsOverForAnotherFilter()
    {
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        Bench bench(m_backend);
        EveKillBackfillSettings settings = exportSettings(fake);
        runUntil(bench, settings, 20);
        QCOMPARE(fake.skips(), (QList<qint64>{0, 10}));
        QCOMPARE(bench.jobs().size(), 20);

        fake.clearLog();
        {
            settings.characters = {495572827, 495572827}; // the same filter, written otherwise
            EveKillBackfill resumed(settings, bench.context());
            StopOnExit guard(resumed);
            runToEnd(resumed);
            QCOMPARE(stateOf(resumed), stateName(SourceState::Finished));
            QCOMPARE(fake.skips().front(), qint64(20));
            QCOMPARE(resumed.status().received, qint64(selected(settings).size() - 20));
        }
        compareJobs(bench.jobs(), selected(settings), QStringLiteral("backfill:eve-kill"), Priority::Normal);

        fake.clearLog();
        settings.corporations = {1616074553};
        EveKillBackfill other(settings, bench.context());
        StopOnExit guard(other);
        runToEnd(other);
        QCOMPARE(stateOf(other), stateName(SourceState::Finished));
        QCOMPARE(fake.skips().front(), qint64(0));
        compareJobs(bench.jobs(), selected(settings), QStringLiteral("backfill:eve-kill"), Priority::Normal);

        EveKillBackfillSettings a;
        a.characters = {3, 1, 2, 1};
        a.alliances = {7};
        EveKillBackfillSettings b;
        b.alliances = {7};
        b.characters = {1, 2, 3};
        EveKillBackfillSettings c = b;
        c.corporations = {7};
        const EveKillBackfill first(a, bench.context());
        const EveKillBackfill second(b, bench.context());
        const EveKillBackfill third(c, bench.context());
        QCOMPARE(first.filterFingerprint(), second.filterFingerprint());
        QVERIFY(first.filterFingerprint() != third.filterFingerprint());
        QCOMPARE(first.filter(), QJsonDocument::fromJson(R"({"alliance_ids":[7],"character_ids":[1,2,3]})").object());
    }

    void exportAsksForAFaultyPageUntilItMends_data() { test::addNetworkFaultRows(); }

    void exportAsksForAFaultyPageUntilItMends()
    {
        QFETCH(test::FakeHttpServer::Answer, fault);
        QFETCH(QString, reported);

        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        fake.setDripInterval(100ms);
        fake.setFault(exportRoute, fault);
        Bench bench(m_backend, test::boundedHttpSettings(test::userAgent, 1s));
        const EveKillBackfillSettings settings = exportSettings(fake);
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        backfill.start();
        QTRY_VERIFY_WITH_TIMEOUT(backfill.status().errors >= 2, 60000); // asked again, and failed again
        const QString error = backfill.status().lastError;
        QVERIFY2(error.contains(QRegularExpression(reported)) && error.contains(exportRoute), qPrintable(error));
        QVERIFY(backfill.isRunning());

        fake.clearFaults();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(backfill), stateName(SourceState::Finished), 120000);
        compareJobs(bench.jobs(), selected(settings), QStringLiteral("backfill:eve-kill"), Priority::Normal);
    }

    void exportRetriesFailedPages()
    {
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        using Answer = test::FakeHttpServer::Answer;
        fake.script(exportRoute,
                    {429,
                     test::FakeHttpServer::errorBody(QStringLiteral("slow down")),
                     {{"Retry-After", "1"}},
                     Answer::Normal});
        fake.script(exportRoute, {503, test::FakeHttpServer::errorBody(QStringLiteral("busy")), {}, Answer::Normal});
        fake.script(exportRoute, {200, QByteArrayLiteral(R"({"data": [{"killmail_id": 1)"), {}, Answer::Truncate});
        fake.script(exportRoute, {200, {}, {}, Answer::Drop});
        fake.script(exportRoute, {200, {}, {}, Answer::Hang});
        fake.script(exportRoute, {200, QByteArrayLiteral("<html>oops</html>"), {}, Answer::Normal});
        fake.script(exportRoute, {200, QByteArrayLiteral(R"({"data": "none"})"), {}, Answer::Normal});
        Bench bench(m_backend);
        const EveKillBackfillSettings settings = exportSettings(fake);
        QList<qint64> waits; // each backoff announced, in milliseconds
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        connect(&backfill, &Source::statusChanged, &backfill, [&waits](const SourceStatus& status) {
            if (status.state == SourceState::BackingOff && status.backoffUntil.isValid()) {
                waits.append(QDateTime::currentDateTimeUtc().msecsTo(status.backoffUntil));
            }
        });
        runToEnd(backfill);
        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        const QMap<KillmailId, QString> expected = selected(settings);
        compareJobs(bench.jobs(), expected, QStringLiteral("backfill:eve-kill"), Priority::Normal);
        const QList<qint64> skips = fake.skips();
        QCOMPARE(skips.mid(0, 8), QList<qint64>(8, 0)); // seven failures, then the page
        QCOMPARE(skips[8], qint64(10));
        // Qt sends a request once more by itself when the connection drops before any answer: that one met the hang.
        QCOMPARE(backfill.status().errors, qint64(6));
        QCOMPARE(waits.size(), 6);
        QVERIFY2(waits[0] >= 950, qPrintable(QStringLiteral("waited %1 ms after Retry-After: 1").arg(waits[0])));
        for (qsizetype index = 1; index < waits.size(); ++index) {
            QVERIFY2(waits[index] <= 200, qPrintable(QStringLiteral("waited %1 ms").arg(waits[index])));
        }
        QVERIFY2(backfill.status().lastError.contains(QLatin1StringView("expected {\"data\": [killmails...]}")),
                 qPrintable(backfill.status().lastError));
    }

    void exportStopsUnfinishedOnMalformedPagesAndResumesLater()
    {
        test::FakeEveKillExport fake;
        fake.setKillmails(m_documents);
        Bench bench(m_backend);
        EveKillBackfillSettings settings = exportSettings(fake);
        settings.malformedRetries = 2;
        runUntil(bench, settings, 10);

        fake.clearLog();
        for (int attempt = 0; attempt < 3; ++attempt) {
            fake.script(exportRoute,
                        {200, QByteArrayLiteral(R"({"data": [)"), {}, test::FakeHttpServer::Answer::Normal});
        }
        {
            EveKillBackfill broken(settings, bench.context());
            StopOnExit guard(broken);
            runToEnd(broken);
            QCOMPARE(stateOf(broken), stateName(SourceState::Stopped));
            QVERIFY2(broken.status().lastError.contains(
                         QLatin1StringView("stopped unfinished (a re-run resumes after the first 10 killmail(s))")),
                     qPrintable(broken.status().lastError));
            QCOMPARE(fake.skips(), (QList<qint64>{10, 10, 10}));
        }
        QCOMPARE(bench.jobs().size(), 10);

        fake.clearLog();
        EveKillBackfill resumed(settings, bench.context());
        StopOnExit guard(resumed);
        runToEnd(resumed);
        QCOMPARE(stateOf(resumed), stateName(SourceState::Finished));
        QCOMPARE(fake.skips().front(), qint64(10));
        compareJobs(bench.jobs(), selected(settings), QStringLiteral("backfill:eve-kill"), Priority::Normal);
    }

    void exportRejectsBadDocumentsAndKeepsTheRest()
    {
        test::FakeEveKillExport fake;
        Bench bench(m_backend);
        const EveKillBackfillSettings settings = exportSettings(fake);
        const QMap<KillmailId, QString> expected = selected(settings);
        QJsonObject broken = test::eveKillDocument(test::esiFixture(expected.firstKey()));
        broken.insert(QStringLiteral("killmail_id"), 42);
        broken.insert(QStringLiteral("killmail_hash"), QStringLiteral("not-a-hash"));
        fake.setKillmails(QList<QJsonObject>{broken} + m_documents);
        EveKillBackfill backfill(settings, bench.context());
        StopOnExit guard(backfill);
        runToEnd(backfill);
        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        compareJobs(bench.jobs(), expected, QStringLiteral("backfill:eve-kill"), Priority::Normal);
        QCOMPARE(backfill.status().errors, qint64(1));
        QVERIFY2(backfill.status().lastError.contains(QLatin1StringView("document 0: killmail 42: killmail_hash")),
                 qPrintable(backfill.status().lastError));
        QCOMPARE(backfill.status().done, qint64(expected.size() + 1));
    }

    void exportReadsABareArrayOfDocuments()
    {
        test::FakeEveKillExport fake;
        const QJsonArray page{test::eveKillDocument(m_fixtures[0]), test::eveKillDocument(m_fixtures[1])};
        fake.script(exportRoute, {200, QJsonDocument(page).toJson(), {}, test::FakeHttpServer::Answer::Normal});
        Bench bench(m_backend);
        EveKillBackfill backfill(exportSettings(fake), bench.context());
        StopOnExit guard(backfill);
        runToEnd(backfill);
        QCOMPARE(stateOf(backfill), stateName(SourceState::Finished));
        QCOMPARE(fake.requestCount(), 1);
        compareJobs(bench.jobs(),
                    {{m_fixtures[0].killmailId, m_fixtures[0].hash}, {m_fixtures[1].killmailId, m_fixtures[1].hash}},
                    QStringLiteral("backfill:eve-kill"), Priority::Normal);
    }

    void exportStopsWhenTheServerRefusesTheFilter()
    {
        test::FakeEveKillExport fake;
        fake.script(exportRoute,
                    {400,
                     test::FakeHttpServer::errorBody(QStringLiteral("alliance_ids[0] must be a positive integer")),
                     {},
                     test::FakeHttpServer::Answer::Normal});
        Bench bench(m_backend);
        EveKillBackfill refused(exportSettings(fake), bench.context());
        StopOnExit guard(refused);
        runToEnd(refused);
        QCOMPARE(stateOf(refused), stateName(SourceState::Stopped));
        QCOMPARE(fake.requestCount(), 1);
        QVERIFY2(refused.status().lastError.contains(QLatin1StringView("stopped unfinished")),
                 qPrintable(refused.status().lastError));
        QVERIFY2(refused.status().lastError.contains(QLatin1StringView("Bad Request")),
                 qPrintable(refused.status().lastError));

        EveKillBackfillSettings nothing;
        nothing.baseUrl = fake.url();
        EveKillBackfill empty(nothing, bench.context());
        StopOnExit emptyGuard(empty);
        runToEnd(empty);
        QVERIFY2(empty.status().lastError.contains(QLatin1StringView("not started")),
                 qPrintable(empty.status().lastError));
        QCOMPARE(fake.requestCount(), 1);
    }

    void exportStopsAtOnceWhileWaitingForAnAnswer()
    {
        test::FakeEveKillExport fake;
        fake.script(exportRoute, {200, {}, {}, test::FakeHttpServer::Answer::Hang});
        Bench bench(m_backend);
        EveKillBackfill backfill(exportSettings(fake), bench.context());
        StopOnExit guard(backfill);
        backfill.start();
        QTRY_COMPARE_WITH_TIMEOUT(fake.requestCount(), 1, 30000);
        stopPromptly(backfill);
        QCOMPARE(bench.jobs().size(), 0);
        QVERIFY(!bench.sink.state().cursor(EveKillBackfill::sourceName));
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    EveKillTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_evekill.moc"
