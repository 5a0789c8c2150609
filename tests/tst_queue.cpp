// The durable job queue on a real SQLite file and a real PostgreSQL server: enqueue and deduplication, claim
// order (priorities and aging), delays, settling (complete, retry with backoff, fail), leases, concurrent
// workers, the killmail producers' side and the operator's QueueAdmin.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "queue/QueueRunner.h"
#include "queue/WorkerName.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailWriter.h"
#include "storage/StorageError.h"

#include <QCoreApplication>
#include <QCoroTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

using namespace km;
using namespace std::chrono_literals;

namespace {

const QString killmails = QStringLiteral("killmail");
const QString worker = QStringLiteral("worker-1");

NewJob newJob(const QString& key, Priority priority = Priority::Normal, std::chrono::milliseconds delay = 0ms)
{
    return NewJob{key, QByteArray(R"({"key":")") + key.toUtf8() + "\"}", priority, delay};
}

/// Keys 0 to count-1, at one priority.
std::vector<NewJob> newJobs(int count, Priority priority = Priority::Normal)
{
    std::vector<NewJob> jobs;
    jobs.reserve(count);
    for (int i = 0; i < count; ++i) {
        jobs.push_back(newJob(QString::number(i), priority));
    }
    return jobs;
}

QStringList keysOf(const std::vector<Job>& jobs)
{
    QStringList keys;
    for (const Job& job : jobs) {
        keys << job.dedupKey;
    }
    return keys;
}

std::vector<FinishedJob> finished(const std::vector<Job>& jobs, const std::function<JobResult(qint64)>& outcome)
{
    std::vector<FinishedJob> all;
    all.reserve(jobs.size());
    for (const Job& job : jobs) {
        all.push_back({job, outcome(job.id)});
    }
    return all;
}

std::vector<FinishedJob> completed(const std::vector<Job>& jobs) { return finished(jobs, JobResult::completed); }

std::vector<qint64> idsOf(const std::vector<Job>& jobs)
{
    std::vector<qint64> ids(jobs.size());
    std::transform(jobs.begin(), jobs.end(), ids.begin(), [](const Job& job) { return job.id; });
    return ids;
}

/// A job's row as the jobs table holds it.
struct JobRow {
    bool exists = false;
    int state = -1;
    int priority = -1;
    int attempts = -1;
    qint64 runAt = 0;
    qint64 rank = 0;
    QString lastError;
    bool lastErrorIsNull = true;
    QString lockedBy;
    qint64 lockedUntil = 0;
    qint64 finishedAt = 0;
    QByteArray payload;
};

JobRow rowOf(Database& database, qint64 id)
{
    QSqlQuery query = database.exec(
        QStringLiteral(R"(SELECT "state", "priority", "attempts", "runAt", "rank", "lastError", "lockedBy",
                "lockedUntil", "finishedAt", "payload" FROM jobs WHERE "id" = ?)"),
        {id});
    JobRow row;
    if (query.next()) {
        row = JobRow{true,
                     query.value(0).toInt(),
                     query.value(1).toInt(),
                     query.value(2).toInt(),
                     query.value(3).toLongLong(),
                     query.value(4).toLongLong(),
                     query.value(5).toString(),
                     query.value(5).isNull(),
                     query.value(6).toString(),
                     query.value(7).toLongLong(),
                     query.value(8).toLongLong(),
                     query.value(9).toByteArray()};
    }
    return row;
}

/// The newest job of `key` in `queue`, or 0.
qint64 idOf(Database& database, const QString& key, const QString& queue = killmails)
{
    return database
        .scalar(QStringLiteral(R"(SELECT MAX("id") FROM jobs WHERE "queue" = ? AND "dedupKey" = ?)"), {queue, key})
        .toLongLong();
}

qint64 jobCount(Database& database, const QString& key)
{
    return database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM jobs WHERE "dedupKey" = ?)"), {key}).toLongLong();
}

/// Lets a delayed or backed-off job run now, as the passing of time would.
void makeReady(Database& database, qint64 id)
{
    database.exec(QStringLiteral(R"(UPDATE jobs SET "runAt" = ? WHERE "id" = ?)"), {JobQueue::nowMs(), id});
}

QueueStats statsOf(Database& database, const QString& queue = killmails)
{
    return QueueAdmin(database).stats(queue).front();
}

/// A fresh database and a queue on it: `auto& [db, database, queue] = fixture;`
struct Fixture {
    explicit Fixture(Backend backend, QueueSettings settings = {})
        : db(backend)
        , database(db.database())
        , queue(database, settings)
    {
    }
    test::TestDatabase db;
    Database& database;
    JobQueue queue;
};

/// Says every worker has died: their jobs are taken back at once.
bool everyWorkerEnded(const QString& /*worker*/) { return true; }

int abandonmentsOf(Database& database, qint64 id)
{
    return database.scalar(QStringLiteral(R"(SELECT "abandonments" FROM jobs WHERE "id" = ?)"), {id}).toInt();
}

/// A process of this host running until the test ends: a backfill's or another engine's stand-in.
class LivingProcess {
public:
    LivingProcess() { m_process.start(QStringLiteral("sleep"), {QStringLiteral("600")}); }
    ~LivingProcess()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    LivingProcess(const LivingProcess&) = delete;
    LivingProcess& operator=(const LivingProcess&) = delete;

    /// 0 when it did not start.
    qint64 id() { return m_process.waitForStarted() ? m_process.processId() : 0; }

private:
    QProcess m_process;
};

/// The ID a process of this host had that has ended (a killed engine's), or 0.
qint64 endedProcessId()
{
    QProcess process;
    process.start(QStringLiteral("true"));
    if (!process.waitForStarted()) {
        return 0;
    }
    const qint64 id = process.processId();
    return process.state() == QProcess::NotRunning || process.waitForFinished() ? id : 0;
}

/// A job handler that runs `observe` for every job, then completes it.
class ObservingHandler : public JobHandler {
public:
    explicit ObservingHandler(std::function<QCoro::Task<>(const Job&)> observe)
        : m_observe(std::move(observe))
    {
    }

    QCoro::Task<JobResult> run(const Job& job) override
    {
        co_await m_observe(job);
        co_return JobResult::completed(job.id);
    }

private:
    std::function<QCoro::Task<>(const Job&)> m_observe;
};

/// A job handler whose every job takes `duration`, counting the runs.
class SlowHandler : public JobHandler {
public:
    SlowHandler(std::chrono::milliseconds duration, int& runs)
        : m_duration(duration)
        , m_runs(runs)
    {
    }

    QCoro::Task<JobResult> run(const Job& job) override
    {
        ++m_runs;
        co_await QCoro::sleepFor(m_duration);
        co_return JobResult::completed(job.id);
    }

private:
    std::chrono::milliseconds m_duration;
    int& m_runs;
};

} // namespace

class TestQueue : public QObject {
    Q_OBJECT
public:
    explicit TestQueue(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void claimTakesReadyJobsOnce()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        const EnqueueResult added = queue.enqueue(killmails, newJobs(3));
        QCOMPARE(added.added, 3);
        QCOMPARE(added.alreadyQueued, 0);
        queue.enqueue(QStringLiteral("character"), {newJob(QStringLiteral("elsewhere"))});
        QCOMPARE(statsOf(database).waiting, 3);
        QCOMPARE(statsOf(database).active, 0);

        const std::vector<Job> first = queue.claim(killmails, 2, worker);
        QCOMPARE(first.size(), std::size_t(2));
        const std::vector<Job> second = queue.claim(killmails, 10, worker);
        QCOMPARE(second.size(), std::size_t(1));
        QVERIFY(queue.claim(killmails, 10, worker).empty());

        QSet<QString> keys;
        for (const Job& job : first) {
            keys.insert(job.dedupKey);
        }
        keys.insert(second.front().dedupKey);
        QCOMPARE(keys, (QSet<QString>{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")}));
        for (const std::vector<Job>* claimed : {&first, &second}) {
            for (const Job& job : *claimed) {
                QCOMPARE(job.queue, killmails);
                QCOMPARE(job.payload, newJob(job.dedupKey).payload);
                QCOMPARE(job.attempts, 1);
                QCOMPARE(job.maxAttempts, QueueSettings{}.maxAttempts);
                QCOMPARE(job.priority, Priority::Normal);
                const JobRow row = rowOf(database, job.id);
                QCOMPARE(row.state, int(JobState::Active));
                QCOMPARE(row.lockedBy, worker);
                QVERIFY(row.lockedUntil > JobQueue::nowMs());
            }
        }
        const QueueStats stats = statsOf(database);
        QCOMPARE(stats.waiting, 0);
        QCOMPARE(stats.active, 3);
        QCOMPARE(statsOf(database, QStringLiteral("character")).waiting, 1);
    }

    void waitingOrActiveKeysAreNotAddedTwice()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        QCOMPARE(queue.enqueue(killmails, {newJob(QStringLiteral("a"))}).added, 1);
        const EnqueueResult again =
            queue.enqueue(killmails, {newJob(QStringLiteral("a")), newJob(QStringLiteral("b"))});
        QCOMPARE(again.added, 1);
        QCOMPARE(again.alreadyQueued, 1);

        const std::vector<Job> claimed = queue.claim(killmails, 2, worker);
        QCOMPARE(claimed.size(), std::size_t(2));
        const EnqueueResult whileActive = queue.enqueue(killmails, {newJob(QStringLiteral("a"), Priority::High)});
        QCOMPARE(whileActive.added, 0);
        QCOMPARE(whileActive.alreadyQueued, 1);
        QCOMPARE(jobCount(database, QStringLiteral("a")), 1);
        const JobRow active = rowOf(database, idOf(database, QStringLiteral("a")));
        QCOMPARE(active.state, int(JobState::Active));
        QCOMPARE(active.priority, int(Priority::Normal)); // a running job is left alone
        QCOMPARE(statsOf(database).waiting, 0);
        QCOMPARE(statsOf(database).active, 2);

        const EnqueueResult twice =
            queue.enqueue(killmails, {newJob(QStringLiteral("c")), newJob(QStringLiteral("c"))});
        QCOMPARE(twice.added, 1);
        QCOMPARE(twice.alreadyQueued, 1);
        QCOMPARE(jobCount(database, QStringLiteral("c")), 1);
        // The same key on another queue is other work.
        QCOMPARE(queue.enqueue(QStringLiteral("character"), {newJob(QStringLiteral("c"))}).added, 1);
    }

    void keysOfAnyTextAreDeduplicated()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        const QStringList keys{QStringLiteral("a\"b"), QStringLiteral("c\\d"), QStringLiteral("{e,f}"),
                               QStringLiteral("NULL"), QStringLiteral("ünï code")};
        std::vector<NewJob> jobs;
        for (const QString& key : keys) {
            jobs.push_back(newJob(key));
        }
        QCOMPARE(queue.enqueue(killmails, jobs).added, int(keys.size()));
        const EnqueueResult again = queue.enqueue(killmails, jobs);
        QCOMPARE(again.added, 0);
        QCOMPARE(again.alreadyQueued, int(keys.size()));
        for (const QString& key : keys) {
            QCOMPARE(jobCount(database, key), 1);
        }
    }

    void requeuedWaitingJobKeepsBestPriorityAndFullestPayload()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails,
                      {newJob(QStringLiteral("n1")), newJob(QStringLiteral("n2")),
                       NewJob{QStringLiteral("x"), "{}", Priority::Normal}});
        const QByteArray fuller = R"({"key":"x","esi":{"killmail_id":1}})";
        const EnqueueResult raised = queue.enqueue(killmails, {NewJob{QStringLiteral("x"), fuller, Priority::High}});
        QCOMPARE(raised.added, 0);
        QCOMPARE(raised.alreadyQueued, 1);
        // Neither a lower priority nor a shorter payload undoes that.
        queue.enqueue(killmails, {NewJob{QStringLiteral("x"), "{}", Priority::Low}});
        // Within one call, the best of a key's duplicates is kept too.
        queue.enqueue(killmails,
                      {NewJob{QStringLiteral("y"), "{}", Priority::Low},
                       NewJob{QStringLiteral("y"), R"({"key":"y"})", Priority::High}});

        std::vector<Job> claimed = queue.claim(killmails, 10, worker);
        QCOMPARE(claimed.size(), std::size_t(4));
        // x and y, now HIGH, go before n1 and n2 (NORMAL); x and y may tie on rank.
        std::sort(claimed.begin(), claimed.begin() + 2,
                  [](const Job& a, const Job& b) { return a.dedupKey < b.dedupKey; });
        QCOMPARE(keysOf(claimed).mid(0, 2), (QStringList{QStringLiteral("x"), QStringLiteral("y")}));
        QCOMPARE(claimed[0].priority, Priority::High);
        QCOMPARE(claimed[0].payload, fuller);
        QCOMPARE(claimed[1].priority, Priority::High);
        QCOMPARE(claimed[1].payload, QByteArray(R"({"key":"y"})"));
    }

    void failedJobIsRevivedByEnqueue()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("a"))});
        std::vector<Job> claimed = queue.claim(killmails, 1, worker);
        QCOMPARE(queue.settle({{claimed[0], JobResult::fail(claimed[0].id, QStringLiteral("bad hash"))}}, worker), 1);
        QCOMPARE(statsOf(database).failed, 1);

        const EnqueueResult revived = queue.enqueue(killmails, {newJob(QStringLiteral("a"), Priority::High)});
        QCOMPARE(revived.added, 0);
        QCOMPARE(revived.alreadyQueued, 1);
        QCOMPARE(jobCount(database, QStringLiteral("a")), 1);
        const JobRow row = rowOf(database, claimed[0].id);
        QCOMPARE(row.state, int(JobState::Waiting));
        QCOMPARE(row.attempts, 0);
        QVERIFY(row.lastErrorIsNull);
        QCOMPARE(row.finishedAt, 0);
        QCOMPARE(row.priority, int(Priority::High));
        QCOMPARE(statsOf(database).failed, 0);

        claimed = queue.claim(killmails, 1, worker);
        QCOMPARE(claimed.size(), std::size_t(1));
        QCOMPARE(claimed[0].attempts, 1);
    }

    void completedKeyCanBeQueuedAgain()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        JobQueue kept(database); // completed jobs are kept for a day
        kept.enqueue(killmails, {newJob(QStringLiteral("a"))});
        QCOMPARE(kept.settle(completed(kept.claim(killmails, 1, worker)), worker), 1);
        QCOMPARE(kept.enqueue(killmails, {newJob(QStringLiteral("a"))}).added, 1);
        QCOMPARE(jobCount(database, QStringLiteral("a")), 2);

        QueueSettings settings;
        settings.completedRetention = 0ms; // completed jobs are deleted at once
        JobQueue deleting(database, settings);
        kept.settle(completed(kept.claim(killmails, 1, worker)), worker);
        deleting.enqueue(killmails, {newJob(QStringLiteral("b"))});
        QCOMPARE(deleting.settle(completed(deleting.claim(killmails, 1, worker)), worker), 1);
        QCOMPARE(jobCount(database, QStringLiteral("b")), 0);
        // The deleted job had the highest ID; adding its key again must still count as added.
        const EnqueueResult again = deleting.enqueue(killmails, {newJob(QStringLiteral("b"))});
        QCOMPARE(again.added, 1);
        QCOMPARE(again.alreadyQueued, 0);
        QCOMPARE(statsOf(database).waiting, 1);
    }

    void higherPriorityIsClaimedFirst()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("low"), Priority::Low)});
        queue.enqueue(killmails, {newJob(QStringLiteral("normal"), Priority::Normal)});
        queue.enqueue(killmails, {newJob(QStringLiteral("high"), Priority::High)});
        QStringList order;
        for (int i = 0; i < 3; ++i) {
            order << keysOf(queue.claim(killmails, 1, worker));
        }
        QCOMPARE(order, (QStringList{QStringLiteral("high"), QStringLiteral("normal"), QStringLiteral("low")}));
    }

    void agedJobOvertakesFreshHighPriority()
    {
        Fixture fixture(m_backend, {.agingPerLevel = 200ms});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("old normal"), Priority::Normal)});
        QThread::msleep(300);
        // Both at once: the fresh NORMAL job stays behind the fresh HIGH one.
        queue.enqueue(killmails,
                      {newJob(QStringLiteral("fresh normal"), Priority::Normal),
                       newJob(QStringLiteral("fresh high"), Priority::High)});
        QStringList order;
        for (int i = 0; i < 3; ++i) {
            order << keysOf(queue.claim(killmails, 1, worker));
        }
        QCOMPARE(
            order,
            (QStringList{QStringLiteral("old normal"), QStringLiteral("fresh high"), QStringLiteral("fresh normal")}));
    }

    void delayedJobWaitsForItsTime()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        const qint64 before = JobQueue::nowMs();
        queue.enqueue(killmails,
                      {newJob(QStringLiteral("later"), Priority::High, 500ms), newJob(QStringLiteral("now"))});
        const JobRow row = rowOf(database, idOf(database, QStringLiteral("later")));
        QVERIFY(row.runAt >= before + 500);
        QVERIFY(row.runAt <= JobQueue::nowMs() + 500);
        QueueStats stats = statsOf(database);
        QCOMPARE(stats.waiting, 1);
        QCOMPARE(stats.delayed, 1);
        QCOMPARE(keysOf(queue.claim(killmails, 10, worker)), QStringList{QStringLiteral("now")});
        QVERIFY(queue.claim(killmails, 10, worker).empty());

        QThread::msleep(std::max<qint64>(0, row.runAt - JobQueue::nowMs() + 20));
        stats = statsOf(database);
        QCOMPARE(stats.waiting, 1);
        QCOMPARE(stats.delayed, 0);
        QCOMPARE(keysOf(queue.claim(killmails, 10, worker)), QStringList{QStringLiteral("later")});
    }

    void completedJobIsKeptOrDeleted()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, newJobs(2));
        const std::vector<Job> claimed = queue.claim(killmails, 2, worker);
        const qint64 before = JobQueue::nowMs();
        QCOMPARE(queue.settle(completed({claimed[0]}), worker), 1);
        const JobRow row = rowOf(database, claimed[0].id);
        QCOMPARE(row.state, int(JobState::Completed));
        QVERIFY(row.finishedAt >= before && row.finishedAt <= JobQueue::nowMs());
        QVERIFY(row.lockedBy.isEmpty());
        QCOMPARE(statsOf(database).completed, 1);
        QCOMPARE(statsOf(database).active, 1);

        QueueSettings settings;
        settings.completedRetention = 0ms;
        JobQueue deleting(database, settings);
        QCOMPARE(deleting.settle(completed({claimed[1]}), worker), 1);
        QVERIFY(!rowOf(database, claimed[1].id).exists);
        QCOMPARE(db.rowCount(QStringLiteral("jobs")), 1);
    }

    void retryBacksOffThenFailsOnTheLastAttempt()
    {
        Fixture fixture(m_backend, {.backoffBase = 1000ms, .maxAttempts = 3});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("a"))});
        for (int attempt = 1; attempt <= 2; ++attempt) {
            const std::vector<Job> claimed = queue.claim(killmails, 1, worker);
            QCOMPARE(claimed.size(), std::size_t(1));
            QCOMPARE(claimed[0].attempts, attempt);
            const QString error = QStringLiteral("timeout %1").arg(attempt);
            const qint64 before = JobQueue::nowMs();
            QCOMPARE(queue.settle({{claimed[0], JobResult::retry(claimed[0].id, error)}}, worker), 1);
            const qint64 after = JobQueue::nowMs();
            const JobRow row = rowOf(database, claimed[0].id);
            QCOMPARE(row.state, int(JobState::Waiting));
            QCOMPARE(row.lastError, error);
            QCOMPARE(row.attempts, attempt);
            QVERIFY(row.lockedBy.isEmpty());
            const qint64 backoff = 1000 << (attempt - 1); // backoffBase * 2^(attempts-1), 50% to 100% of it
            QVERIFY2(row.runAt >= before + backoff / 2 && row.runAt <= after + backoff,
                     qPrintable(QStringLiteral("runAt %1 ms after the retry").arg(row.runAt - before)));
            QCOMPARE(statsOf(database).delayed, 1);
            QVERIFY(queue.claim(killmails, 1, worker).empty());
            makeReady(database, claimed[0].id);
        }
        const std::vector<Job> last = queue.claim(killmails, 1, worker);
        QCOMPARE(last[0].attempts, 3);
        QCOMPARE(queue.settle({{last[0], JobResult::retry(last[0].id, QStringLiteral("timeout 3"))}}, worker), 1);
        const JobRow row = rowOf(database, last[0].id);
        QCOMPARE(row.state, int(JobState::Failed));
        QCOMPARE(row.lastError, QStringLiteral("timeout 3"));
        QVERIFY(row.finishedAt > 0);
        const std::vector<FailedJob> failed = QueueAdmin(database).failed(killmails, 10);
        QCOMPARE(failed.size(), std::size_t(1));
        QCOMPARE(failed[0].attempts, 3);
    }

    void retryHonoursRetryAfter()
    {
        Fixture fixture(m_backend, {.backoffBase = 1000ms});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, newJobs(2));
        const std::vector<Job> claimed = queue.claim(killmails, 2, worker);
        const qint64 before = JobQueue::nowMs();
        queue.settle({{claimed[0], JobResult::retry(claimed[0].id, QStringLiteral("429"), 60000ms)},
                      {claimed[1], JobResult::retry(claimed[1].id, QStringLiteral("429"), 1ms)}},
                     worker);
        const qint64 after = JobQueue::nowMs();
        const qint64 longer = rowOf(database, claimed[0].id).runAt;
        QVERIFY(longer >= before + 60000 && longer <= after + 60000);
        const qint64 shorter = rowOf(database, claimed[1].id).runAt; // the backoff is longer than 1 ms
        QVERIFY(shorter >= before + 500 && shorter <= after + 1000);
    }

    void failIsFinalAndListed()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("bad"))});
        const std::vector<Job> claimed = queue.claim(killmails, 1, worker);
        const qint64 before = JobQueue::nowMs();
        QCOMPARE(queue.settle({{claimed[0], JobResult::fail(claimed[0].id, QStringLiteral("malformed body"))}}, worker),
                 1);
        QCOMPARE(rowOf(database, claimed[0].id).state, int(JobState::Failed));
        const std::vector<FailedJob> failed = QueueAdmin(database).failed(killmails, 10);
        QCOMPARE(failed.size(), std::size_t(1));
        QCOMPARE(failed[0].id, claimed[0].id);
        QCOMPARE(failed[0].dedupKey, QStringLiteral("bad"));
        QCOMPARE(failed[0].payload, claimed[0].payload);
        QCOMPARE(failed[0].attempts, 1);
        QCOMPARE(failed[0].lastError, QStringLiteral("malformed body"));
        QVERIFY(failed[0].finishedAtMs >= before && failed[0].finishedAtMs <= JobQueue::nowMs());
        QVERIFY(queue.claim(killmails, 1, worker).empty());
    }

    void oneSettleCompletesRetriesAndFailsTogether()
    {
        // PostgreSQL settles a whole batch in one statement: each outcome must still reach only its own job.
        Fixture fixture(m_backend, {.backoffBase = 60000ms});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, newJobs(5));
        std::vector<Job> claimed = queue.claim(killmails, 4, worker);
        const std::vector<Job> othersJob = queue.claim(killmails, 1, QStringLiteral("worker-2"));
        // The first job completes on its second attempt: the error of its first stays for review.
        queue.settle({{claimed[0], JobResult::retry(claimed[0].id, QStringLiteral("first attempt"))}}, worker);
        makeReady(database, claimed[0].id);
        claimed[0] = queue.claim(killmails, 1, worker).at(0);
        const qint64 before = JobQueue::nowMs();
        const int held = queue.settle({{claimed[0], JobResult::completed(claimed[0].id)},
                                       {claimed[1], JobResult::retry(claimed[1].id, QStringLiteral("timeout"))},
                                       {claimed[2], JobResult::fail(claimed[2].id, QStringLiteral("bad hash"))},
                                       {claimed[3], JobResult::completed(claimed[3].id)},
                                       {othersJob[0], JobResult::completed(othersJob[0].id)}},
                                      worker);
        const qint64 after = JobQueue::nowMs();
        QCOMPARE(held, 4);
        for (const std::size_t done : {0, 3}) {
            const JobRow row = rowOf(database, claimed[done].id);
            QCOMPARE(row.state, int(JobState::Completed));
            QVERIFY(row.finishedAt >= before && row.finishedAt <= after);
            QVERIFY(row.lockedBy.isEmpty());
        }
        QCOMPARE(rowOf(database, claimed[0].id).lastError, QStringLiteral("first attempt"));
        QVERIFY(rowOf(database, claimed[3].id).lastErrorIsNull);
        const JobRow retried = rowOf(database, claimed[1].id);
        QCOMPARE(retried.state, int(JobState::Waiting));
        QCOMPARE(retried.lastError, QStringLiteral("timeout"));
        QVERIFY(retried.runAt >= before + 30000 && retried.runAt <= after + 60000);
        QVERIFY(retried.rank > retried.runAt); // a NORMAL job ranks one aging step after its time
        QCOMPARE(retried.finishedAt, qint64(0));
        QVERIFY(retried.lockedBy.isEmpty());
        const JobRow failed = rowOf(database, claimed[2].id);
        QCOMPARE(failed.state, int(JobState::Failed));
        QCOMPARE(failed.lastError, QStringLiteral("bad hash"));
        QVERIFY(failed.finishedAt >= before && failed.finishedAt <= after);
        const JobRow untouched = rowOf(database, othersJob[0].id);
        QCOMPARE(untouched.state, int(JobState::Active));
        QCOMPARE(untouched.lockedBy, QStringLiteral("worker-2"));

        // Deleting completed jobs, in a batch with a failure: only the completed one goes.
        JobQueue deleting(database, {.completedRetention = 0ms});
        queue.enqueue(killmails, {newJob(QStringLiteral("x")), newJob(QStringLiteral("y"))});
        const std::vector<Job> more = deleting.claim(killmails, 2, worker);
        QCOMPARE(deleting.settle({{more[0], JobResult::completed(more[0].id)},
                                  {more[1], JobResult::fail(more[1].id, QStringLiteral("no"))}},
                                 worker),
                 2);
        QVERIFY(!rowOf(database, more[0].id).exists);
        QCOMPARE(rowOf(database, more[1].id).state, int(JobState::Failed));
    }

    void onlyTheHoldingWorkerSettles()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("a"))});
        const std::vector<Job> claimed = queue.claim(killmails, 1, worker);
        const QString other = QStringLiteral("worker-2");
        QCOMPARE(queue.settle(completed(claimed), other), 0);
        QCOMPARE(queue.settle({{claimed[0], JobResult::fail(claimed[0].id, QStringLiteral("x"))}}, other), 0);
        QCOMPARE(queue.release(idsOf(claimed), other), 0);
        QCOMPARE(queue.renewLeases(other), 0);
        const JobRow row = rowOf(database, claimed[0].id);
        QCOMPARE(row.state, int(JobState::Active));
        QCOMPARE(row.lockedBy, worker);
        QVERIFY(row.lastErrorIsNull);
        QCOMPARE(queue.settle(completed(claimed), worker), 1);
        QCOMPARE(queue.settle(completed(claimed), worker), 0); // settled already
        QCOMPARE(rowOf(database, claimed[0].id).state, int(JobState::Completed));
    }

    void expiredLeasesAreTakenBack()
    {
        constexpr auto lease = 1s;
        Fixture fixture(m_backend, {.lease = lease, .maxAttempts = 2});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("a"))});
        const qint64 claimedAt = JobQueue::nowMs();
        std::vector<Job> claimed = queue.claim(killmails, 1, worker);
        const int earlyReclaim = queue.reclaimAbandoned();
        if (JobQueue::nowMs() < claimedAt + lease / 1ms) { // asserted only when no stall outlasted the lease
            QCOMPARE(earlyReclaim, 0); // its lease runs still
            QCOMPARE(rowOf(database, claimed[0].id).state, int(JobState::Active));
        }

        int reclaimed = earlyReclaim;
        QTRY_VERIFY_WITH_TIMEOUT((reclaimed += queue.reclaimAbandoned()) > 0, 10000);
        QCOMPARE(reclaimed, 1);
        JobRow row = rowOf(database, claimed[0].id);
        QCOMPARE(row.state, int(JobState::Waiting));
        QVERIFY(row.lockedBy.isEmpty());
        QVERIFY(!row.lastError.isEmpty());
        QCOMPARE(queue.settle(completed(claimed), worker), 0); // the vanished worker no longer holds it

        // A worker's death is not an attempt of the job: it is never failed by the deaths of its workers.
        for (const QString& next : {QStringLiteral("worker-2"), QStringLiteral("worker-3")}) {
            claimed = queue.claim(killmails, 1, next);
            QCOMPARE(claimed.size(), std::size_t(1));
            QCOMPARE(claimed[0].attempts, 1);
            reclaimed = 0;
            QTRY_VERIFY_WITH_TIMEOUT((reclaimed += queue.reclaimAbandoned()) > 0, 10000);
            QCOMPARE(reclaimed, 1);
            QCOMPARE(rowOf(database, claimed[0].id).state, int(JobState::Waiting));
        }
        QCOMPARE(QueueAdmin(database).failed(killmails, 10).size(), std::size_t(0));
    }

    void renewedLeasesAreKept()
    {
        constexpr auto lease = 1s;
        Fixture fixture(m_backend, {.lease = lease});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, newJobs(2));
        const std::vector<Job> mine = queue.claim(killmails, 1, worker);
        const std::vector<Job> theirs = queue.claim(killmails, 1, QStringLiteral("worker-2"));
        QThread::msleep(lease / 1ms + 50); // both leases have run out
        const qint64 before = JobQueue::nowMs();
        QCOMPARE(queue.renewLeases(worker), 1);
        QVERIFY(rowOf(database, mine[0].id).lockedUntil >= before + lease / 1ms);
        const int reclaimed = queue.reclaimAbandoned();
        QCOMPARE(rowOf(database, theirs[0].id).state, int(JobState::Waiting));
        if (JobQueue::nowMs() < before + lease / 1ms) { // asserted only when no stall outlasted the renewed lease
            QCOMPARE(reclaimed, 1);
            QCOMPARE(rowOf(database, mine[0].id).state, int(JobState::Active));
        }
    }

    void aJobLongerThanItsLeaseIsNotClaimedTwice()
    {
        // The runner renews the lease of a job that runs for three leases and more, while another worker keeps
        // looking for abandoned and ready jobs: it never gets it, and the job runs and completes once.
        constexpr auto lease = 1500ms;
        test::TestDatabase db(m_backend);
        const QueueSettings settings{.lease = lease};
        JobQueue other(db.database(), settings);
        other.enqueue(killmails, {newJob(QStringLiteral("long"))});
        const qint64 id = idOf(db.database(), QStringLiteral("long"));
        int runs = 0;
        RunnerSettings runnerSettings;
        runnerSettings.concurrency = 1;
        runnerSettings.pollInterval = 100ms;
        QueueRunner runner(db.url(), killmails, runnerSettings, settings, [&runs, lease](Database&) {
            return std::make_unique<SlowHandler>(3 * lease + 500ms, runs);
        });
        runner.start();
        QTRY_COMPARE_WITH_TIMEOUT(runs, 1, 10000);
        int takenBack = 0;
        std::size_t claimedByOther = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                takenBack += other.reclaimAbandoned();
                claimedByOther += other.claim(killmails, 10, QStringLiteral("worker-2")).size();
                return takenBack > 0 || claimedByOther > 0
                    || rowOf(db.database(), id).state == int(JobState::Completed);
            },
            60000));
        QCOMPARE(takenBack, 0);
        QCOMPARE(claimedByOther, std::size_t(0));
        QCOMPARE(runs, 1);
        QCOMPARE(rowOf(db.database(), id).attempts, 1);
        QSignalSpy stopped(&runner, &QueueRunner::stopped);
        runner.stop();
        QVERIFY(!stopped.isEmpty() || stopped.wait(10000));
    }

    void onlyJobsOfEndedWorkersAreTakenBackBeforeTheirLeasesRunOut()
    {
        // Held by a process still running (a backfill beside the engine), by one that ended (a killed engine), by
        // this process's other runner, by a name of no known form, and on a lease that ran out.
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        LivingProcess living;
        QVERIFY(living.id() > 0);
        const qint64 endedId = endedProcessId();
        QVERIFY(endedId > 0);
        JobQueue shortLease(database, {.lease = 1ms});
        const auto claimOne = [&](JobQueue& by, const QString& key, const QString& holder) {
            by.enqueue(killmails, {newJob(key)});
            const std::vector<Job> claimed = by.claim(killmails, 1, holder);
            return claimed.size() == 1 ? claimed[0].id : 0;
        };
        const qint64 livingJob = claimOne(queue, QStringLiteral("living"), WorkerName::of(living.id(), killmails, 0));
        const qint64 endedJob = claimOne(queue, QStringLiteral("ended"), WorkerName::of(endedId, killmails, 0));
        const qint64 mineJob = claimOne(queue, QStringLiteral("mine"),
                                        WorkerName::of(QCoreApplication::applicationPid(), killmails, 1000));
        const qint64 unknownJob = claimOne(queue, QStringLiteral("unknown"), worker);
        const qint64 expiredJob = claimOne(shortLease, QStringLiteral("expired"), QStringLiteral("worker-2"));
        QTRY_VERIFY_WITH_TIMEOUT(JobQueue::nowMs() > rowOf(database, expiredJob).lockedUntil, 10000);

        QCOMPARE(queue.reclaimAbandoned(QStringLiteral("character"), WorkerName::hasEnded), 0); // another queue's
        QCOMPARE(queue.reclaimAbandoned(killmails, WorkerName::hasEnded), 2);
        for (const qint64 id : {endedJob, expiredJob}) {
            const JobRow row = rowOf(database, id);
            QCOMPARE(row.state, int(JobState::Waiting));
            QCOMPARE(row.attempts, 0); // the death of a worker is no attempt
            QVERIFY(row.lockedBy.isEmpty());
        }
        for (const qint64 id : {livingJob, mineJob, unknownJob}) {
            QCOMPARE(rowOf(database, id).state, int(JobState::Active));
        }
        QCOMPARE(queue.reclaimAbandoned(killmails, WorkerName::hasEnded), 0);
    }

    void anSqliteRunnerTakesBackAtStartOnlyTheJobsOfEndedProcesses()
    {
        if (m_backend != Backend::Sqlite) {
            QSKIP("on PostgreSQL a runner takes jobs back when their leases run out (expiredLeasesAreTakenBack)");
        }
        // A backfill process works beside the engine on the same SQLite file: an engine that starts takes back
        // the jobs of the engine before it, which was killed, and leaves the backfill's to it.
        test::TestDatabase db(m_backend);
        JobQueue queue(db.database());
        LivingProcess backfill;
        const QString backfillWorker = WorkerName::of(backfill.id(), killmails, 0);
        const QString killedWorker = WorkerName::of(endedProcessId(), killmails, 0);
        queue.enqueue(killmails, {newJob(QStringLiteral("backfill's"))});
        QCOMPARE(queue.claim(killmails, 1, backfillWorker).size(), std::size_t(1));
        queue.enqueue(killmails, {newJob(QStringLiteral("killed engine's"))});
        QCOMPARE(queue.claim(killmails, 1, killedWorker).size(), std::size_t(1));

        int runs = 0;
        QueueRunner runner(db.url(), killmails, RunnerSettings{}, QueueSettings{},
                           [&runs](Database&) { return std::make_unique<SlowHandler>(0ms, runs); });
        runner.start();
        const qint64 taken = idOf(db.database(), QStringLiteral("killed engine's"));
        QTRY_COMPARE_WITH_TIMEOUT(rowOf(db.database(), taken).state, int(JobState::Completed), 30000);
        QCOMPARE(runs, 1);
        QCOMPARE(abandonmentsOf(db.database(), taken), 2); // its first death, and its start as a suspect
        const JobRow kept = rowOf(db.database(), idOf(db.database(), QStringLiteral("backfill's")));
        QCOMPARE(kept.state, int(JobState::Active));
        QCOMPARE(kept.lockedBy, backfillWorker);
        QSignalSpy stopped(&runner, &QueueRunner::stopped);
        runner.stop();
        QVERIFY(!stopped.isEmpty() || stopped.wait(10000));
    }

    void aJobAbandonedTooOftenFails()
    {
        // Held at the death of a worker, then started by maxAbandonments - 1 more that died running it, a job fails:
        // it may be what kills them.
        constexpr int limit = 4;
        Fixture fixture(m_backend, {.maxAbandonments = limit});
        auto& [db, database, queue] = fixture;
        const auto abandon = [&](int deaths) {
            for (int i = 0; i < deaths; ++i) {
                const std::vector<Job> claimed = queue.claim(killmails, 1, worker);
                QCOMPARE(claimed.size(), std::size_t(1));
                if (claimed[0].abandonments > 0) { // as the runner does before it runs a suspect
                    QCOMPARE(queue.markSuspectsStarted({claimed[0].id}, worker), 1);
                }
                QCOMPARE(queue.reclaimAbandoned(killmails, everyWorkerEnded), 1);
            }
        };
        queue.enqueue(killmails, {newJob(QStringLiteral("crashes"))});
        const qint64 id = idOf(database, QStringLiteral("crashes"));
        abandon(limit - 1);
        JobRow row = rowOf(database, id);
        QCOMPARE(row.state, int(JobState::Waiting));
        QCOMPARE(row.lastError, QStringLiteral("its worker stopped while running it"));
        QCOMPARE(row.attempts, 0);
        QCOMPARE(abandonmentsOf(database, id), limit - 1);

        abandon(1);
        row = rowOf(database, id);
        QCOMPARE(row.state, int(JobState::Failed));
        QVERIFY(row.finishedAt > 0);
        QVERIFY(row.lockedBy.isEmpty());
        const QString why = QStringLiteral("abandoned by 4 worker deaths; it may crash the engine");
        QCOMPARE(row.lastError, why);
        const std::vector<FailedJob> failed = QueueAdmin(database).failed(killmails, 10);
        QCOMPARE(failed.size(), std::size_t(1));
        QCOMPARE(failed[0].lastError, why);
        QVERIFY(queue.claim(killmails, 1, worker).empty());

        // Revived by an enqueue or retried by the operator, it starts counting again.
        queue.enqueue(killmails, {newJob(QStringLiteral("crashes"))});
        abandon(limit - 1);
        QCOMPARE(rowOf(database, id).state, int(JobState::Waiting));
        abandon(1);
        QCOMPARE(rowOf(database, id).state, int(JobState::Failed));
        QCOMPARE(QueueAdmin(database).retryFailed(killmails), 1);
        abandon(limit - 1);
        QCOMPARE(rowOf(database, id).state, int(JobState::Waiting));
    }

    void aSuspectOnlyHeldAtDeathsIsNotCountedAgain()
    {
        // Claimed ahead of the workers and never started, a suspect cannot have killed them: a backlog held through
        // many deaths (a crash loop, restarts while the database was away) fails nothing.
        constexpr int limit = 2;
        Fixture fixture(m_backend, {.maxAbandonments = limit});
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, {newJob(QStringLiteral("held"))});
        const qint64 id = idOf(database, QStringLiteral("held"));
        for (int death = 0; death < limit + 2; ++death) {
            QCOMPARE(queue.claim(killmails, 1, worker).size(), std::size_t(1));
            QCOMPARE(queue.reclaimAbandoned(killmails, everyWorkerEnded), 1);
        }
        QCOMPARE(rowOf(database, id).state, int(JobState::Waiting));
        QCOMPARE(abandonmentsOf(database, id), 1);
        QCOMPARE(queue.markSuspectsStarted({id}, worker), 0); // held by no one
    }

    void suspectsRunOneAtATime()
    {
        // Jobs held at a worker's death run one by one (the others beside them as ever): should one crash the
        // engine again, its death counts against it alone.
        test::TestDatabase db(m_backend);
        JobQueue queue(db.database());
        queue.enqueue(killmails, newJobs(3));
        QCOMPARE(queue.claim(killmails, 3, worker).size(), std::size_t(3));
        QCOMPARE(queue.reclaimAbandoned(killmails, everyWorkerEnded), 3);
        queue.enqueue(killmails, {newJob(QStringLiteral("fresh"))});
        int running = 0;
        int mostSuspects = 0;
        bool freshRanBesideASuspect = false;
        std::vector<QString> order;
        RunnerSettings runnerSettings;
        runnerSettings.concurrency = 4;
        QueueRunner runner(db.url(), killmails, runnerSettings, QueueSettings{}, [&](Database&) {
            return std::make_unique<ObservingHandler>([&](const Job& job) -> QCoro::Task<> {
                ++running;
                freshRanBesideASuspect = freshRanBesideASuspect || (job.abandonments == 0 && running > 1);
                mostSuspects = std::max(mostSuspects, job.abandonments > 0 ? running : 0);
                co_await QCoro::sleepFor(100ms);
                --running;
                order.push_back(job.dedupKey);
            });
        });
        runner.start();
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(db.database()).completed, 4, 30000);
        QCOMPARE(order.size(), std::size_t(4));
        QVERIFY(freshRanBesideASuspect);
        QCOMPARE(mostSuspects, 1);
        for (const QString& key : {QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")}) {
            QCOMPARE(abandonmentsOf(db.database(), idOf(db.database(), key)), 2); // counted as it started
        }
        QCOMPARE(abandonmentsOf(db.database(), idOf(db.database(), QStringLiteral("fresh"))), 0);
        QSignalSpy stopped(&runner, &QueueRunner::stopped);
        runner.stop();
        QVERIFY(!stopped.isEmpty() || stopped.wait(10000));
    }

    void releasedJobsWaitWithoutSpendingAnAttempt()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, newJobs(2));
        const std::vector<Job> claimed = queue.claim(killmails, 2, worker);
        QCOMPARE(queue.release(idsOf(claimed), worker), 2);
        QCOMPARE(queue.release(idsOf(claimed), worker), 0);
        for (const Job& job : claimed) {
            const JobRow row = rowOf(database, job.id);
            QCOMPARE(row.state, int(JobState::Waiting));
            QCOMPARE(row.attempts, 0);
        }
        QCOMPARE(statsOf(database).waiting, 2);
        for (const Job& job : queue.claim(killmails, 2, worker)) {
            QCOMPARE(job.attempts, 1);
        }
    }

    void concurrentWorkersClaimEachJobOnce()
    {
        test::TestDatabase db(m_backend);
        JobQueue(db.database()).enqueue(killmails, newJobs(2000));
        std::mutex mutex;
        std::vector<qint64> claimedIds;
        QStringList errors;
        std::atomic<int> settledTotal{0};
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back(QThread::create([&, i] {
                try {
                    Database connection(db.url());
                    JobQueue queue(connection);
                    const QString name = QStringLiteral("worker-%1").arg(i);
                    for (std::vector<Job> batch; !(batch = queue.claim(killmails, 50, name)).empty();) {
                        settledTotal += queue.settle(completed(batch), name);
                        const std::lock_guard lock(mutex);
                        for (const Job& job : batch) {
                            claimedIds.push_back(job.id);
                        }
                    }
                } catch (const StorageError& error) {
                    const std::lock_guard lock(mutex);
                    errors << error.message();
                }
            }));
            threads.back()->start();
        }
        for (auto& thread : threads) {
            thread->wait();
        }
        QCOMPARE(errors, QStringList());
        QCOMPARE(claimedIds.size(), std::size_t(2000));
        QCOMPARE(QSet<qint64>(claimedIds.begin(), claimedIds.end()).size(), 2000);
        QCOMPARE(settledTotal.load(), 2000);
        const QueueStats stats = statsOf(db.database());
        QCOMPARE(stats.completed, 2000);
        QCOMPARE(stats.waiting + stats.active + stats.failed, 0);
    }

    void killmailJobsSkipStoredKillmails()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        const Killmail stored = test::fixtureKillmail(39077457);
        test::FixedPrices prices;
        QCOMPARE(KillmailWriter::create(database, StaticData::bundled())->write({test::valued(stored, prices)}).stored,
                 1);
        JobQueue queue(database);
        KillmailJobs producer(database, queue);
        const QString hash = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
        const std::vector<KillmailJob> batch{
            {stored.killmailId, stored.hash, QStringLiteral("r2z2"), {}, Priority::High},
            {1001, hash, QStringLiteral("r2z2"), {}, Priority::High},
            {1002, hash, QStringLiteral("redisq"), {}, Priority::Normal},
            {1001, hash, QStringLiteral("ekws"), {}, Priority::High}};
        KillmailEnqueueResult result = producer.enqueue(batch);
        QCOMPARE(result.alreadyStored, 1);
        QCOMPARE(result.added, 2);
        QCOMPARE(result.alreadyQueued, 1);
        QCOMPARE(producer.storedAmong({stored.killmailId, 1001, 1002}), std::vector<KillmailId>{stored.killmailId});

        result = producer.enqueue(batch);
        QCOMPARE(result.alreadyStored, 1);
        QCOMPARE(result.added, 0);
        QCOMPARE(result.alreadyQueued, 3);
        QCOMPARE(jobCount(database, QString::number(stored.killmailId)), 0);

        const std::vector<Job> claimed = queue.claim(KillmailJobs::queueName, 10, worker);
        QCOMPARE(keysOf(claimed), (QStringList{QStringLiteral("1001"), QStringLiteral("1002")}));
        QString error;
        const std::optional<KillmailJob> job = KillmailJob::fromPayload(claimed[0].payload, error);
        QVERIFY2(job, qPrintable(error));
        QCOMPARE(job->killmailId, 1001);
        QCOMPARE(job->hash, hash);
        QCOMPARE(job->source, QStringLiteral("r2z2"));
        QVERIFY(job->esiBody.isEmpty());
        QCOMPARE(claimed[1].priority, Priority::Normal);
    }

    void killmailPayloadRoundTrip()
    {
        QFile file(test::dataPath(QStringLiteral("killmails/39077457.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray body = QJsonDocument::fromJson(file.readAll()).toJson(QJsonDocument::Compact);
        QVERIFY(!body.isEmpty());
        const KillmailJob withBody{39077457, QStringLiteral("CCP VERIFIED"), QStringLiteral("r2z2"), body,
                                   Priority::High};
        QString error;
        std::optional<KillmailJob> read = KillmailJob::fromPayload(withBody.toPayload(), error);
        QVERIFY2(read, qPrintable(error));
        QCOMPARE(read->killmailId, withBody.killmailId);
        QCOMPARE(read->hash, withBody.hash);
        QCOMPARE(read->source, withBody.source);
        QCOMPARE(read->esiBody, body);

        const KillmailJob bare{
            5, QStringLiteral("0123456789abcdef0123456789abcdef01234567"), QStringLiteral("cli"), {}, Priority::High};
        read = KillmailJob::fromPayload(bare.toPayload(), error);
        QVERIFY2(read, qPrintable(error));
        QCOMPARE(read->killmailId, 5);
        QCOMPARE(read->hash, bare.hash);
        QVERIFY(read->esiBody.isEmpty());

        for (const QByteArray& malformed :
             {QByteArray("not json"), QByteArray("[1,2]"), QByteArray(R"({"hash":"x"})"),
              QByteArray(R"({"killmailId":-5,"hash":"x"})"), QByteArray(R"({"killmailId":"12"})"), QByteArray(),
              withBody.toPayload().left(200)}) {
            error.clear();
            QVERIFY2(!KillmailJob::fromPayload(malformed, error), malformed.constData());
            QVERIFY(!error.isEmpty());
        }
    }

    void adminCountsEachQueue()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        QueueAdmin admin(database);
        QVERIFY(admin.stats().empty());
        queue.enqueue(killmails, newJobs(4));
        queue.enqueue(killmails, {newJob(QStringLiteral("later"), Priority::Normal, 60000ms)});
        queue.enqueue(QStringLiteral("character"), newJobs(2, Priority::Low));
        const std::vector<Job> claimed = queue.claim(killmails, 3, worker);
        queue.settle({{claimed[0], JobResult::completed(claimed[0].id)},
                      {claimed[1], JobResult::fail(claimed[1].id, QStringLiteral("gone"))}},
                     worker);
        QThread::msleep(50);

        const std::vector<QueueStats> all = admin.stats();
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].queue, QStringLiteral("character"));
        QCOMPARE(all[0].waiting, 2);
        QCOMPARE(all[1].queue, killmails);
        QCOMPARE(all[1].waiting, 1);
        QCOMPARE(all[1].delayed, 1);
        QCOMPARE(all[1].active, 1);
        QCOMPARE(all[1].completed, 1);
        QCOMPARE(all[1].failed, 1);
        QVERIFY(all[1].oldestWaitingAge >= 50ms);
        QVERIFY(all[1].oldestWaitingAge < 60000ms);

        const std::vector<QueueStats> empty = admin.stats(QStringLiteral("alliance"));
        QCOMPARE(empty.size(), std::size_t(1));
        QCOMPARE(empty[0].queue, QStringLiteral("alliance"));
        QCOMPARE(empty[0].waiting + empty[0].delayed + empty[0].active + empty[0].completed + empty[0].failed, 0);
        QCOMPARE(empty[0].oldestWaitingAge, 0ms);
        const std::vector<QueueStats> one = admin.stats(QStringLiteral("character"));
        QCOMPARE(one.size(), std::size_t(1));
        QCOMPARE(one[0].waiting, 2);
    }

    void adminListsRetriesAndClearsFailedJobs()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        QueueAdmin admin(database);
        queue.enqueue(killmails, newJobs(5));
        queue.enqueue(QStringLiteral("character"), {newJob(QStringLiteral("other"))});
        QCOMPARE(queue.settle(completed(queue.claim(QStringLiteral("character"), 1, worker)), worker), 1);
        std::vector<Job> claimed = queue.claim(killmails, 5, worker);
        for (std::size_t i = 0; i < 3; ++i) { // failed one after the other, 0 first
            queue.settle({{claimed[i], JobResult::fail(claimed[i].id, QStringLiteral("error %1").arg(i))}}, worker);
            QThread::msleep(5);
        }
        queue.settle(completed({claimed[3], claimed[4]}), worker);

        std::vector<FailedJob> failed = admin.failed(killmails, 10);
        QCOMPARE(failed.size(), std::size_t(3));
        QCOMPARE(failed[0].lastError, QStringLiteral("error 2"));
        QCOMPARE(failed[1].lastError, QStringLiteral("error 1"));
        QCOMPARE(failed[2].lastError, QStringLiteral("error 0"));
        QVERIFY(failed[0].finishedAtMs > failed[2].finishedAtMs);
        QCOMPARE(admin.failed(killmails, 2).size(), std::size_t(2));
        QVERIFY(admin.failed(QStringLiteral("character"), 10).empty());

        QCOMPARE(admin.retryFailed(killmails), 3);
        QCOMPARE(admin.retryFailed(killmails), 0);
        QVERIFY(admin.failed(killmails, 10).empty());
        claimed = queue.claim(killmails, 10, worker);
        QCOMPARE(claimed.size(), std::size_t(3));
        for (const Job& job : claimed) {
            QCOMPARE(job.attempts, 1);
        }
        queue.settle(finished(claimed, [](qint64 id) { return JobResult::fail(id, QStringLiteral("again")); }), worker);

        QCOMPARE(admin.clear(killmails, JobState::Failed), 3);
        QCOMPARE(admin.clear(killmails, JobState::Failed), 0);
        QCOMPARE(admin.clear(killmails, JobState::Completed), 2);
        QCOMPARE(statsOf(database, QStringLiteral("character")).completed, 1); // another queue's jobs stay
        QCOMPARE(db.rowCount(QStringLiteral("jobs")), 1);
    }

    void adminListsEveryQueuesFailedJobsAndRetriesOrClearsTheChosenOnes()
    {
        Fixture fixture(m_backend);
        auto& [db, database, queue] = fixture;
        QueueAdmin admin(database);
        const QString characters = QStringLiteral("character");
        queue.enqueue(killmails, newJobs(3));
        queue.enqueue(characters, newJobs(2, Priority::Low));
        const std::vector<Job> failing = queue.claim(killmails, 3, worker);
        queue.settle(finished(failing, [](qint64 id) { return JobResult::fail(id, QStringLiteral("bad hash")); }),
                     worker);
        QThread::msleep(5);
        const std::vector<Job> characterJobs = queue.claim(characters, 2, worker);
        queue.settle(finished(characterJobs, [](qint64 id) { return JobResult::fail(id, QStringLiteral("404")); }),
                     worker);

        FailedJobsPage page = admin.failedPage(std::nullopt, 4);
        QCOMPARE(page.total, 5);
        QCOMPARE(page.jobs.size(), std::size_t(4));
        QCOMPARE(page.jobs.front().queue, characters); // most recent first, over every queue
        QCOMPARE(page.jobs.back().queue, killmails);
        QCOMPARE(page.newestFailureMs, page.jobs.front().finishedAtMs);
        QCOMPARE(admin.failedPage(characters, 10).total, 2);
        QCOMPARE(admin.failedPage(QStringLiteral("alliance"), 10).newestFailureMs, 0);

        // The chosen ones only, and only while they are failed; no choice is no job.
        QCOMPARE(admin.retryFailed(FailedJobSelection{.ids = QList<qint64>{failing[0].id, characterJobs[0].id}}), 2);
        QCOMPARE(admin.retryFailed(FailedJobSelection{.ids = QList<qint64>{failing[0].id}}), 0);
        QCOMPARE(admin.retryFailed(FailedJobSelection{.ids = QList<qint64>{}}), 0);
        QCOMPARE(rowOf(database, failing[0].id).state, int(JobState::Waiting));
        QCOMPARE(rowOf(database, failing[0].id).attempts, 0);
        QCOMPARE(rowOf(database, failing[1].id).state, int(JobState::Failed));
        QCOMPARE(admin.clearFailed(FailedJobSelection{.queue = killmails, .ids = QList<qint64>{characterJobs[1].id}}),
                 0);
        QCOMPARE(admin.clearFailed(FailedJobSelection{.ids = QList<qint64>{characterJobs[1].id}}), 1);
        QVERIFY(!rowOf(database, characterJobs[1].id).exists);

        // Clearing what the operator was shown counted spares a job that failed after.
        page = admin.failedPage(std::nullopt, 10);
        QCOMPARE(page.total, 2);
        QThread::msleep(5);
        const std::vector<Job> later = queue.claim(killmails, 1, worker);
        queue.settle({{later[0], JobResult::fail(later[0].id, QStringLiteral("later"))}}, worker);
        QCOMPARE(admin.clearFailed(FailedJobSelection{.failedUpToMs = page.newestFailureMs}), 2);
        QCOMPARE(admin.failed(std::nullopt, 10).size(), std::size_t(1));
        QCOMPARE(admin.retryFailed(FailedJobSelection{}), 1);
        QCOMPARE(statsOf(database).failed, 0);
    }

    void pruneHonoursRetention()
    {
        const QueueSettings settings{.completedRetention = std::chrono::hours(1),
                                     .failedRetention = std::chrono::hours(2)};
        Fixture fixture(m_backend, settings);
        auto& [db, database, queue] = fixture;
        queue.enqueue(killmails, newJobs(5));
        std::vector<Job> claimed = queue.claim(killmails, 4, worker);
        queue.settle({{claimed[0], JobResult::completed(claimed[0].id)},
                      {claimed[1], JobResult::completed(claimed[1].id)},
                      {claimed[2], JobResult::fail(claimed[2].id, QStringLiteral("x"))},
                      {claimed[3], JobResult::fail(claimed[3].id, QStringLiteral("x"))}},
                     worker);
        const qint64 now = JobQueue::nowMs();
        const auto finishedAgo = [&](const Job& job, std::chrono::minutes ago) {
            fixture.database.exec(QStringLiteral(R"(UPDATE jobs SET "finishedAt" = ? WHERE "id" = ?)"),
                                  {now - std::chrono::milliseconds(ago).count(), job.id});
        };
        finishedAgo(claimed[0], std::chrono::minutes(70)); // completed, past its hour
        finishedAgo(claimed[1], std::chrono::minutes(50));
        finishedAgo(claimed[2], std::chrono::minutes(130)); // failed, past its two hours
        finishedAgo(claimed[3], std::chrono::minutes(70));

        QCOMPARE(QueueAdmin(database, settings).prune(), 2);
        QVERIFY(!rowOf(database, claimed[0].id).exists);
        QVERIFY(rowOf(database, claimed[1].id).exists);
        QVERIFY(!rowOf(database, claimed[2].id).exists);
        QVERIFY(rowOf(database, claimed[3].id).exists);
        QCOMPARE(statsOf(database).waiting, 1);
        QCOMPARE(QueueAdmin(database, settings).prune(), 0);
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestQueue suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_queue.moc"
