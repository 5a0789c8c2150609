// The live feed under load. Kills are stored by the real QueueWorkers (queued with their ESI bodies, so no fetch) and
// fanned out by a FeedHost on its own thread, as in the engine, to WebSocket clients with mixed subscriptions in both
// protocols, some of them stalled (connected, never reading). (a) Ingestion rate with every kill queued at once,
// without clients and with them. (b) Kills queued at a steady rate: delivery latency percentiles (stored, as the
// workers announce it, to received by a client) and the process's memory along the run.
#include "BenchmarkSupport.h"
#include "FeedTestClients.h"
#include "Fixtures.h"

#include "feed/FeedHost.h"
#include "feed/FeedServer.h"
#include "processing/QueueWorkers.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "staticdata/StaticData.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QWebSocket>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

using namespace km;
using namespace std::chrono_literals;

namespace {

using bench::nowNs;
using bench::residentMiB;

/// When each kill was announced as stored: written on the workers' threads, read on the clients'.
class StoredTimes {
public:
    void add(KillmailId id)
    {
        const std::lock_guard lock(m_mutex);
        m_times.insert(id, nowNs());
    }
    std::optional<qint64> of(KillmailId id) const
    {
        const std::lock_guard lock(m_mutex);
        const auto found = m_times.constFind(id);
        return found == m_times.cend() ? std::nullopt : std::optional(*found);
    }

private:
    mutable std::mutex m_mutex;
    QHash<KillmailId, qint64> m_times;
};

/// The killmail ID in a feed message, found without parsing the whole message.
KillmailId killmailIdIn(const QString& message)
{
    for (const QLatin1StringView key : {QLatin1StringView("\"killmailId\":"), QLatin1StringView("\"killmail_id\":")}) {
        const qsizetype at = message.indexOf(key);
        if (at >= 0) {
            const qsizetype start = at + key.size();
            qsizetype end = start;
            while (end < message.size() && message[end].isDigit()) {
                ++end;
            }
            return message.mid(start, end - start).toLongLong();
        }
    }
    return 0;
}

/// Clients on one thread: they note each kill's delivery latency.
class ClientGroup : public QObject {
public:
    ClientGroup(const StoredTimes& stored)
        : m_stored(stored)
    {
    }
    void open(const QUrl& url)
    {
        auto* socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        connect(socket, &QWebSocket::textMessageReceived, this, [this](const QString& message) {
            const KillmailId id = killmailIdIn(message);
            if (const auto stored = id ? m_stored.of(id) : std::nullopt) {
                const std::lock_guard lock(m_mutex);
                m_latenciesNs.push_back(nowNs() - *stored);
            }
        });
        connect(socket, &QWebSocket::connected, this, [this] { ++m_connected; });
        socket->open(url);
    }
    void stall(quint16 port, const QByteArray& path)
    {
        m_stalled.push_back(std::make_unique<test::RawWebSocket>(port, path, test::RawWebSocket::Reading::Nothing));
    }
    std::vector<qint64> takeLatencies()
    {
        const std::lock_guard lock(m_mutex);
        return std::exchange(m_latenciesNs, {});
    }
    [[nodiscard]] int connected() const { return m_connected; }

private:
    const StoredTimes& m_stored;
    std::mutex m_mutex;
    std::vector<qint64> m_latenciesNs;
    std::vector<std::unique_ptr<test::RawWebSocket>> m_stalled;
    std::atomic<int> m_connected{0};
};

/// `count` active clients with mixed subscriptions (both protocols) and `stalled` ones, over `threads` threads.
class ClientPool {
public:
    ClientPool(const QUrl& feed, int count, int stalled, int threads, const StoredTimes& stored)
    {
        const std::vector<Killmail> fixtures = test::allFixtureKillmails();
        for (int t = 0; t < threads; ++t) {
            auto thread = std::make_unique<QThread>();
            auto* group = new ClientGroup(stored);
            group->moveToThread(thread.get());
            QObject::connect(thread.get(), &QThread::finished, group, &QObject::deleteLater);
            thread->start();
            m_threads.push_back(std::move(thread));
            m_groups.push_back(group);
        }
        for (int i = 0; i < count; ++i) {
            const Killmail& fixture = fixtures[std::size_t(i) % fixtures.size()];
            const SolarSystemInfo* system = StaticData::bundled().solarSystem(fixture.solarSystemId);
            const QString topics[] = {QStringLiteral("all"),
                                      QStringLiteral("highsec"),
                                      QStringLiteral("nullsec,wspace"),
                                      QStringLiteral("isk:100m"),
                                      QStringLiteral("region:%1").arg(system ? system->regionId : 0),
                                      QStringLiteral("system:%1,lowsec").arg(fixture.solarSystemId),
                                      QStringLiteral("solo,npc"),
                                      QStringLiteral("ship:%1").arg(fixture.victim.shipTypeId),
                                      QStringLiteral("region:%1").arg(system ? system->regionId : 0)};
            const int kind = i % 9;
            QUrl url = feed;
            url.setScheme(QStringLiteral("ws"));
            url.setPath(kind == 8 ? QStringLiteral("/websocket/") : QStringLiteral("/killmails")); // zKillboard's
            url.setQuery(QStringLiteral("topics=") + topics[kind]);
            ClientGroup* group = m_groups[std::size_t(i % threads)];
            QMetaObject::invokeMethod(group, [group, url] { group->open(url); });
        }
        for (int i = 0; i < stalled; ++i) {
            ClientGroup* group = m_groups[std::size_t(i % threads)];
            const auto port = quint16(feed.port());
            QMetaObject::invokeMethod(group, [group, port] { group->stall(port, "/killmails?topics=all"); });
        }
        m_expected = count;
    }
    ~ClientPool()
    {
        for (auto& thread : m_threads) {
            thread->quit();
            thread->wait();
        }
    }
    ClientPool(const ClientPool&) = delete;
    ClientPool& operator=(const ClientPool&) = delete;

    [[nodiscard]] bool allConnected() const
    {
        int connected = 0;
        for (const ClientGroup* group : m_groups) {
            connected += group->connected();
        }
        return connected >= m_expected;
    }
    std::vector<qint64> takeLatencies()
    {
        std::vector<qint64> all;
        for (ClientGroup* group : m_groups) {
            const std::vector<qint64> some = group->takeLatencies();
            all.insert(all.end(), some.begin(), some.end());
        }
        return all;
    }

private:
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<ClientGroup*> m_groups;
    int m_expected = 0;
};

/// Queues the fixtures in turn under new IDs from `nextId` on, with their ESI bodies.
class KillSupply {
public:
    KillSupply(const DatabaseUrl& url, qint64 firstId)
        : m_database(url)
        , m_queue(m_database)
        , m_producer(m_database, m_queue)
        , m_fixtures(test::allEsiFixtures())
        , m_nextId(firstId)
    {
    }
    void queue(int count)
    {
        std::vector<KillmailJob> batch;
        for (int i = 0; i < count; ++i, ++m_nextId) {
            QJsonObject body =
                QJsonDocument::fromJson(m_fixtures[std::size_t(m_nextId) % m_fixtures.size()].body).object();
            body.insert(QStringLiteral("killmail_id"), m_nextId);
            batch.push_back({m_nextId, QStringLiteral("%1").arg(m_nextId, 40, 16, QLatin1Char('0')),
                             QStringLiteral("benchmark"), QJsonDocument(body).toJson(QJsonDocument::Compact),
                             Priority::High});
        }
        m_producer.enqueue(batch);
    }

private:
    Database m_database;
    JobQueue m_queue;
    KillmailJobs m_producer;
    std::vector<test::EsiFixture> m_fixtures;
    qint64 m_nextId;
};

/// The workers, announcing to the feed and noting each kill's stored time; `run` until `expected` were stored.
class Ingestion {
public:
    Ingestion(const DatabaseUrl& url, FeedHost& feed, StoredTimes& times)
        : m_workers(url, settings())
    {
        QObject::connect(&m_workers.announcer(), &KillmailAnnouncer::stored, feed.server(), &FeedServer::publish);
        QObject::connect(
            &m_workers.announcer(), &KillmailAnnouncer::stored, &m_workers,
            [this, &times](const StoredKillmail& stored) {
                times.add(stored.killmailId);
                ++m_stored;
            },
            Qt::DirectConnection);
        QObject::connect(&m_workers, &QueueWorkers::stopped, &m_workers, [this] { m_stopped = true; });
        m_workers.start();
    }
    ~Ingestion()
    {
        m_workers.stop();
        bench::waitUntil([this] { return m_stopped.load(); }, 60s);
    }
    Ingestion(const Ingestion&) = delete;
    Ingestion& operator=(const Ingestion&) = delete;

    [[nodiscard]] qint64 stored() const { return m_stored; }

private:
    static WorkerSettings settings()
    {
        WorkerSettings settings;
        settings.esi.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:9")); // never asked: the bodies are queued
        settings.entityUpdates = false;
        settings.killmails.stopGrace = 1s;
        return settings;
    }

    QueueWorkers m_workers;
    std::atomic<qint64> m_stored{0};
    std::atomic<bool> m_stopped{false};
};

/// (a): `count` kills queued at once; stored per second.
double ingestionRate(const DatabaseUrl& url, FeedHost& feed, KillSupply& supply, int count, const QString& label)
{
    StoredTimes times;
    supply.queue(count);
    const qint64 start = nowNs();
    const qint64 end = [&] {
        Ingestion ingestion(url, feed, times);
        bench::waitUntil([&] { return ingestion.stored() >= count; }, 30min);
        return nowNs();
    }();
    bench::printRate(label, count, "killmails", bench::secondsOf(end - start));
    return count / bench::secondsOf(end - start);
}

QString percentile(std::vector<qint64>& sorted, double share)
{
    if (sorted.empty()) {
        return QStringLiteral("-");
    }
    const auto index = std::min(sorted.size() - 1, std::size_t(share * double(sorted.size())));
    return QString::number(double(sorted[index]) / 1e6, 'f', 1);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QCommandLineOption clientsOption = bench::numberOption("clients", "Active WebSocket clients", 450);
    const QCommandLineOption stalledOption = bench::numberOption("stalled", "Stalled clients among them", 50);
    const QCommandLineOption threadsOption = bench::numberOption("client-threads", "Threads the clients run on", 2);
    const QCommandLineOption countOption = bench::numberOption("killmails", "Killmails per ingestion run", 3000);
    const QCommandLineOption rateOption = bench::numberOption("rate", "Killmails per second in the latency run", 200);
    const QCommandLineOption secondsOption = bench::numberOption("seconds", "Length of the latency run, s", 30);
    QCommandLineParser parser;
    const auto url = bench::parseCommandLine(
        parser, QStringLiteral("Live feed benchmark: kills stored by QueueWorkers, fanned out to WebSocket clients."),
        {clientsOption, stalledOption, threadsOption, countOption, rateOption, secondsOption});
    if (!url) {
        return 2;
    }
    StaticData::bundled();
    const int clients = parser.value(clientsOption).toInt();
    const int stalled = parser.value(stalledOption).toInt();
    const int count = parser.value(countOption).toInt();
    const int rate = parser.value(rateOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();

    FeedSettings settings;
    settings.port = 0;
    settings.maxConnectionsPerAddress = clients + stalled + 10;
    FeedHost feed(settings, *url);
    QString error;
    if (!feed.start(error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    KillSupply supply(*url, 4'000'000'000LL);
    bench::printLine(QStringLiteral("live feed benchmark on %1: %2 active clients (every 9th on the zKillboard "
                                    "protocol) and %3 stalled ones on %4 threads")
                         .arg(QString::fromLatin1(bench::backendName(*url)))
                         .arg(clients)
                         .arg(stalled)
                         .arg(parser.value(threadsOption)));

    const double alone = ingestionRate(*url, feed, supply, count, QStringLiteral("(a) ingestion, no clients"));
    StoredTimes times;
    ClientPool pool(feed.url(), clients, stalled, parser.value(threadsOption).toInt(), times);
    bench::waitUntil([&] { return pool.allConnected() && feed.counters().clients >= clients + stalled; }, 5min);
    const double withClients =
        ingestionRate(*url, feed, supply, count, QStringLiteral("(a) ingestion, %1 clients").arg(clients + stalled));
    bench::printLine(QStringLiteral("    with the clients: %1% of the rate without; %2 messages sent, %3 clients "
                                    "dropped as too slow")
                         .arg(100.0 * withClients / alone, 0, 'f', 1)
                         .arg(feed.counters().messagesSent.load())
                         .arg(feed.counters().droppedSlow.load()));
    pool.takeLatencies(); // (a)'s bursts are not (b)'s steady rate

    // (b): a tenth of a second's kills every 100 ms.
    const double startMiB = residentMiB();
    double peakMiB = startMiB;
    const qint64 droppedBefore = feed.counters().droppedSlow;
    const qint64 sentBefore = feed.counters().messagesSent;
    {
        Ingestion ingestion(*url, feed, times);
        QTimer producer;
        producer.setTimerType(Qt::PreciseTimer);
        int queued = 0;
        QObject::connect(&producer, &QTimer::timeout, [&] {
            supply.queue(rate / 10);
            queued += rate / 10;
            peakMiB = std::max(peakMiB, residentMiB());
        });
        producer.start(100);
        bench::waitUntil([&] { return queued >= rate * seconds; }, std::chrono::seconds(seconds) * 10);
        producer.stop();
        bench::waitUntil([&] { return ingestion.stored() >= queued; }, 5min);
        bench::waitUntil([] { return false; }, 1s); // the last deliveries
        bench::printLine(QStringLiteral("(b) %1 killmails queued at %2/s for %3 s, %4 stored")
                             .arg(queued)
                             .arg(rate)
                             .arg(seconds)
                             .arg(ingestion.stored()));
    }
    std::vector<qint64> latencies = pool.takeLatencies();
    std::sort(latencies.begin(), latencies.end());
    bench::printLine(QStringLiteral("    %1 deliveries (%2 messages sent): latency stored -> received p50 %3 ms, "
                                    "p90 %4 ms, p99 %5 ms, max %6 ms")
                         .arg(latencies.size())
                         .arg(feed.counters().messagesSent - sentBefore)
                         .arg(percentile(latencies, 0.5), percentile(latencies, 0.9), percentile(latencies, 0.99),
                              percentile(latencies, 1.0)));
    bench::printLine(QStringLiteral("    memory: %1 MiB at the start, %2 MiB at most, %3 MiB at the end; %4 clients "
                                    "dropped as too slow in this run, %5 connected")
                         .arg(startMiB, 0, 'f', 0)
                         .arg(peakMiB, 0, 'f', 0)
                         .arg(residentMiB(), 0, 'f', 0)
                         .arg(feed.counters().droppedSlow - droppedBefore)
                         .arg(feed.counters().clients.load()));
    return 0;
}
