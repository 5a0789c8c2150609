// The queue:* subcommands, run as the real killmail-console binary against a real database: their output (table
// and JSON), what they change, their usage errors (exit status 2) and database errors (exit status 1).
#include "Fixtures.h"
#include "TestDatabase.h"

#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailWriter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace km;

namespace {

const QString killmails = QStringLiteral("killmail");
const QString hash = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
const QString worker = QStringLiteral("test-worker");

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run console(const QString& databaseUrl, const QStringList& arguments)
{
    QProcess process;
    process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                  QStringList{QStringLiteral("--database"), databaseUrl} + arguments);
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit) {
        return {};
    }
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

Run console(const test::TestDatabase& db, const QStringList& arguments) { return console(db.urlText(), arguments); }

/// Fails `count` killmail jobs through the engine, with `error`.
void failJobs(Database& database, int count, const QString& error)
{
    JobQueue queue(database);
    std::vector<NewJob> jobs;
    jobs.reserve(count);
    for (int i = 0; i < count; ++i) {
        jobs.push_back(NewJob{QString::number(5000 + i), "{}", Priority::High});
    }
    queue.enqueue(killmails, jobs);
    std::vector<FinishedJob> failed;
    for (const Job& job : queue.claim(killmails, count, worker)) {
        failed.push_back({job, JobResult::fail(job.id, error)});
    }
    queue.settle(failed, worker);
}

QJsonObject parseObject(const QString& text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (!document.isObject()) {
        qWarning() << "not a JSON object:" << error.errorString() << text;
    }
    return document.object();
}

/// A queue's line of `queue:stats --json`, by name.
QJsonObject queueOf(const QJsonObject& stats, const QString& queue)
{
    for (const QJsonValue value : stats.value(QLatin1StringView("queues")).toArray()) {
        if (value.toObject().value(QLatin1StringView("queue")).toString() == queue) {
            return value.toObject();
        }
    }
    return {};
}

} // namespace

class TestQueueCli : public QObject {
    Q_OBJECT
public:
    explicit TestQueueCli(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void addsAKillmailOnce()
    {
        test::TestDatabase db(m_backend);
        Run run = console(db, {QStringLiteral("queue:add"), killmails, QStringLiteral("1001"), hash});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("killmail 1001 added to queue killmail (high priority)")),
                 qPrintable(run.out));
        run = console(db, {QStringLiteral("queue:add"), killmails, QStringLiteral("1001"), hash});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("killmail 1001 is already queued")), qPrintable(run.out));
        run = console(db,
                      {QStringLiteral("queue:add"), killmails, QStringLiteral("1002"), hash.toUpper(),
                       QStringLiteral("--priority"), QStringLiteral("normal")});
        QCOMPARE(run.exitCode, 0);

        JobQueue queue(db.database());
        const std::vector<Job> claimed = queue.claim(killmails, 10, worker);
        QCOMPARE(claimed.size(), std::size_t(2));
        QCOMPARE(claimed[0].dedupKey, QStringLiteral("1001"));
        QCOMPARE(claimed[0].priority, Priority::High);
        QCOMPARE(claimed[1].priority, Priority::Normal);
        QString error;
        const std::optional<KillmailJob> job = KillmailJob::fromPayload(claimed[0].payload, error);
        QVERIFY2(job, qPrintable(error));
        QCOMPARE(job->killmailId, 1001);
        QCOMPARE(job->hash, hash);
        QCOMPARE(job->source, QStringLiteral("cli"));
    }

    void skipsAStoredKillmail()
    {
        test::TestDatabase db(m_backend);
        const Killmail stored = test::fixtureKillmail(39077457);
        test::FixedPrices prices;
        KillmailWriter::create(db.database(), StaticData::bundled())->write({test::valued(stored, prices)});
        const Run run =
            console(db, {QStringLiteral("queue:add"), killmails, QString::number(stored.killmailId), stored.hash});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("is already stored")), qPrintable(run.out));
        QCOMPARE(db.rowCount(QStringLiteral("jobs")), 0);
    }

    void addsEntityUpdates()
    {
        test::TestDatabase db(m_backend);
        Run run = console(db, {QStringLiteral("queue:add"), QStringLiteral("character"), QStringLiteral("90000001")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("character 90000001 added to queue character (low priority)")),
                 qPrintable(run.out));
        run = console(db,
                      {QStringLiteral("queue:add"), QStringLiteral("alliance"), QStringLiteral("99000001"),
                       QStringLiteral("--priority"), QStringLiteral("HIGH")});
        QCOMPARE(run.exitCode, 0);
        run = console(db, {QStringLiteral("queue:add"), QStringLiteral("character"), QStringLiteral("90000001")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("already queued")), qPrintable(run.out));

        JobQueue queue(db.database());
        std::vector<Job> claimed = queue.claim(QStringLiteral("character"), 10, worker);
        QCOMPARE(claimed.size(), std::size_t(1));
        QCOMPARE(claimed[0].dedupKey, QStringLiteral("90000001"));
        QCOMPARE(claimed[0].priority, Priority::Low);
        QCOMPARE(QJsonDocument::fromJson(claimed[0].payload).object(),
                 (QJsonObject{{QStringLiteral("id"), qint64(90000001)}}));
        claimed = queue.claim(QStringLiteral("alliance"), 10, worker);
        QCOMPARE(claimed.size(), std::size_t(1));
        QCOMPARE(claimed[0].priority, Priority::High);
    }

    void addRejectsWrongUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad hash") << QStringList{killmails, QStringLiteral("1001"), QStringLiteral("not-a-hash")}
                                  << QStringLiteral("'not-a-hash' is not a killmail hash");
        QTest::newRow("short hash") << QStringList{killmails, QStringLiteral("1001"), hash.left(39)} << hash.left(39);
        QTest::newRow("no hash") << QStringList{killmails, QStringLiteral("1001")} << QStringLiteral("ID HASH");
        QTest::newRow("zero id") << QStringList{killmails, QStringLiteral("0"), hash} << QStringLiteral("not '0'");
        QTest::newRow("id not a number") << QStringList{QStringLiteral("corporation"), QStringLiteral("abc")}
                                         << QStringLiteral("'abc'");
        QTest::newRow("bad priority") << QStringList{killmails, QStringLiteral("1001"), hash,
                                                     QStringLiteral("--priority"), QStringLiteral("urgent")}
                                      << QStringLiteral("--priority takes high, normal or low, not 'urgent'");
        QTest::newRow("hash for an entity")
            << QStringList{QStringLiteral("character"), QStringLiteral("5"), hash} << QStringLiteral("an ID only");
        QTest::newRow("unknown queue") << QStringList{QStringLiteral("ships"), QStringLiteral("5")}
                                       << QStringLiteral("unknown queue 'ships' (known queues: killmail, character, "
                                                         "corporation, alliance)");
        QTest::newRow("no queue") << QStringList{} << QStringLiteral("name a queue");
    }

    void addRejectsWrongUsage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        test::TestDatabase db(m_backend);
        const Run run = console(db, QStringList{QStringLiteral("queue:add")} + arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.startsWith(QStringLiteral("queue:add: ")), qPrintable(run.err));
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QCOMPARE(db.rowCount(QStringLiteral("jobs")), 0);
    }

    void statsCountsEachQueue()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        JobQueue queue(database);
        queue.enqueue(killmails,
                      {NewJob{QStringLiteral("1"), "{}"}, NewJob{QStringLiteral("2"), "{}"},
                       NewJob{QStringLiteral("3"), "{}"}, NewJob{QStringLiteral("4"), "{}"},
                       NewJob{QStringLiteral("5"), "{}"}});
        queue.enqueue(killmails, {NewJob{QStringLiteral("later"), "{}", Priority::Normal, std::chrono::hours(1)}});
        queue.enqueue(QStringLiteral("character"), {NewJob{QStringLiteral("7"), "{}"}});
        const std::vector<Job> claimed = queue.claim(killmails, 3, worker);
        queue.settle({{claimed[0], JobResult::completed(claimed[0].id)},
                      {claimed[1], JobResult::fail(claimed[1].id, QStringLiteral("gone"))}},
                     worker);

        Run run = console(db, {QStringLiteral("queue:stats"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject all = parseObject(run.out);
        QCOMPARE(all.value(QLatin1StringView("queues")).toArray().size(), 4);
        QJsonObject counted = queueOf(all, killmails);
        const QJsonValue oldest = counted.take(QLatin1StringView("oldestWaitingSeconds"));
        QVERIFY2(oldest.isDouble() && oldest.toDouble() >= 0 && oldest.toDouble() < 60, qPrintable(run.out));
        const QJsonObject expected{{QStringLiteral("queue"), killmails}, {QStringLiteral("waiting"), 2},
                                   {QStringLiteral("delayed"), 1},       {QStringLiteral("active"), 1},
                                   {QStringLiteral("completed"), 1},     {QStringLiteral("failed"), 1}};
        QCOMPARE(counted, expected);
        QCOMPARE(queueOf(all, QStringLiteral("character")).value(QLatin1StringView("waiting")).toInt(), 1);
        QCOMPARE(queueOf(all, QStringLiteral("alliance")).value(QLatin1StringView("waiting")).toInt(), 0);
        QVERIFY(queueOf(all, QStringLiteral("corporation")).contains(QLatin1StringView("oldestWaitingSeconds")));

        run = console(db, {QStringLiteral("queue:stats"), QStringLiteral("corporation"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray one = parseObject(run.out).value(QLatin1StringView("queues")).toArray();
        QCOMPARE(one.size(), 1);
        QCOMPARE(one[0].toObject().value(QLatin1StringView("queue")).toString(), QStringLiteral("corporation"));
        QCOMPARE(one[0].toObject().value(QLatin1StringView("failed")).toInt(), 0);

        // The table: a header, one aligned line per queue, the age of the oldest waiting job.
        database.exec(QStringLiteral(R"(UPDATE jobs SET "runAt" = "runAt" - 192000 WHERE "state" = 0 AND "queue" = ?
                                         AND "dedupKey" <> 'later')"),
                      {killmails});
        run = console(db, {QStringLiteral("queue:stats")});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0].split(u' ', Qt::SkipEmptyParts),
                 (QStringList{QStringLiteral("queue"), QStringLiteral("waiting"), QStringLiteral("delayed"),
                              QStringLiteral("active"), QStringLiteral("completed"), QStringLiteral("failed"),
                              QStringLiteral("oldest"), QStringLiteral("waiting")}));
        QVERIFY2(lines[1].startsWith(killmails), qPrintable(run.out));
        QVERIFY2(lines[1].contains(QRegularExpression(QStringLiteral(R"(^killmail +2 +1 +1 +1 +1  3m 1\ds$)"))),
                 qPrintable(lines[1]));
        QVERIFY2(lines[2].contains(QRegularExpression(QStringLiteral(R"(^character +1 +0 +0 +0 +0  \d+s$)"))),
                 qPrintable(lines[2]));
        QVERIFY2(lines[3].contains(QRegularExpression(QStringLiteral(R"(^corporation +0 +0 +0 +0 +0  -$)"))),
                 qPrintable(lines[3]));
        const qsizetype failedEnd = lines[0].indexOf(QStringLiteral("failed")) + 6;
        for (const QString& line : lines) {
            QVERIFY2(line.size() > failedEnd && line[failedEnd - 1] != u' ' && line[failedEnd] == u' ',
                     qPrintable(run.out));
        }

        run = console(db, {QStringLiteral("queue:stats"), QStringLiteral("ships")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("unknown queue 'ships'")), qPrintable(run.err));
    }

    void listsFailedJobs()
    {
        test::TestDatabase db(m_backend);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        failJobs(db.database(), 2, QStringLiteral("ESI answered 422:\ninvalid hash"));
        Run run = console(db, {QStringLiteral("queue:list"), killmails, QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("5000")) && run.out.contains(QStringLiteral("5001")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("ESI answered 422: invalid hash")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd"))),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("killmail: failed jobs shown: 2 of 2, most recent first")),
                 qPrintable(run.out));

        run = console(db,
                      {QStringLiteral("queue:list"), killmails, QStringLiteral("--failed"), QStringLiteral("--limit"),
                       QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject listing = parseObject(run.out);
        QCOMPARE(listing.value(QLatin1StringView("queue")).toString(), killmails);
        QCOMPARE(listing.value(QLatin1StringView("failedTotal")).toInt(), 2);
        const QJsonArray failed = listing.value(QLatin1StringView("failed")).toArray();
        QCOMPARE(failed.size(), 1);
        const QJsonObject job = failed[0].toObject();
        QVERIFY(job.value(QLatin1StringView("key")).toString().startsWith(QStringLiteral("500")));
        QCOMPARE(job.value(QLatin1StringView("attempts")).toInt(), 1);
        QCOMPARE(job.value(QLatin1StringView("lastError")).toString(),
                 QStringLiteral("ESI answered 422:\ninvalid hash"));
        QVERIFY(job.value(QLatin1StringView("id")).toInteger() > 0);
        const QString failedAt = job.value(QLatin1StringView("failedAt")).toString();
        QVERIFY2(failedAt.endsWith(u'Z'), qPrintable(failedAt));
        const QDateTime time = QDateTime::fromString(failedAt, Qt::ISODate);
        QVERIFY(time.isValid());
        QVERIFY(time.toMSecsSinceEpoch() >= before / 1000 * 1000);
        QVERIFY(time.toMSecsSinceEpoch() <= QDateTime::currentMSecsSinceEpoch());

        run = console(db, {QStringLiteral("queue:list"), QStringLiteral("alliance"), QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("alliance: failed jobs shown: 0 of 0")), qPrintable(run.out));
    }

    void listsAJobAbandonedByCrashingWorkersWithWhy()
    {
        // A killmail that crashes the engine each time: its job is taken back from every dead worker until it fails.
        test::TestDatabase db(m_backend);
        JobQueue queue(db.database(), {.maxAbandonments = 2});
        queue.enqueue(killmails, {NewJob{QStringLiteral("6000"), "{}"}});
        for (int death = 0; death < 2; ++death) {
            const std::vector<Job> claimed = queue.claim(killmails, 1, worker);
            QCOMPARE(claimed.size(), std::size_t(1));
            if (death > 0) { // started as a suspect, as the runner does
                QCOMPARE(queue.markSuspectsStarted({claimed[0].id}, worker), 1);
            }
            QCOMPARE(queue.reclaimAbandoned(killmails, [](const QString&) { return true; }), 1);
        }
        const Run run = console(db, {QStringLiteral("queue:list"), killmails, QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("6000")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("abandoned by 2 worker deaths; it may crash the engine")),
                 qPrintable(run.out));
    }

    void listNeedsFailedAndALimit()
    {
        test::TestDatabase db(m_backend);
        Run run = console(db, {QStringLiteral("queue:list"), killmails});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("queue:list: needs --failed")), qPrintable(run.err));
        run = console(db,
                      {QStringLiteral("queue:list"), killmails, QStringLiteral("--failed"), QStringLiteral("--limit"),
                       QStringLiteral("0")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--limit")), qPrintable(run.err));
        run = console(db, {QStringLiteral("queue:list"), QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("name a queue")), qPrintable(run.err));
    }

    void retriesFailedJobs()
    {
        test::TestDatabase db(m_backend);
        failJobs(db.database(), 2, QStringLiteral("timeout"));
        Run run = console(db, {QStringLiteral("queue:retry"), killmails});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--failed")), qPrintable(run.err));
        QCOMPARE(QueueAdmin(db.database()).stats(killmails).front().failed, 2);

        run = console(db, {QStringLiteral("queue:retry"), killmails, QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QStringLiteral("killmail: failed jobs put back to wait: 2\n"));
        const QueueStats stats = QueueAdmin(db.database()).stats(killmails).front();
        QCOMPARE(stats.failed, 0);
        QCOMPARE(stats.waiting, 2);
        run = console(db, {QStringLiteral("queue:retry"), QStringLiteral("character"), QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QStringLiteral("character: failed jobs put back to wait: 0\n"));
    }

    void clearsFinishedJobs()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        failJobs(database, 2, QStringLiteral("gone"));
        JobQueue queue(database);
        queue.enqueue(killmails, {NewJob{QStringLiteral("done"), "{}"}, NewJob{QStringLiteral("waits"), "{}"}});
        const std::vector<Job> done = queue.claim(killmails, 1, worker);
        queue.settle({{done[0], JobResult::completed(done[0].id)}}, worker);

        Run run = console(db, {QStringLiteral("queue:clear"), killmails});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--failed, --completed or both")), qPrintable(run.err));

        run = console(db, {QStringLiteral("queue:clear"), killmails, QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QStringLiteral("killmail: failed jobs deleted: 2\n"));
        run = console(
            db, {QStringLiteral("queue:clear"), killmails, QStringLiteral("--completed"), QStringLiteral("--failed")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QStringLiteral("killmail: failed jobs deleted: 0\nkillmail: completed jobs deleted: 1\n"));
        const QueueStats stats = QueueAdmin(database).stats(killmails).front();
        QCOMPARE(stats.waiting, 1);
        QCOMPARE(stats.completed + stats.failed + stats.active, 0);
    }

    void databaseErrorIsExitStatusOne()
    {
        const QString url = m_backend == Backend::Postgres
            ? QStringLiteral("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
            : QStringLiteral("sqlite:///proc/cannot-create/here.db");
        const Run run = console(url, {QStringLiteral("queue:stats")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith(QStringLiteral("queue:stats: ")), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestQueueCli suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_queue_cli.moc"
