// End-to-end processing: killmails queued as references (ID and hash) are fetched from the fake ESI over
// loopback, parsed, valued and stored by the real QueueWorkers. (a) Without a rate limit: killmails stored per
// second. (b) Under the killmail bucket scaled down in time: 200 answers per window against what it allows.
#include "BenchmarkSupport.h"
#include "FakeEsi.h"
#include "Fixtures.h"

#include "processing/QueueWorkers.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "staticdata/StaticData.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

using namespace km;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

constexpr int enqueueBatch = 1000;

/// 40 hex digits, as ESI's hashes are, derived from the ID.
QString syntheticHash(qint64 id)
{
    return QString::fromLatin1(QCryptographicHash::hash(QByteArray::number(id), QCryptographicHash::Sha1).toHex());
}

QByteArray withKillmailId(const QByteArray& body, qint64 id)
{
    QJsonObject object = QJsonDocument::fromJson(body).object();
    object.insert(QStringLiteral("killmail_id"), id);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// Serves `count` killmails from `esi`, the fixtures in turn each under a new ID from `firstId` on, and queues
/// them as references (no body), `enqueueBatch` a call.
void serveAndQueue(test::FakeEsi& esi, const DatabaseUrl& url, const std::vector<test::EsiFixture>& fixtures, int count,
                   qint64 firstId)
{
    Database database(url);
    JobQueue queue(database);
    KillmailJobs producer(database, queue);
    std::vector<KillmailJob> batch;
    for (int i = 0; i < count; ++i) {
        const qint64 id = firstId + i;
        const QString hash = syntheticHash(id);
        esi.addKillmail(id, hash, withKillmailId(fixtures[std::size_t(i) % fixtures.size()].body, id));
        batch.push_back({id, hash, QStringLiteral("benchmark"), {}, Priority::High});
        if (int(batch.size()) == enqueueBatch || i + 1 == count) {
            producer.enqueue(batch);
            batch.clear();
        }
    }
}

WorkerSettings workerSettings(const test::FakeEsi& esi, bool entityUpdates)
{
    WorkerSettings settings;
    settings.esi.baseUrl = esi.url();
    settings.entityUpdates = entityUpdates;
    // The entity jobs run at once rather than 10 s after their killmail: a short run sees the steady state.
    settings.entities.delay = 0ms;
    settings.killmails.stopGrace = 1s; // jobs still waiting for tokens at the end need not hold up the exit
    return settings;
}

/// 200 answers on the killmail route so far.
int killmailsServed(const test::FakeEsi& esi)
{
    int served = 0;
    for (const test::FakeEsi::Request& request : esi.requests()) {
        served += request.status == 200 && request.path.contains(QLatin1String("/killmails/")) ? 1 : 0;
    }
    return served;
}

struct Progress {
    qint64 stored = 0;
    qint64 lastStoredNs = 0;
};

/// Runs the workers until `expected` killmails were stored or `limit` passed, calling `onTick` every `tick`.
Progress runWorkers(const DatabaseUrl& url, const WorkerSettings& settings, qint64 expected, milliseconds limit,
                    const std::function<void()>& onTick = {}, milliseconds tick = 1s)
{
    QueueWorkers workers(url, settings);
    Progress progress;
    QElapsedTimer clock;
    bool stopped = false;
    QObject::connect(&workers.announcer(), &KillmailAnnouncer::stored, &workers, [&] {
        ++progress.stored;
        progress.lastStoredNs = clock.nsecsElapsed();
    });
    QObject::connect(&workers, &QueueWorkers::stopped, &workers, [&] { stopped = true; });
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    if (onTick) {
        QObject::connect(&ticker, &QTimer::timeout, onTick);
    }
    clock.start();
    workers.start();
    ticker.start(tick);
    bench::waitUntil([&] { return progress.stored >= expected || clock.hasExpired(limit.count()); }, limit + 1s);
    ticker.stop();
    workers.stop();
    bench::waitUntil([&] { return stopped; }, 30s);
    return progress;
}

/// (a): every job's killmail is served at once; killmails stored per second.
void unlimited(const DatabaseUrl& url, test::FakeEsi& esi, const std::vector<test::EsiFixture>& fixtures, int count,
               bool entityUpdates, qint64 firstId)
{
    esi.clearLog();
    esi.enforceBucket(1'000'000, 1s); // the fake's default bucket (3600/15m) would bind after 1,800 fetches
    serveAndQueue(esi, url, fixtures, count, firstId);
    const Progress progress = runWorkers(url, workerSettings(esi, entityUpdates), count, 10min);
    const QString label =
        QStringLiteral("(a) no rate limit, entity updates %1").arg(entityUpdates ? "on (at once)" : "off");
    bench::printRate(label, progress.stored, "killmails", bench::secondsOf(progress.lastStoredNs));
    bench::printLine(QStringLiteral("    %1 ESI requests (%2 killmails), %3 stored of %4 queued")
                         .arg(esi.requestCount())
                         .arg(esi.requestsTo(QStringLiteral("/killmails/")))
                         .arg(progress.stored)
                         .arg(count));
}

/// (b): the killmail bucket enforced, `tokens` per floating `window`, with more jobs than it allows in `windows`
/// windows. Prints the 200 answers of each window and their share of the allowed rate after the first window.
void rateLimited(const DatabaseUrl& url, test::FakeEsi& esi, const std::vector<test::EsiFixture>& fixtures, int tokens,
                 milliseconds window, int windows, qint64 firstId)
{
    const int allowed = tokens / 2; // a 200 costs 2 tokens
    const int queued = allowed * (windows + 3);
    esi.clearLog();
    esi.enforceBucket(tokens, window);
    esi.enforceErrorLimit(100, 60s);
    serveAndQueue(esi, url, fixtures, queued, firstId);
    std::vector<int> served{0};
    const Progress progress = runWorkers(
        url, workerSettings(esi, false), queued, window * windows + window / 2,
        [&] { served.push_back(killmailsServed(esi)); }, window);
    bench::printLine(QStringLiteral("(b) killmail bucket %1 tokens / %2 s (3600 / 15 min scaled), %3 queued, "
                                    "entity updates off")
                         .arg(tokens)
                         .arg(double(window.count()) / 1000)
                         .arg(queued));
    for (std::size_t k = 1; k < served.size(); ++k) {
        bench::printLine(QStringLiteral("    window %1: %2 killmails served (200), %3 allowed")
                             .arg(k)
                             .arg(served[k] - served[k - 1])
                             .arg(allowed));
    }
    const int steadyWindows = int(served.size()) - 2;
    if (steadyWindows <= 0) {
        bench::printLine(QStringLiteral("    INCOMPLETE: too few windows sampled"));
        return;
    }
    const int steady = served.back() - served[1];
    bench::printLine(QStringLiteral("    steady state (windows 2-%1): %2 of %3 allowed = %4% of the allowed rate "
                                    "(%5/s of %6/s)")
                         .arg(served.size() - 1)
                         .arg(steady)
                         .arg(allowed * steadyWindows)
                         .arg(100.0 * steady / (allowed * steadyWindows), 0, 'f', 1)
                         .arg(steady / (double(window.count()) / 1000 * steadyWindows), 0, 'f', 1)
                         .arg(allowed / (double(window.count()) / 1000), 0, 'f', 1));
    bench::printLine(QStringLiteral("    the fake sent %1 429s and %2 420s; %3 killmails stored")
                         .arg(esi.tooManyRequestsSent())
                         .arg(esi.errorLimitedSent())
                         .arg(progress.stored));
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QCommandLineOption countOption = bench::numberOption("killmails", "Killmails per unlimited run", 5000);
    const QCommandLineOption tokensOption = bench::numberOption("bucket-tokens", "Tokens of the scaled bucket", 600);
    const QCommandLineOption windowOption = bench::numberOption("bucket-window", "Its window, s", 10);
    const QCommandLineOption windowsOption = bench::numberOption("windows", "Windows of the rate-limited run", 5);
    QCommandLineParser parser;
    const auto url = bench::parseCommandLine(
        parser, QStringLiteral("Processing benchmark: killmails fetched from a fake ESI and stored by QueueWorkers."),
        {countOption, tokensOption, windowOption, windowsOption});
    if (!url) {
        return 2;
    }
    StaticData::bundled(); // loaded before any clock starts
    const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
    bench::printLine(QStringLiteral("processing benchmark on %1: %2 fixtures served by the fake ESI under new IDs, "
                                    "killmail runner concurrency %3")
                         .arg(QString::fromLatin1(bench::backendName(*url)))
                         .arg(fixtures.size())
                         .arg(RunnerSettings{}.concurrency));
    test::FakeEsiThread fake;
    const int count = parser.value(countOption).toInt();
    unlimited(*url, fake.fake(), fixtures, count, false, 3'000'000'000LL);
    unlimited(*url, fake.fake(), fixtures, count, true, 3'100'000'000LL);
    rateLimited(*url, fake.fake(), fixtures, parser.value(tokensOption).toInt(),
                std::chrono::seconds(parser.value(windowOption).toInt()), parser.value(windowsOption).toInt(),
                3'200'000'000LL);
    return 0;
}
