// The soak: `killmail-console --headless` as a process for a long run (30 minutes by default) at a steady rate of
// unique kills (50/s) from the fakes, R2Z2 (records with their ESI bodies) and EVE-KILL's WebSocket feed (the
// engine fetches those bodies from the fake ESI), with every source flapping: the WebSocket feed dropped and refusing
// for a while, R2Z2 and ESI answering errors, dropped connections and a throttle; on PostgreSQL the database is
// stopped and started again twice. A tenth of R2Z2's kills also come over the WebSocket (the engine must store them
// once). Prints the engine's memory each minute, latency published -> stored (as the engine's own live feed
// announces it) and, at the end, counts from the database: published, stored, duplicates, lost, incomplete.
#include "BenchmarkSupport.h"
#include "FakeEsi.h"
#include "FakeEveKill.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QWebSocket>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <set>

using namespace km;
using namespace std::chrono_literals;

namespace {

using bench::nowNs;

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

double percentileMs(const std::vector<qint64>& sorted, double share)
{
    if (sorted.empty()) {
        return 0;
    }
    return double(sorted[std::min(sorted.size() - 1, std::size_t(share * double(sorted.size())))]) / 1e6;
}

QString percentiles(std::vector<qint64> latencies)
{
    std::sort(latencies.begin(), latencies.end());
    return QStringLiteral("p50 %1 ms, p95 %2 ms, p99 %3 ms, max %4 ms")
        .arg(percentileMs(latencies, 0.5), 0, 'f', 0)
        .arg(percentileMs(latencies, 0.95), 0, 'f', 0)
        .arg(percentileMs(latencies, 0.99), 0, 'f', 0)
        .arg(percentileMs(latencies, 1.0), 0, 'f', 0);
}

/// Published -> announced as stored, for the arrivals [begin, end) that `included` takes (all by default).
template <typename Iterator>
std::vector<qint64> latenciesOf(Iterator begin, Iterator end, const std::map<KillmailId, qint64>& publishedAt,
                                const std::function<bool(KillmailId)>& included = {})
{
    std::vector<qint64> latencies;
    for (Iterator arrival = begin; arrival != end; ++arrival) {
        const auto published = publishedAt.find(arrival->first);
        if (published != publishedAt.end() && (!included || included(arrival->first))) {
            latencies.push_back(arrival->second - published->second);
        }
    }
    return latencies;
}

/// The engine's memory over the run, sampled once a minute: the first third is warm-up (caches filling); over the
/// rest, the least-squares slope says whether it still grows.
struct MemoryTrend {
    double warmMiB = 0;
    double slopeMiBPerMinute = 0;
    /// Growth over the last two thirds as the slope has it, as a share of the memory after warm-up.
    double growthShare = 0;

    static MemoryTrend of(const std::vector<double>& minuteMiB)
    {
        MemoryTrend trend;
        const std::size_t warmUp = minuteMiB.size() / 3;
        if (minuteMiB.size() - warmUp < 3) {
            return trend;
        }
        trend.warmMiB = minuteMiB[warmUp];
        const double count = double(minuteMiB.size() - warmUp);
        double sumX = 0;
        double sumY = 0;
        double sumXY = 0;
        double sumXX = 0;
        for (std::size_t minute = warmUp; minute < minuteMiB.size(); ++minute) {
            const double x = double(minute);
            sumX += x;
            sumY += minuteMiB[minute];
            sumXY += x * minuteMiB[minute];
            sumXX += x * x;
        }
        trend.slopeMiBPerMinute = (count * sumXY - sumX * sumY) / (count * sumXX - sumX * sumX);
        trend.growthShare = trend.slopeMiBPerMinute * (count - 1) / trend.warmMiB;
        return trend;
    }
    /// Flat: what the last two thirds add is under a tenth of the memory after warm-up.
    [[nodiscard]] bool flat() const { return growthShare < 0.1; }
};

/// Runs `work` on the thread of `fake` (a fake serving from a FakeThread), waiting for it.
template <typename Fake, typename Work>
void onFakeThread(Fake& fake, Work work)
{
    QMetaObject::invokeMethod(
        &fake, [&fake, &work] { work(fake); }, Qt::BlockingQueuedConnection);
}

/// The fixtures under new killmail IDs and hashes, killed now: each is a kill the engine has not seen.
class KillFactory {
public:
    explicit KillFactory(KillmailId firstId)
        : m_fixtures(test::allEsiFixtures())
        , m_nextId(firstId)
    {
        for (const test::EsiFixture& fixture : m_fixtures) {
            const QJsonObject body = QJsonDocument::fromJson(fixture.body).object();
            m_attackers.push_back(int(body.value(QStringLiteral("attackers")).toArray().size()));
        }
    }

    test::EsiFixture next()
    {
        const KillmailId id = m_nextId++;
        QJsonObject body = QJsonDocument::fromJson(m_fixtures[fixtureOf(id)].body).object();
        body.insert(QStringLiteral("killmail_id"), qint64(id));
        body.insert(QStringLiteral("killmail_time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
        return {id, QStringLiteral("%1").arg(id, 40, 16, QLatin1Char('0')),
                QJsonDocument(body).toJson(QJsonDocument::Compact)};
    }
    [[nodiscard]] KillmailId firstId() const { return m_firstId; }
    [[nodiscard]] std::size_t fixtureOf(KillmailId id) const { return std::size_t(id - m_firstId) % m_fixtures.size(); }
    [[nodiscard]] int attackersOf(KillmailId id) const { return m_attackers[fixtureOf(id)]; }

private:
    std::vector<test::EsiFixture> m_fixtures;
    std::vector<int> m_attackers;
    const KillmailId m_firstId = m_nextId;
    KillmailId m_nextId;
};

/// The fakes the engine follows, each serving from its own thread.
struct Fakes {
    test::FakeThread<test::FakeZkillboard> zkillboard;
    test::FakeThread<test::FakeEsi> esi;
    test::FakeThread<test::FakeEveKillFeed> eveKill;
    QUrl eveKillUrl;

    Fakes()
    {
        // The engine keeps to ESI's bucket as the headers announce it: a large one, for a local fake.
        esi.fake().enforceBucket(1'000'000, 15min);
        onFakeThread(eveKill.fake(), [this](test::FakeEveKillFeed& feed) { eveKillUrl = feed.url(); });
    }
    [[nodiscard]] int eveKillClients()
    {
        int open = 0;
        onFakeThread(eveKill.fake(), [&open](test::FakeEveKillFeed& feed) { open = feed.openConnections(); });
        return open;
    }
};

/// Publishes kills at a steady rate: `r2z2Share` of them on R2Z2, the rest on the WebSocket feed while it has a
/// client (on R2Z2 otherwise); notes when each was published.
class Publisher {
public:
    Publisher(Fakes& fakes, KillFactory& kills, int rate, double r2z2Share)
        : m_fakes(fakes)
        , m_kills(kills)
        , m_rate(rate)
        , m_r2z2Share(r2z2Share)
    {
        m_ticker.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_ticker, &QTimer::timeout, [this] { tick(); });
    }

    void start()
    {
        m_clock.start();
        m_ticker.start(20);
    }
    void stop() { m_ticker.stop(); }
    /// The WebSocket feed is (not) to be used: off before it is dropped, on once the engine is back on it.
    void setEveKillUp(bool up) { m_eveKillUp = up; }

    [[nodiscard]] const std::map<KillmailId, qint64>& publishedAt() const { return m_publishedAt; }
    /// Whether the kill went out on R2Z2 (alone or also on the WebSocket).
    [[nodiscard]] bool wentOnR2z2(KillmailId id) const { return m_onR2z2.contains(id); }
    [[nodiscard]] qint64 viaEveKill() const { return m_viaEveKill; }
    [[nodiscard]] qint64 sentTwice() const { return m_sentTwice; }

private:
    void tick()
    {
        const qint64 due = m_clock.elapsed() * m_rate / 1000;
        for (; m_count < due; ++m_count) {
            publishOne();
        }
    }

    void publishOne()
    {
        const test::EsiFixture kill = m_kills.next();
        m_fakes.esi.fake().addKillmail(kill.killmailId, kill.hash, kill.body);
        m_publishedAt.emplace(kill.killmailId, nowNs());
        const bool onR2z2 = !m_eveKillUp || double(m_count % 100) < m_r2z2Share * 100;
        if (onR2z2) {
            m_onR2z2.insert(kill.killmailId);
            const qint64 sequence = m_fakes.zkillboard.fake().publish(kill);
            m_fakes.zkillboard.fake().setAnnouncedSequence(sequence);
        }
        // A tenth of R2Z2's kills come over the WebSocket too, as the same kill reaches the engine by two roads.
        const bool alsoOnEveKill = onR2z2 && m_eveKillUp && m_count % 10 == 0;
        if (!onR2z2 || alsoOnEveKill) {
            const QString message = test::eveKillKillmailMessage(test::eveKillDocument(kill));
            test::FakeEveKillFeed* feed = &m_fakes.eveKill.fake();
            QMetaObject::invokeMethod(feed, [feed, message] { feed->sendText(message); });
            ++(onR2z2 ? m_sentTwice : m_viaEveKill);
        }
    }

    Fakes& m_fakes;
    KillFactory& m_kills;
    const int m_rate;
    const double m_r2z2Share;
    QTimer m_ticker;
    QElapsedTimer m_clock;
    qint64 m_count = 0;
    bool m_eveKillUp = false;
    std::map<KillmailId, qint64> m_publishedAt;
    std::set<KillmailId> m_onR2z2;
    qint64 m_viaEveKill = 0;
    qint64 m_sentTwice = 0;
};

/// A client of the engine's own live feed: when each kill was announced as stored, and how often.
class StoredWatcher : public QObject {
public:
    explicit StoredWatcher(QUrl url)
        : m_url(std::move(url))
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, &StoredWatcher::received);
        connect(&m_socket, &QWebSocket::disconnected, this,
                [this] { QTimer::singleShot(1s, this, [this] { m_socket.open(m_url); }); });
        m_socket.open(m_url);
    }
    [[nodiscard]] bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    [[nodiscard]] const std::map<KillmailId, qint64>& storedAt() const { return m_storedAt; }
    /// The kills announced, in the order they came.
    [[nodiscard]] const std::vector<std::pair<KillmailId, qint64>>& arrivals() const { return m_arrivals; }
    [[nodiscard]] qint64 announcedTwice() const { return m_announcedTwice; }

private:
    void received(const QString& message)
    {
        const QJsonObject data = QJsonDocument::fromJson(message.toUtf8()).object().value(u"data").toObject();
        const KillmailId id = data.value(u"killmailId").toInteger();
        if (id == 0) {
            return;
        }
        const qint64 at = nowNs();
        if (m_storedAt.emplace(id, at).second) {
            m_arrivals.emplace_back(id, at);
        } else {
            ++m_announcedTwice;
        }
    }

    QUrl m_url;
    QWebSocket m_socket;
    std::map<KillmailId, qint64> m_storedAt;
    std::vector<std::pair<KillmailId, qint64>> m_arrivals;
    qint64 m_announcedTwice = 0;
};

/// Makes the sources flap, one trouble after the other, every `period`: the WebSocket feed gone for 20 s (dropped,
/// then refusing), R2Z2 answering errors and garbage and a throttle, ESI failing killmail fetches.
class Flapper {
public:
    Flapper(Fakes& fakes, Publisher& publisher, std::chrono::seconds period)
        : m_fakes(fakes)
        , m_publisher(publisher)
    {
        QObject::connect(&m_ticker, &QTimer::timeout, [this] { next(); });
        m_ticker.start(period / 3);
        QObject::connect(&m_watch, &QTimer::timeout, [this] { watchEveKill(); });
        m_watch.start(500);
    }
    [[nodiscard]] int flaps() const { return m_flaps; }

private:
    void next()
    {
        ++m_flaps;
        switch (m_flaps % 3) {
        case 1: eveKillAway(); break;
        case 2: r2z2Errors(); break;
        default: esiErrors(); break;
        }
    }

    void eveKillAway()
    {
        m_publisher.setEveKillUp(false);
        m_upSince.invalidate();
        m_away = true;
        onFakeThread(m_fakes.eveKill.fake(), [](test::FakeEveKillFeed& feed) {
            feed.setDropNewConnections(true);
            feed.dropAll();
        });
        QTimer::singleShot(20s, [this] {
            onFakeThread(m_fakes.eveKill.fake(),
                         [](test::FakeEveKillFeed& feed) { feed.setDropNewConnections(false); });
            m_away = false;
        });
    }

    /// Kills go to the WebSocket feed once the engine has been on it for 2 s (subscribed by then).
    void watchEveKill()
    {
        if (m_away || m_fakes.eveKillClients() == 0) {
            m_publisher.setEveKillUp(false);
            m_upSince.invalidate();
            return;
        }
        if (!m_upSince.isValid()) {
            m_upSince.start();
        }
        if (m_upSince.elapsed() >= 2000) {
            m_publisher.setEveKillUp(true);
        }
    }

    void r2z2Errors()
    {
        using Answer = test::FakeHttpServer::Answer;
        test::FakeZkillboard& zkillboard = m_fakes.zkillboard.fake();
        const QString feed = QStringLiteral("/ephemeral/");
        zkillboard.script(feed, Answer{503, "Service Unavailable", {}, Answer::Normal});
        zkillboard.script(feed, Answer{200, {}, {}, Answer::Drop});
        zkillboard.script(feed, Answer{200, "{\"sequence\": 12", {}, Answer::Truncate});
        zkillboard.script(feed, Answer{500, "<html>oops</html>", {{"Content-Type", "text/html"}}, Answer::Normal});
        zkillboard.script(feed, Answer{429, "{}", {{"Retry-After", "3"}}, Answer::Normal});
    }

    void esiErrors()
    {
        using Answer = test::FakeHttpServer::Answer;
        test::FakeEsi& esi = m_fakes.esi.fake();
        const QString killmails = QStringLiteral("/killmails/");
        esi.script(killmails,
                   Answer{502, test::FakeHttpServer::errorBody(QStringLiteral("Bad gateway")), {}, Answer::Normal});
        esi.script(killmails, Answer{200, {}, {}, Answer::Drop});
        esi.script(killmails,
                   Answer{504, test::FakeHttpServer::errorBody(QStringLiteral("Timeout")), {}, Answer::Normal});
    }

    Fakes& m_fakes;
    Publisher& m_publisher;
    QTimer m_ticker;
    QTimer m_watch;
    QElapsedTimer m_upSince;
    bool m_away = false;
    int m_flaps = 0;
};

/// Stops the PostgreSQL cluster of tests/postgres-cluster.sh (`dir`) for `outage`, then starts it again; the
/// script runs beside the event loop.
class DatabaseRestarter {
public:
    DatabaseRestarter(QString script, QString dir, std::chrono::seconds outage)
        : m_script(std::move(script))
        , m_dir(std::move(dir))
        , m_outage(outage)
    {
    }
    void restart()
    {
        bench::printLine(QStringLiteral("    stopping PostgreSQL for %1 s").arg(m_outage.count()));
        run(QStringLiteral("halt"), [this] {
            QTimer::singleShot(m_outage, [this] {
                run(QStringLiteral("resume"), [this] {
                    ++m_restarts;
                    bench::printLine(QStringLiteral("    PostgreSQL started again"));
                });
            });
        });
    }
    [[nodiscard]] int restarts() const { return m_restarts; }

private:
    void run(const QString& action, std::function<void()> then)
    {
        auto* process = new QProcess;
        process->setProcessChannelMode(QProcess::ForwardedChannels);
        QObject::connect(process, &QProcess::finished, [process, action, then](int code) {
            if (code != 0) {
                bench::printLine(QStringLiteral("    postgres-cluster.sh %1 failed (%2)").arg(action).arg(code));
            }
            process->deleteLater();
            then();
        });
        process->start(m_script, {action, m_dir});
    }

    QString m_script;
    QString m_dir;
    std::chrono::seconds m_outage;
    int m_restarts = 0;
};

/// `killmail-console --headless` on the fakes, with its own empty config and only the settings given here.
class EngineProcess {
public:
    EngineProcess(const QString& program, const QString& databaseUrl, Fakes& fakes, quint16 feedPort,
                  const QString& logPath)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString& name : environment.keys()) {
            if (name.startsWith(QLatin1StringView("KILLMAIL_"))) {
                environment.remove(name);
            }
        }
        environment.insert(QStringLiteral("KILLMAIL_CONFIG"), m_config.filePath(QStringLiteral("none.conf")));
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_config.path());
        environment.insert(QStringLiteral("XDG_DATA_HOME"), m_config.path());
        QFile(m_config.filePath(QStringLiteral("none.conf"))).open(QIODevice::WriteOnly);
        const QString nowhere = QStringLiteral("http://127.0.0.1:9");
        m_process.setProcessEnvironment(environment);
        m_process.setStandardOutputFile(logPath);
        m_process.setStandardErrorFile(logPath, QIODevice::Append);
        m_process.start(program,
                        {QStringLiteral("--headless"),
                         QStringLiteral("--database"),
                         databaseUrl,
                         QStringLiteral("--sources"),
                         QStringLiteral("r2z2,ekws"),
                         QStringLiteral("--r2z2-url"),
                         fakes.zkillboard.fake().url().toString(),
                         QStringLiteral("--history-url"),
                         fakes.zkillboard.fake().url().toString(),
                         QStringLiteral("--ekws-url"),
                         fakes.eveKillUrl.toString(),
                         QStringLiteral("--esi-url"),
                         fakes.esi.fake().url().toString(),
                         QStringLiteral("--evekill-url"),
                         nowhere,
                         QStringLiteral("--everef-url"),
                         nowhere,
                         QStringLiteral("--sde-url"),
                         nowhere,
                         QStringLiteral("--no-price-refresh"),
                         QStringLiteral("--metrics-port"),
                         QStringLiteral("0"),
                         QStringLiteral("--feed-port"),
                         QString::number(feedPort)});
        m_process.waitForStarted();
    }
    ~EngineProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    EngineProcess(const EngineProcess&) = delete;
    EngineProcess& operator=(const EngineProcess&) = delete;

    [[nodiscard]] bool running() const { return m_process.state() == QProcess::Running; }
    [[nodiscard]] double residentMiB() const { return bench::residentMiB(m_process.processId()); }
    /// SIGTERM; the exit code (-1 when it had to be killed or crashed).
    int stop()
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        if (!m_process.waitForFinished(60000)) {
            return -1;
        }
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

private:
    QTemporaryDir m_config;
    QProcess m_process;
};

/// What the database holds of the kills published, read after the run.
struct StoredCounts {
    qint64 rows = 0;
    qint64 distinct = 0;
    std::vector<KillmailId> lost;
    qint64 attackerMismatches = 0;
    qint64 itemMismatches = 0;
    qint64 failedJobs = 0;
    qint64 unfinishedJobs = 0;
};

StoredCounts countStored(const DatabaseUrl& url, const KillFactory& kills,
                         const std::map<KillmailId, qint64>& published)
{
    Database database(url);
    StoredCounts counts;
    const QVariantList from{qint64(kills.firstId())};
    counts.rows =
        database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM killmails WHERE "killmailId" >= ?)"), from).toLongLong();
    std::map<KillmailId, qint64> attackers;
    QSqlQuery rows = database.exec(QStringLiteral(R"(SELECT k."killmailId", (SELECT COUNT(*) FROM attackers a
        WHERE a."killmailId" = k."killmailId") FROM killmails k WHERE k."killmailId" >= ?)"),
                                   from);
    while (rows.next()) {
        attackers[rows.value(0).toLongLong()] = rows.value(1).toLongLong();
    }
    counts.distinct = qint64(attackers.size());
    for (const auto& [id, when] : published) {
        const auto stored = attackers.find(id);
        if (stored == attackers.end()) {
            counts.lost.push_back(id);
        } else if (stored->second != kills.attackersOf(id)) {
            ++counts.attackerMismatches;
        }
    }
    // Items: every copy of a fixture holds as many item rows as the others.
    std::map<std::size_t, std::map<qint64, qint64>> itemCounts; // fixture -> item rows -> kills
    QSqlQuery items = database.exec(QStringLiteral(R"(SELECT k."killmailId", (SELECT COUNT(*) FROM items i
        WHERE i."killmailId" = k."killmailId") FROM killmails k WHERE k."killmailId" >= ?)"),
                                    from);
    while (items.next()) {
        ++itemCounts[kills.fixtureOf(items.value(0).toLongLong())][items.value(1).toLongLong()];
    }
    for (const auto& [fixture, byCount] : itemCounts) {
        qint64 all = 0;
        qint64 most = 0;
        for (const auto& [rowCount, killCount] : byCount) {
            all += killCount;
            most = std::max(most, killCount);
        }
        counts.itemMismatches += all - most;
    }
    counts.failedJobs = database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM jobs WHERE "state" = 3)")).toLongLong();
    counts.unfinishedJobs =
        database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM jobs WHERE "state" IN (0, 1))")).toLongLong();
    return counts;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QCommandLineOption minutesOption = bench::numberOption("minutes", "Length of the run, minutes", 30);
    const QCommandLineOption rateOption = bench::numberOption("rate", "Kills published per second", 50);
    const QCommandLineOption r2z2Option =
        bench::numberOption("r2z2-percent", "Share of the kills published on R2Z2 (it allows 20 requests/s)", 20);
    const QCommandLineOption flapOption =
        bench::numberOption("flap-seconds", "Every source flaps once in this many seconds", 180);
    const QCommandLineOption drainOption =
        bench::numberOption("drain-seconds", "How long to wait for the last kills after publishing stops", 600);
    const QCommandLineOption outageOption =
        bench::numberOption("outage-seconds", "How long PostgreSQL stays stopped at each restart", 20);
    const QCommandLineOption clusterOption(
        QStringLiteral("cluster"),
        QStringLiteral("The folder of tests/postgres-cluster.sh whose server --postgres names: it is stopped and "
                       "started again twice during the run."),
        QStringLiteral("dir"));
    const QCommandLineOption consoleOption(QStringLiteral("console"),
                                           QStringLiteral("The killmail-console to run (default: the one built)."),
                                           QStringLiteral("path"), QStringLiteral(KILLMAIL_CONSOLE_PROGRAM));
    const QCommandLineOption logOption(QStringLiteral("engine-log"),
                                       QStringLiteral("Where the engine's output goes (default: soak-engine.log)."),
                                       QStringLiteral("path"), QStringLiteral("soak-engine.log"));
    QCommandLineParser parser;
    const auto url = bench::parseCommandLine(
        parser,
        QStringLiteral("Soak: the headless engine on flapping fakes at a steady rate; memory, latency and counts."),
        {minutesOption, rateOption, r2z2Option, flapOption, drainOption, outageOption, clusterOption, consoleOption,
         logOption});
    if (!url) {
        return 2;
    }
    if (parser.isSet(clusterOption) && url->backend != Backend::Postgres) {
        std::fprintf(stderr, "--cluster goes with --postgres\n");
        return 2;
    }
    const auto length = std::chrono::minutes(parser.value(minutesOption).toInt());
    const int rate = parser.value(rateOption).toInt();

    Fakes fakes;
    KillFactory kills(5'000'000'000LL);
    Publisher publisher(fakes, kills, rate, parser.value(r2z2Option).toDouble() / 100);
    // R2Z2 is joined at its first record: one is out before the engine starts.
    publisher.start();
    bench::waitUntil([&] { return !publisher.publishedAt().empty(); }, 10s);
    publisher.stop();

    const quint16 feedPort = freePort();
    const QString urlText = url->backend == Backend::Postgres
        ? parser.value(QStringLiteral("postgres"))
        : QStringLiteral("sqlite://") + parser.value(QStringLiteral("sqlite"));
    EngineProcess engine(parser.value(consoleOption), urlText, fakes, feedPort, parser.value(logOption));
    StoredWatcher watcher(QUrl(QStringLiteral("ws://127.0.0.1:%1/killmails?topics=all").arg(feedPort)));
    if (!bench::waitUntil([&] { return watcher.connected() || !engine.running(); }, 2min) || !engine.running()) {
        std::fprintf(stderr, "the engine did not start (see %s)\n", qPrintable(parser.value(logOption)));
        return 1;
    }
    bench::printLine(
        QStringLiteral("soak on %1: %2 kills/s for %3 min (%4% on R2Z2, the rest on EVE-KILL's "
                       "WebSocket), sources flapping every %5 s%6")
            .arg(QString::fromLatin1(bench::backendName(*url)))
            .arg(rate)
            .arg(length.count())
            .arg(parser.value(r2z2Option), parser.value(flapOption))
            .arg(parser.isSet(clusterOption) ? QStringLiteral(", PostgreSQL restarted twice") : QString()));
    bench::printLine(QStringLiteral("minute  engine RSS MiB  published    stored  latency published -> stored (this "
                                    "minute)"));

    Flapper flapper(fakes, publisher, std::chrono::seconds(parser.value(flapOption).toInt()));
    std::optional<DatabaseRestarter> restarter;
    if (parser.isSet(clusterOption)) {
        restarter.emplace(QStringLiteral(KILLMAIL_POSTGRES_CLUSTER_SCRIPT), parser.value(clusterOption),
                          std::chrono::seconds(parser.value(outageOption).toInt()));
        QTimer::singleShot(length / 3, [&] { restarter->restart(); });
        QTimer::singleShot(length * 2 / 3, [&] { restarter->restart(); });
    }

    QElapsedTimer clock;
    clock.start();
    const double startMiB = engine.residentMiB();
    double peakMiB = startMiB;
    std::vector<double> minuteMiB;
    std::size_t latenciesSeen = 0;
    auto minuteReport = [&](int minute) {
        const auto& arrivals = watcher.arrivals();
        const std::vector<qint64> latencies =
            latenciesOf(arrivals.begin() + qsizetype(latenciesSeen), arrivals.end(), publisher.publishedAt());
        latenciesSeen = arrivals.size();
        const double mib = engine.residentMiB();
        minuteMiB.push_back(mib);
        bench::printLine(QStringLiteral("%1  %2  %3  %4  %5")
                             .arg(minute, 6)
                             .arg(mib, 14, 'f', 1)
                             .arg(qint64(publisher.publishedAt().size()), 9)
                             .arg(qint64(arrivals.size()), 8)
                             .arg(percentiles(latencies)));
    };
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] { peakMiB = std::max(peakMiB, engine.residentMiB()); });
    sampler.start(5s);
    QTimer minutes;
    int minute = 0;
    QObject::connect(&minutes, &QTimer::timeout, [&] { minuteReport(++minute); });
    minutes.start(1min);

    publisher.start();
    bench::waitUntil([&] { return clock.elapsed() >= std::chrono::milliseconds(length).count() || !engine.running(); },
                     length + 1min, 100ms);
    publisher.stop();
    const qint64 published = qint64(publisher.publishedAt().size());
    // Drained when the database holds them all (the engine's feed may miss announcing a kill stored while the
    // database was away: the count is what matters).
    std::optional<Database> reader;
    const auto storedInDatabase = [&]() -> qint64 {
        try {
            if (!reader) {
                reader.emplace(*url);
            }
            return reader
                ->scalar(
                    QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails WHERE "killmailId" >= ?)"),
                    {qint64(kills.firstId())})
                .toLongLong();
        } catch (const std::exception&) {
            reader.reset();
            return 0;
        }
    };
    const bool drained = bench::waitUntil([&] { return storedInDatabase() >= published; },
                                          std::chrono::seconds(parser.value(drainOption).toInt()), 2s);
    reader.reset();
    bench::printLine(QStringLiteral("publishing stopped after %1 s; %2 after %3 s more")
                         .arg(published / std::max(1, rate))
                         .arg(drained ? QStringLiteral("all stored") : QStringLiteral("gave up waiting"))
                         .arg(double(clock.elapsed()) / 1000 - double(length.count()) * 60, 0, 'f', 0));
    sampler.stop();
    minutes.stop();
    const double endMiB = engine.residentMiB();
    const int exitCode = engine.stop();

    const std::vector<qint64> latencies =
        latenciesOf(watcher.arrivals().begin(), watcher.arrivals().end(), publisher.publishedAt());
    const StoredCounts counts = countStored(*url, kills, publisher.publishedAt());
    const double firstMinutesMiB = minuteMiB.size() > 2 ? minuteMiB[2] : startMiB;
    bench::printLine(QStringLiteral("memory: engine RSS %1 MiB at the start, %2 MiB at minute 3, %3 MiB at most, %4 "
                                    "MiB at the end")
                         .arg(startMiB, 0, 'f', 1)
                         .arg(firstMinutesMiB, 0, 'f', 1)
                         .arg(peakMiB, 0, 'f', 1)
                         .arg(endMiB, 0, 'f', 1));
    const MemoryTrend trend = MemoryTrend::of(minuteMiB);
    bench::printLine(QStringLiteral("memory after warm-up (minute %1 of %2): %3 MiB, then %4 MiB a minute (%5% over "
                                    "the last two thirds): %6")
                         .arg(minuteMiB.size() / 3 + 1)
                         .arg(minuteMiB.size())
                         .arg(trend.warmMiB, 0, 'f', 1)
                         .arg(trend.slopeMiBPerMinute, 0, 'f', 2)
                         .arg(trend.growthShare * 100, 0, 'f', 1)
                         .arg(trend.flat() ? QStringLiteral("flat") : QStringLiteral("STILL RISING")));
    bench::printLine(QStringLiteral("latency published -> stored, whole run: %1").arg(percentiles(latencies)));
    const auto onR2z2 = [&publisher](KillmailId id) { return publisher.wentOnR2z2(id); };
    bench::printLine(QStringLiteral("    kills that went out on R2Z2 (one request a record, 20/s at most): %1")
                         .arg(percentiles(latenciesOf(watcher.arrivals().begin(), watcher.arrivals().end(),
                                                      publisher.publishedAt(), onR2z2))));
    bench::printLine(
        QStringLiteral("    kills only on the WebSocket: %1")
            .arg(percentiles(latenciesOf(watcher.arrivals().begin(), watcher.arrivals().end(), publisher.publishedAt(),
                                         [&onR2z2](KillmailId id) { return !onR2z2(id); }))));
    bench::printLine(QStringLiteral("published %1 (%2 on the WebSocket only, %3 on both R2Z2 and the WebSocket); "
                                    "stored %4; duplicate rows %5; announced twice %6; lost %7; stored with "
                                    "attackers missing %8, with items differing from their fixture's other "
                                    "copies %9")
                         .arg(published)
                         .arg(publisher.viaEveKill())
                         .arg(publisher.sentTwice())
                         .arg(counts.distinct)
                         .arg(counts.rows - counts.distinct)
                         .arg(watcher.announcedTwice())
                         .arg(qint64(counts.lost.size()))
                         .arg(counts.attackerMismatches)
                         .arg(counts.itemMismatches));
    bench::printLine(QStringLiteral("jobs failed %1, waiting or active %2; %3 flaps; %4 database restarts; engine "
                                    "exit code %5")
                         .arg(counts.failedJobs)
                         .arg(counts.unfinishedJobs)
                         .arg(flapper.flaps())
                         .arg(restarter ? restarter->restarts() : 0)
                         .arg(exitCode));
    for (std::size_t i = 0; i < std::min<std::size_t>(counts.lost.size(), 10); ++i) {
        bench::printLine(QStringLiteral("    lost: %1").arg(counts.lost[i]));
    }
    const bool clean = counts.lost.empty() && counts.rows == counts.distinct && watcher.announcedTwice() == 0
        && counts.attackerMismatches == 0 && counts.itemMismatches == 0 && exitCode == 0 && trend.flat();
    return clean ? 0 : 1;
}
