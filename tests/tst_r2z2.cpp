// R2Z2, zKillboard's live feed, followed over real sockets from a fake r2z2 host into a real database: the cursor
// and its restarts, waiting for records, refusals and failures, unreadable records, re-published kills, and gaps
// repaired from the history files.
#include "FakeRedisq.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "NetworkFaults.h"
#include "TestDatabase.h"

#include "net/HttpClient.h"
#include "sources/KillmailSink.h"
#include "sources/R2z2Source.h"
#include "sources/RedisqSource.h"
#include "sources/SourceHost.h"
#include "sources/SourceStateStore.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace km;
using namespace std::chrono_literals;

namespace {

const std::vector<test::EsiFixture>& fixtures()
{
    static const std::vector<test::EsiFixture> all = test::allEsiFixtures();
    return all;
}

QJsonObject objectOf(const QByteArray& json) { return QJsonDocument::fromJson(json).object(); }

QString recordPath(qint64 sequence) { return QStringLiteral("/ephemeral/%1.json").arg(sequence); }

/// The sequences of the record requests, in the order they came.
QList<qint64> recordsAskedFor(const test::FakeZkillboard& zkb)
{
    QList<qint64> sequences;
    for (const auto& request : zkb.requests()) {
        bool numeric = false;
        const qint64 sequence =
            request.route().section(QLatin1Char('/'), 2).section(QLatin1Char('.'), 0, 0).toLongLong(&numeric);
        if (request.route().startsWith(QLatin1StringView("/ephemeral/")) && numeric) {
            sequences << sequence;
        }
    }
    return sequences;
}

test::FakeHttpServer::Answer answer(int status, QByteArray body = {},
                                    test::FakeHttpServer::Answer::Mode mode = test::FakeHttpServer::Answer::Normal)
{
    return {status, std::move(body), {}, mode};
}

/// A database, the fake host and the source, all on the test thread.
struct Rig {
    /// A pause of 3 s is a timeout: a loaded machine does not make one where the test expects none.
    explicit Rig(Backend backend, HttpSettings httpSettings = HttpSettings{test::userAgent, 3s})
        : db(backend)
        , sink(db.database())
        , http(std::move(httpSettings))
    {
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;
    /// A test that failed half-way leaves its source running: it must end before what it uses goes.
    ~Rig()
    {
        if (source && source->isRunning()) {
            source->stop();
            if (!QTest::qWaitFor([this] { return !source->isRunning(); }, 5000)) {
                qFatal("the source did not stop within 5 s");
            }
        }
    }

    [[nodiscard]] R2z2Settings settings() const { return test::quickR2z2Settings(zkb); }

    void start(const R2z2Settings& settings)
    {
        source = std::make_unique<R2z2Source>(settings, SourceContext{sink, http});
        QObject::connect(source.get(), &Source::statusChanged, source.get(),
                         [this](const SourceStatus& status) { states << status.state; });
        source->start();
    }

    void stop()
    {
        source->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!source->isRunning(), 30000);
        QCOMPARE(source->status().state, SourceState::Stopped);
    }

    void saveCursor(const R2z2Cursor& cursor)
    {
        SourceStateStore(db.database()).saveCursor(R2z2Source::sourceName, cursor.toJson());
    }

    [[nodiscard]] std::optional<R2z2Cursor> cursor()
    {
        const std::optional<QString> saved = SourceStateStore(db.database()).cursor(R2z2Source::sourceName);
        QString problem;
        return saved ? R2z2Cursor::fromJson(*saved, problem) : std::nullopt;
    }

    [[nodiscard]] qint64 savedSequence()
    {
        const std::optional<R2z2Cursor> saved = cursor();
        return saved ? saved->sequence : -1;
    }

    [[nodiscard]] QMap<KillmailId, test::QueuedKillmail> queued() { return test::queuedKillmails(db.database()); }

    /// Publishes fixtures [first, first + count) and returns their sequences. The first batch is still ahead of
    /// sequence.json, which lags the head (it moves about every 51 kills) and so names the batch's first record.
    QList<qint64> publish(std::size_t first, std::size_t count)
    {
        QList<qint64> sequences;
        for (std::size_t i = first; i < first + count; ++i) {
            sequences << zkb.publish(fixtures()[i]);
        }
        if (first == 0) {
            zkb.setAnnouncedSequence(sequences.front());
        }
        return sequences;
    }

    test::TestDatabase db;
    KillmailSink sink;
    HttpClient http;
    test::FakeZkillboard zkb;
    std::unique_ptr<R2z2Source> source;
    QList<SourceState> states;
};

/// The job holds the fixture's killmail as the feed gave it: ID, hash, the whole ESI body, HIGH priority.
void compareLiveJob(const test::QueuedKillmail& queued, const test::EsiFixture& fixture)
{
    QCOMPARE(queued.job.killmailId, fixture.killmailId);
    QCOMPARE(queued.job.hash, fixture.hash);
    QCOMPARE(queued.job.source, QStringLiteral("r2z2"));
    QCOMPARE(objectOf(queued.job.esiBody), objectOf(fixture.body));
    QCOMPARE(queued.priority, Priority::High);
}

QDate todayUtc() { return QDateTime::currentDateTimeUtc().date(); }

} // namespace

class TestR2z2 : public QObject {
    Q_OBJECT
public:
    explicit TestR2z2(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void followsTheFeedFromSequenceJsonAndSavesTheCursor()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 10);
        R2z2Settings settings = rig.settings();
        settings.minRequestInterval = 50ms; // the real limit: 20 requests per second
        const QDateTime joined = QDateTime::currentDateTimeUtc().addSecs(-1);
        rig.start(settings);
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.source->status().state, SourceState::Waiting, 30000);

        const auto queued = rig.queued();
        QCOMPARE(queued.size(), 10);
        for (std::size_t i = 0; i < 10; ++i) {
            compareLiveJob(queued.value(fixtures()[i].killmailId), fixtures()[i]);
        }
        // sequence.json first, then each record once, in order, then the next one (not published yet) again.
        const auto requests = rig.zkb.requests();
        QCOMPARE(requests.front().route(), QStringLiteral("/ephemeral/sequence.json"));
        const QList<qint64> asked = recordsAskedFor(rig.zkb);
        QCOMPARE(asked.mid(0, 10), sequences);
        QVERIFY(asked.size() > 10);
        for (qsizetype i = 10; i < asked.size(); ++i) {
            QCOMPARE(asked[i], sequences.back() + 1);
        }
        for (const auto& request : requests) {
            QCOMPARE(request.header("User-Agent"), test::userAgent.toUtf8());
        }
        // At least 50 ms apart on average, as the fake received them: each is timed from when the one before was sent,
        // so only the trips of the first and the last (allowed 100 ms) shorten the span.
        const auto span = requests.back().receivedAt - requests.front().receivedAt;
        QVERIFY2(span >= (requests.size() - 1) * 50ms - 100ms, qPrintable(QString::number(span / 1ms)));

        // The fixtures' kills are years old: the moment the feed was joined is the latest time seen.
        const R2z2Cursor cursor = *rig.cursor();
        QVERIFY(cursor.seenUntil >= joined && cursor.seenUntil <= QDateTime::currentDateTimeUtc());
        QVERIFY(!cursor.repair);
        const SourceStatus status = rig.source->status();
        QCOMPARE(status.detail, QStringLiteral("sequence %1").arg(sequences.back()));
        QCOMPARE(status.received, qint64(10));
        QCOMPARE(status.queued, qint64(10));
        QCOMPARE(status.errors, qint64(0));
        rig.stop();
    }

    void withoutCursorStartsAtTheAnnouncedSequence()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 8);
        rig.zkb.setAnnouncedSequence(sequences[4]);
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        const auto queued = rig.queued();
        QCOMPARE(queued.size(), 4);
        for (std::size_t i = 4; i < 8; ++i) {
            compareLiveJob(queued.value(fixtures()[i].killmailId), fixtures()[i]);
        }
        QCOMPARE(recordsAskedFor(rig.zkb).front(), sequences[4]);
        for (const qint64 sequence : recordsAskedFor(rig.zkb)) {
            QVERIFY(sequence >= sequences[4]);
        }
        rig.stop();
    }

    void aRestartResumesRightAfterTheSavedCursor()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 10);
        R2z2Settings settings = rig.settings();
        settings.minRequestInterval = 100ms; // slow enough to stop it on the way
        rig.start(settings);
        QTRY_VERIFY_WITH_TIMEOUT(rig.savedSequence() >= sequences[2], 30000);
        rig.stop();
        const qint64 saved = rig.savedSequence();
        const qint64 receivedBefore = rig.source->status().received;
        QCOMPARE(receivedBefore, saved - sequences.front() + 1);
        QVERIFY2(saved < sequences.back(), "stopped too late to test a resume");
        rig.zkb.clearLog();

        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        // No sequence.json, nothing at or before the cursor asked for again, nothing handed over twice.
        QCOMPARE(rig.zkb.requests().front().route(), recordPath(saved + 1));
        for (const qint64 sequence : recordsAskedFor(rig.zkb)) {
            QVERIFY(sequence > saved);
        }
        QCOMPARE(receivedBefore + rig.source->status().received, qint64(10));
        const auto queued = rig.queued();
        QCOMPARE(queued.size(), 10);
        for (std::size_t i = 0; i < 10; ++i) {
            compareLiveJob(queued.value(fixtures()[i].killmailId), fixtures()[i]);
        }
        rig.stop();
    }

    void aFaultyFeedIsReportedAndFollowedAgainWhenItMends_data() { test::addNetworkFaultRows(); }

    void aFaultyFeedIsReportedAndFollowedAgainWhenItMends()
    {
        QFETCH(test::FakeHttpServer::Answer, fault);
        QFETCH(QString, reported);

        Rig rig(m_backend, test::boundedHttpSettings(test::userAgent, 1s));
        rig.zkb.setDripInterval(100ms);
        const QList<qint64> sequences = rig.publish(0, 2);
        rig.zkb.setFault(recordPath(sequences[0]), fault);
        rig.start(rig.settings());
        QTRY_VERIFY_WITH_TIMEOUT(rig.source->status().errors >= 2, 30000); // asked again, and failed again
        const QString error = rig.source->status().lastError;
        QVERIFY2(error.contains(QRegularExpression(reported)) && error.contains(recordPath(sequences[0])),
                 qPrintable(error));
        QVERIFY(rig.source->isRunning());
        QCOMPARE(rig.savedSequence(), sequences[0] - 1); // not past the record that failed

        rig.zkb.clearFaults();
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        QCOMPARE(rig.queued().size(), 2);
        rig.stop();
    }

    void waitsForTheNextRecordToBePublished()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 2);
        R2z2Settings settings = rig.settings();
        settings.notPublishedWait = 300ms;
        rig.start(settings);
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.source->status().state, SourceState::Waiting, 30000);
        const QString next = recordPath(sequences.back() + 1);
        QTRY_VERIFY_WITH_TIMEOUT(rig.zkb.requestsTo(next) >= 3, 30000);
        // Asked again every 300 ms, as the fake received the requests (less a margin for the trip).
        const QList<test::FakeHttpServer::Request> asked = rig.zkb.requestsFor(next);
        for (qsizetype i = 1; i < asked.size(); ++i) {
            const auto spacing = asked[i].receivedAt - asked[i - 1].receivedAt;
            QVERIFY2(spacing >= 270ms, qPrintable(QString::number(spacing / 1ms)));
        }

        const qint64 third = rig.zkb.publish(fixtures()[2]);
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), third, 30000);
        QCOMPARE(rig.queued().size(), 3);
        QCOMPARE(rig.source->status().errors, qint64(0)); // waiting is no error, and no gap
        rig.stop();
    }

    void honoursRetryAfter()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 1);
        test::FakeHttpServer::Answer tooMany =
            answer(429, test::FakeHttpServer::errorBody(QStringLiteral("slow down")));
        tooMany.headers = {{"Retry-After", "1"}};
        rig.zkb.script(recordPath(sequences[0]), tooMany);
        QElapsedTimer clock;
        clock.start();
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.queued().size(), 1, 30000);
        QVERIFY2(clock.elapsed() >= 950, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(rig.zkb.requestsTo(recordPath(sequences[0])), 2);
        QVERIFY(rig.source->status().lastError.contains(QLatin1StringView("429")));
        QVERIFY(rig.states.contains(SourceState::BackingOff));
        rig.stop();
    }

    void aRefusedUserAgentIsReportedAndTriedAgain()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 2);
        for (int i = 0; i < 2; ++i) {
            rig.zkb.script(recordPath(sequences[0]),
                           answer(403, test::FakeHttpServer::errorBody(QStringLiteral("Please set a User-Agent"))));
        }
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        const SourceStatus status = rig.source->status();
        QCOMPARE(status.errors, qint64(2));
        QVERIFY2(status.lastError.contains(QLatin1StringView("403"))
                     && status.lastError.contains(QLatin1StringView("refused the User-Agent")),
                 qPrintable(status.lastError));
        QCOMPARE(rig.zkb.requestsTo(recordPath(sequences[0])), 3);
        QCOMPARE(rig.queued().size(), 2);
        rig.stop();
    }

    void failedAnswersAreAskedAgainForTheSameRecord()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 3);
        const QString second = recordPath(sequences[1]);
        using Mode = test::FakeHttpServer::Answer::Mode;
        rig.zkb.script(second, answer(500, "oops"));
        rig.zkb.script(second, answer(503, "busy"));
        rig.zkb.script(second, answer(200, {}, Mode::Hang));
        rig.zkb.script(second, answer(200, rig.zkb.record(sequences[1]), Mode::Truncate));
        rig.zkb.script(second, answer(200, {}, Mode::Drop));
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);

        // Qt may send a request again by itself when a reused connection drops: at least one try per failure.
        QVERIFY(rig.zkb.requestsTo(second) >= 6);
        const QList<qint64> asked = recordsAskedFor(rig.zkb);
        QCOMPARE(asked.indexOf(sequences[2]), asked.lastIndexOf(sequences[1]) + 1); // never past a failed one
        QVERIFY(rig.source->status().errors >= 4);
        QCOMPARE(rig.source->status().received, qint64(3));
        const auto queued = rig.queued();
        for (std::size_t i = 0; i < 3; ++i) {
            compareLiveJob(queued.value(fixtures()[i].killmailId), fixtures()[i]);
        }
        rig.stop();
    }

    void anUnreadableAnswerIsAskedForAgain()
    {
        Rig rig(m_backend);
        const QList<qint64> sequences = rig.publish(0, 2);
        rig.zkb.script(recordPath(sequences[0]), answer(200, "{\"killmail_id\": 12, \"hash\": "));
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        const SourceStatus status = rig.source->status();
        QCOMPARE(status.errors, qint64(1));
        QVERIFY2(status.lastError.contains(QStringLiteral("sequence %1").arg(sequences[0])),
                 qPrintable(status.lastError));
        QCOMPARE(rig.queued().size(), 2);
        QVERIFY(!rig.cursor()->repair);
        rig.stop();
    }

    void aRecordThatStaysUnreadableIsSkippedAndItsKillRepairedFromTheHistory()
    {
        Rig rig(m_backend);
        const QDate yesterday = todayUtc().addDays(-1);
        const QList<qint64> sequences = rig.publish(0, 3);
        R2z2Cursor start;
        start.sequence = sequences[0] - 1;
        start.seenUntil = QDateTime(yesterday, QTime(12, 0), Qt::UTC);
        rig.saveCursor(start);
        const test::EsiFixture& lost = fixtures()[1];
        rig.zkb.addToHistory(lost, yesterday);
        const QByteArray withoutBody =
            QStringLiteral(R"({"killmail_id": %1, "hash": "%2"})").arg(lost.killmailId).arg(lost.hash).toUtf8();
        for (int i = 0; i < 3; ++i) {
            rig.zkb.script(recordPath(sequences[1]), answer(200, withoutBody));
        }
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), sequences.back(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.queued().size(), 3, 30000);

        QCOMPARE(rig.zkb.requestsTo(recordPath(sequences[1])), 3);
        const auto queued = rig.queued();
        compareLiveJob(queued.value(fixtures()[0].killmailId), fixtures()[0]);
        compareLiveJob(queued.value(fixtures()[2].killmailId), fixtures()[2]);
        // The skipped kill came from yesterday's history, with its body.
        const test::QueuedKillmail repaired = queued.value(lost.killmailId);
        QCOMPARE(repaired.priority, Priority::Normal);
        QCOMPARE(repaired.job.source, QStringLiteral("r2z2"));
        QCOMPARE(objectOf(repaired.job.esiBody), objectOf(lost.body));
        QCOMPARE(rig.zkb.requestsTo(test::FakeZkillboard::dayPath(yesterday, true)), 1);
        QTRY_COMPARE(rig.cursor()->repair->next, todayUtc()); // today's file is read again once it is complete
        QCOMPARE(rig.cursor()->repair->last, todayUtc());

        const SourceStatus status = rig.source->status();
        QCOMPARE(status.errors, qint64(3)); // two unreadable answers, then the skip
        QVERIFY2(status.lastError.contains(QStringLiteral("skipped sequence %1").arg(sequences[1]))
                     && status.lastError.contains(QLatin1StringView("esi (the killmail's ESI body) is missing")),
                 qPrintable(status.lastError));
        rig.stop();
    }

    void aRepublishedKillIsQueuedLikeAnyOther()
    {
        Rig rig(m_backend);
        const qint64 first = rig.zkb.publish(fixtures()[0]);
        rig.zkb.publish(fixtures()[1]);
        const qint64 again = rig.zkb.publish(fixtures()[0], first);
        const qint64 late = rig.zkb.publish(fixtures()[2], first - 100); // its first record is long gone
        QVERIFY(objectOf(rig.zkb.record(again)).contains(QLatin1StringView("sequence_updated")));
        R2z2Cursor start;
        start.sequence = first - 1;
        start.seenUntil = QDateTime(QDate(2003, 5, 6), QTime(0, 0), Qt::UTC); // before any fixture's kill
        rig.saveCursor(start);
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), late, 30000);
        QDateTime latestKill;
        for (std::size_t i = 0; i < 3; ++i) {
            latestKill = std::max(
                latestKill,
                QDateTime::fromString(objectOf(fixtures()[i].body).value(QLatin1StringView("killmail_time")).toString(),
                                      Qt::ISODate));
        }
        QCOMPARE(rig.cursor()->seenUntil, latestKill);
        const SourceStatus status = rig.source->status();
        QCOMPARE(status.received, qint64(4));
        QCOMPARE(status.queued, qint64(3));
        QCOMPARE(status.errors, qint64(0));
        const auto queued = rig.queued();
        QCOMPARE(queued.size(), 3);
        for (std::size_t i = 0; i < 3; ++i) {
            compareLiveJob(queued.value(fixtures()[i].killmailId), fixtures()[i]);
        }
        rig.stop();
    }

    void aGapIsReportedJumpedOverAndRepairedFromTheHistory()
    {
        Rig rig(m_backend);
        const QDate today = todayUtc();
        R2z2Cursor old;
        old.sequence = 1000;
        old.seenUntil = QDateTime(today.addDays(-2), QTime(12, 0), Qt::UTC);
        rig.saveCursor(old);
        const QList<qint64> live = rig.publish(0, 3);
        // The history: the day of the last kill seen, yesterday (no raw file: IDs and hashes only), and today.
        rig.zkb.addToHistory(fixtures()[10], today.addDays(-2));
        rig.zkb.addToHistory(fixtures()[11], today.addDays(-1));
        rig.zkb.addToHistory(fixtures()[12], today.addDays(-1));
        rig.zkb.removeRawDay(today.addDays(-1));
        rig.zkb.addToHistory(fixtures()[13], today);
        rig.zkb.addToHistory(fixtures()[14], today.addDays(-3)); // before the gap
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), live.back(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.queued().size(), 7, 30000);

        QCOMPARE(recordsAskedFor(rig.zkb).front(), qint64(1001));
        for (const qint64 sequence : recordsAskedFor(rig.zkb)) {
            QVERIFY(sequence == 1001 || sequence >= live.front());
        }
        const SourceStatus status = rig.source->status();
        QCOMPARE(status.errors, qint64(1));
        QVERIFY2(status.lastError.contains(QLatin1StringView("gap: sequence 1001 is gone")),
                 qPrintable(status.lastError));
        const auto queued = rig.queued();
        for (std::size_t i = 0; i < 3; ++i) {
            compareLiveJob(queued.value(fixtures()[i].killmailId), fixtures()[i]);
        }
        for (const std::size_t i : {10, 13}) {
            const test::QueuedKillmail repaired = queued.value(fixtures()[i].killmailId);
            QCOMPARE(repaired.priority, Priority::Normal);
            QCOMPARE(objectOf(repaired.job.esiBody), objectOf(fixtures()[i].body));
        }
        for (const std::size_t i : {11, 12}) {
            const test::QueuedKillmail repaired = queued.value(fixtures()[i].killmailId);
            QCOMPARE(repaired.priority, Priority::Normal);
            QCOMPARE(repaired.job.hash, fixtures()[i].hash);
            QVERIFY(repaired.job.esiBody.isEmpty());
        }
        QVERIFY(!queued.contains(fixtures()[14].killmailId));
        QTRY_COMPARE_WITH_TIMEOUT(rig.cursor()->repair->next, today, 30000);
        QCOMPARE(rig.source->status().detail,
                 QStringLiteral("sequence %1; repairing a gap from the history: %2")
                     .arg(live.back())
                     .arg(today.toString(Qt::ISODate)));
        rig.stop();

        // A restart goes on with the repair where it was: today, not the days already read.
        rig.zkb.clearLog();
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.zkb.requestsTo(test::FakeZkillboard::dayPath(today, true)), 1, 30000);
        QCOMPARE(rig.zkb.requestsTo(test::FakeZkillboard::dayPath(today.addDays(-2), true)), 0);
        QCOMPARE(rig.zkb.requestsTo(test::FakeZkillboard::dayPath(today.addDays(-1), true)), 0);
        QCOMPARE(rig.zkb.requestsTo(test::FakeZkillboard::dayPath(today.addDays(-1), false)), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!recordsAskedFor(rig.zkb).isEmpty(), 30000);
        QCOMPARE(recordsAskedFor(rig.zkb).front(), live.back() + 1);
        rig.stop();
    }

    void aCursorFarAheadOfTheFeedIsReportedAndLeft()
    {
        Rig rig(m_backend);
        const QList<qint64> live = rig.publish(0, 2);
        R2z2Cursor elsewhere; // from a renumbered feed, or another one
        elsewhere.sequence = live.back() + 100;
        elsewhere.seenUntil = QDateTime(todayUtc(), QTime(0, 0), Qt::UTC);
        rig.saveCursor(elsewhere);
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), live.back(), 30000);
        QCOMPARE(rig.queued().size(), 2);
        QVERIFY2(
            rig.source->status().lastError.contains(QStringLiteral("gap: sequence %1 is gone").arg(live.back() + 101)),
            qPrintable(rig.source->status().lastError));
        QTRY_COMPARE_WITH_TIMEOUT(rig.zkb.requestsTo(test::FakeZkillboard::dayPath(todayUtc(), true)), 1, 30000);
        rig.stop();
    }

    void anUnreadableSavedCursorIsReportedAndTheFeedJoinedAgain()
    {
        Rig rig(m_backend);
        const QList<qint64> live = rig.publish(0, 2);
        SourceStateStore(rig.db.database()).saveCursor(R2z2Source::sourceName, QStringLiteral("96000000"));
        rig.start(rig.settings());
        QTRY_COMPARE_WITH_TIMEOUT(rig.savedSequence(), live.back(), 30000);
        QCOMPARE(rig.zkb.requests().front().route(), QStringLiteral("/ephemeral/sequence.json"));
        QVERIFY2(rig.source->status().lastError.contains(QLatin1StringView("the saved cursor is unreadable")),
                 qPrintable(rig.source->status().lastError));
        QCOMPARE(rig.queued().size(), 2);
        rig.stop();
    }

    void aHostStopsAndStartsOneSourceWhileTheOthersRun()
    {
        Rig rig(m_backend);
        test::FakeRedisq redisq;
        const R2z2Settings r2z2 = rig.settings();
        RedisqSettings polls;
        polls.baseUrl = redisq.url();
        polls.queueId = QStringLiteral("host-test");
        polls.ttw = 1;
        polls.requestTimeout = 3s; // a quiet poll is held for its ttw
        polls.minPollInterval = 20ms;
        std::vector<SourceFactory> factories{
            [r2z2](SourceContext context) { return std::make_unique<R2z2Source>(r2z2, context); },
            [polls](SourceContext context) { return std::make_unique<RedisqSource>(polls, context); }};
        SourceHost host(rig.db.url(), HttpSettings{test::userAgent, 2s}, factories);
        QSignalSpy hostStopped(&host, &SourceHost::stopped);
        const auto stateOf = [&host](const QString& name) { return host.statuses().value(name).state; };
        const auto queued = [&rig](std::size_t fixture) {
            return rig.queued().contains(fixtures()[fixture].killmailId);
        };

        rig.publish(0, 1);
        host.start();
        QTRY_VERIFY_WITH_TIMEOUT(queued(0), 30000);

        host.stopSource(R2z2Source::sourceName);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(R2z2Source::sourceName), SourceState::Stopped, 30000);
        const auto polled = [&redisq] { return redisq.requestsTo(QStringLiteral("/listen.php")); };
        // A request R2Z2 sent just before it stopped may reach its fake later: two polls of RedisQ let it arrive.
        const int polledAtStop = polled();
        QTRY_VERIFY_WITH_TIMEOUT(polled() >= polledAtStop + 2, 30000);
        const int asked = rig.zkb.requestCount();
        const int polledBefore = polled();
        rig.publish(1, 1);
        // Long enough for a running R2Z2 to ask several times: RedisQ's polls, as its fake received them, tell the
        // time.
        QTRY_VERIFY_WITH_TIMEOUT(
            redisq.spanOf(QStringLiteral("/listen.php"), polledBefore) >= 4 * r2z2.notPublishedWait, 30000);
        QCOMPARE(rig.zkb.requestCount(), asked);
        QVERIFY(!queued(1));
        QVERIFY(stateOf(RedisqSource::sourceName) != SourceState::Stopped);
        QCOMPARE(host.statuses().value(RedisqSource::sourceName).errors, qint64(0));

        // Every source stopped by hand: the host stays up to start them again.
        host.stopSource(RedisqSource::sourceName);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(RedisqSource::sourceName), SourceState::Stopped, 30000);
        host.startSource(R2z2Source::sourceName);
        QTRY_VERIFY_WITH_TIMEOUT(queued(1), 30000);
        QVERIFY(stateOf(R2z2Source::sourceName) != SourceState::Stopped);
        QCOMPARE(hostStopped.count(), 0);

        host.stop();
        QTRY_COMPARE_WITH_TIMEOUT(hostStopped.count(), 1, 30000);
        QCOMPARE(stateOf(R2z2Source::sourceName), SourceState::Stopped);
        QVERIFY(!host.isRunning());
    }

    void badSettingsAreReported()
    {
        Rig rig(m_backend);
        R2z2Settings settings = rig.settings();
        settings.baseUrl = QUrl(QStringLiteral("ftp://r2z2.example"));
        rig.start(settings);
        QTRY_VERIFY_WITH_TIMEOUT(!rig.source->isRunning(), 30000);
        QVERIFY(rig.source->status().lastError.startsWith(QLatin1StringView("cannot start: ")));
        QCOMPARE(rig.zkb.requestCount(), 0);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    TestR2z2 test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_r2z2.moc"
