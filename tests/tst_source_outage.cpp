// Real database failures in the middle of what the zKillboard sources write: the R2Z2 feed's jobs-plus-cursor
// transaction and the history backfill's chunks and finished days. SQLite: another connection holds the write lock
// past the busy timeout. PostgreSQL: another session locks a table the write needs, and the session that waits on it
// is terminated there, mid-transaction. Meanwhile no cursor names kills whose jobs were not committed; afterwards
// every kill is queued exactly once.
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "TestDatabase.h"

#include "net/HttpClient.h"
#include "sources/KillmailSink.h"
#include "sources/R2z2Source.h"
#include "sources/SourceStateStore.h"
#include "sources/ZkillboardBackfill.h"
#include "storage/Database.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

using namespace km;
using namespace std::chrono_literals;

namespace {

/**
 * Holds a lock on `table` from a connection of its own, so that the sources' next write there fails for real.
 * PostgreSQL waits for a lock without end: a thread of its own terminates every session that waits for it (the
 * sources block the test's thread meanwhile), in the middle of its transaction.
 */
class WriteOutage {
public:
    WriteOutage(const DatabaseUrl& url, const QString& table)
        : m_blocker(url)
    {
        if (m_blocker.backend() == Backend::Sqlite) {
            m_blocker.exec(QStringLiteral("BEGIN IMMEDIATE"));
            return;
        }
        m_blocker.exec(QStringLiteral("BEGIN"));
        m_blocker.exec(QStringLiteral("LOCK TABLE %1 IN ACCESS EXCLUSIVE MODE").arg(table));
        m_terminator = std::thread([this, url] {
            Database killer(url);
            while (!m_stop) {
                m_terminated +=
                    killer
                        .scalar(QStringLiteral("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                               "wait_event_type = 'Lock' AND datname = current_database()"))
                        .toInt();
                std::this_thread::sleep_for(20ms);
            }
        });
    }
    ~WriteOutage() { end(); }
    WriteOutage(const WriteOutage&) = delete;
    WriteOutage& operator=(const WriteOutage&) = delete;

    /// Writers terminated so far (SQLite: 0, a writer gives up by itself when its busy timeout runs out).
    [[nodiscard]] int terminated() const { return m_terminated; }
    /// What the blocked database holds, as committed (the blocker's own view).
    Database& view() { return m_blocker; }

    void end()
    {
        m_stop = true;
        if (m_terminator.joinable()) {
            m_terminator.join();
        }
        if (m_open) {
            m_open = false;
            m_blocker.exec(QStringLiteral("ROLLBACK"));
        }
    }

private:
    Database m_blocker;
    std::thread m_terminator;
    std::atomic<bool> m_stop = false;
    std::atomic<int> m_terminated = 0;
    bool m_open = true;
};

/// Committed jobs of the killmail queue, by killmail ID, with how many rows each has.
QMap<KillmailId, qint64> jobRows(Database& database)
{
    QMap<KillmailId, qint64> rows;
    QSqlQuery query = database.exec(
        QStringLiteral(R"(SELECT "dedupKey", COUNT(*) FROM jobs WHERE "queue" = 'killmail' GROUP BY "dedupKey")"));
    while (query.next()) {
        rows.insert(query.value(0).toLongLong(), query.value(1).toLongLong());
    }
    return rows;
}

std::optional<QString> savedCursor(Database& database, const QString& source)
{
    return SourceStateStore(database).cursor(source);
}

} // namespace

class TestSourceOutage : public QObject {
    Q_OBJECT
public:
    explicit TestSourceOutage(Backend backend)
        : m_backend(backend)
    {
    }

private:
    /// PostgreSQL: two writers terminated (a retry fails as well); SQLite: the busy timeout's one failure.
    [[nodiscard]] int minimumTerminated() const { return m_backend == Backend::Sqlite ? 0 : 2; }

    Backend m_backend;

private Q_SLOTS:
    void r2z2CursorNeverPassesUncommittedJobs()
    {
        test::TestDatabase db(m_backend);
        KillmailSink sink(db.database());
        HttpClient http(HttpSettings{test::userAgent, 2s});
        test::FakeZkillboard zkb;
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        QList<qint64> sequences;
        for (std::size_t i = 0; i < 3; ++i) {
            sequences << zkb.publish(fixtures[i]);
        }
        zkb.setAnnouncedSequence(sequences.front()); // the source starts at the first kill, not at the head
        R2z2Source source(test::quickR2z2Settings(zkb), SourceContext{sink, http});
        const auto sequenceIn = [](const std::optional<QString>& cursor) {
            QString problem;
            const std::optional<R2z2Cursor> parsed = cursor ? R2z2Cursor::fromJson(*cursor, problem) : std::nullopt;
            return parsed ? parsed->sequence : qint64(-1);
        };
        source.start();
        QTRY_COMPARE_WITH_TIMEOUT(sequenceIn(savedCursor(db.database(), R2z2Source::sourceName)), sequences.back(),
                                  20000);

        {
            // The jobs go in first; the cursor's row is where the write waits (PostgreSQL) or nothing goes in.
            WriteOutage outage(db.url(), QStringLiteral("source_state"));
            for (std::size_t i = 3; i < 6; ++i) {
                sequences << zkb.publish(fixtures[i]);
            }
            QTRY_VERIFY_WITH_TIMEOUT(source.status().errors >= 1 && outage.terminated() >= minimumTerminated(), 60000);
            QVERIFY2(source.status().lastError.contains(QLatin1StringView("cannot queue")),
                     qPrintable(source.status().lastError));
            // Nothing of the refused writes is committed: neither the jobs nor the cursor past them.
            QCOMPARE(sequenceIn(savedCursor(outage.view(), R2z2Source::sourceName)), sequences[2]);
            QCOMPARE(jobRows(outage.view()).size(), 3);
        }
        QTRY_COMPARE_WITH_TIMEOUT(sequenceIn(savedCursor(db.database(), R2z2Source::sourceName)), sequences.back(),
                                  30000);
        const QMap<KillmailId, qint64> rows = jobRows(db.database());
        QCOMPARE(rows.size(), 6);
        for (std::size_t i = 0; i < 6; ++i) {
            QCOMPARE(rows.value(fixtures[i].killmailId), qint64(1));
        }
        source.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!source.isRunning(), 10000);
    }

    void historyBackfillLosesAndDoublesNothing()
    {
        test::TestDatabase db(m_backend);
        KillmailSink sink(db.database());
        HttpClient http(HttpSettings{test::userAgent, 2s});
        test::FakeZkillboard zkb;
        const QDate firstDay(2014, 5, 15);
        const QDate lastDay(2014, 6, 18);
        QMap<QString, qint64> perDay;
        QSet<KillmailId> expected;
        for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
            const QDate day = test::FakeZkillboard::dayOf(fixture);
            if (day >= firstDay && day <= lastDay) {
                zkb.addToHistory(fixture);
                ++perDay[day.toString(QStringLiteral("yyyyMMdd"))];
                expected.insert(fixture.killmailId);
            }
        }
        QVERIFY(expected.size() > 20);
        ZkillboardBackfillSettings settings;
        settings.baseUrl = zkb.url();
        settings.startDate = firstDay;
        settings.endDate = lastDay;
        settings.history.chunkSize = 10;
        settings.history.backoffInitial = 20ms;
        settings.history.backoffMax = 200ms;
        ZkillboardBackfill backfill(settings, SourceContext{sink, http});
        QSignalSpy changes(&backfill, &Source::statusChanged);
        // Finished days as the cursor names them; each must have all its kills' jobs committed.
        const auto finishedDays = [](const std::optional<QString>& cursor) {
            return QJsonDocument::fromJson(cursor.value_or(QString()).toUtf8())
                .object()
                .value(QLatin1StringView("finished"))
                .toObject();
        };
        {
            WriteOutage outage(db.url(), QStringLiteral("jobs")); // the chunks' writes fail from the start
            backfill.start();
            QTRY_VERIFY_WITH_TIMEOUT(backfill.status().errors >= 1 && outage.terminated() >= minimumTerminated(),
                                     60000);
            QVERIFY(finishedDays(savedCursor(outage.view(), ZkillboardBackfill::sourceName)).isEmpty());
            // Each wait before the next try is shown with its end, as the console and `status` show backoffs.
            QVERIFY(std::any_of(changes.cbegin(), changes.cend(), [](const QList<QVariant>& change) {
                const auto status = change.front().value<SourceStatus>();
                return status.state == SourceState::BackingOff && status.backoffUntil.isValid();
            }));
            QVERIFY(jobRows(outage.view()).isEmpty());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!backfill.isRunning(), 60000);
        QCOMPARE(backfill.status().state, SourceState::Finished);
        const QMap<KillmailId, qint64> rows = jobRows(db.database());
        QCOMPARE(QSet<KillmailId>(rows.keyBegin(), rows.keyEnd()), expected);
        for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
            QCOMPARE(it.value(), qint64(1));
        }
        const QJsonObject finished = finishedDays(savedCursor(db.database(), ZkillboardBackfill::sourceName));
        for (auto it = perDay.cbegin(); it != perDay.cend(); ++it) {
            QCOMPARE(finished.value(it.key()).toInteger(), it.value());
        }
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    TestSourceOutage test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_source_outage.moc"
