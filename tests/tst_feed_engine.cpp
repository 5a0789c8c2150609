// The live feed as a streamer runs it: `killmail-console --headless --feed-port` on the fake R2Z2. Kills the engine
// stores reach WebSocket (both protocols) and Server-Sent Events clients next to a stalled one, /metrics counts them,
// and SIGTERM ends the feed's thread cleanly. The overlay is opened in Debian's headless chromium (driven over the
// DevTools protocol): a kill pushed through the engine shows with its names and value, a screenshot goes into the
// build folder, and the page reconnects on its own when the engine restarts.
#include "FakeZkillboard.h"
#include "FeedTestClients.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "util/UtcTime.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <tuple>

using namespace km;
using test::FeedWebSocket;
using test::RawWebSocket;

namespace {

constexpr int waitMs = 60000;

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// `killmail-console --headless` following the fake R2Z2, with its live feed (and /metrics) on the given ports.
class HeadlessEngine {
public:
    HeadlessEngine(const test::TestDatabase& db, const QUrl& zkillboard, quint16 feedPort, quint16 metricsPort = 0)
        : m_feedPort(feedPort)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_DATABASE_URL"), db.urlText());
        environment.insert(QStringLiteral("KILLMAIL_R2Z2_URL"), zkillboard.toString());
        environment.insert(QStringLiteral("KILLMAIL_HISTORY_URL"), zkillboard.toString());
        environment.insert(QStringLiteral("KILLMAIL_ENTITY_UPDATES"), QStringLiteral("false"));
        environment.insert(QStringLiteral("KILLMAIL_FEED_PORT"), QString::number(feedPort));
        environment.insert(QStringLiteral("KILLMAIL_METRICS_PORT"), QString::number(metricsPort));
        m_process.setProcessEnvironment(environment);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                        {QStringLiteral("--headless"), QStringLiteral("--sources"), QStringLiteral("r2z2")});
    }
    ~HeadlessEngine()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    HeadlessEngine(const HeadlessEngine&) = delete;
    HeadlessEngine& operator=(const HeadlessEngine&) = delete;

    [[nodiscard]] QUrl url(const QString& path, const QString& query = {},
                           const QString& scheme = QStringLiteral("http")) const
    {
        QUrl url;
        url.setScheme(scheme);
        url.setHost(QStringLiteral("127.0.0.1"));
        url.setPort(m_feedPort);
        url.setPath(path);
        url.setQuery(query);
        return url;
    }
    /// The client count /health gives; -1 while the feed does not answer.
    [[nodiscard]] int clients() const
    {
        int status = 0;
        const QByteArray body = test::httpGet(url(QStringLiteral("/health")), &status);
        return status == 200 ? QJsonDocument::fromJson(body).object().value(QLatin1StringView("clients")).toInt() : -1;
    }
    /// SIGTERM, as a service manager stops it; true when it exited by itself with 0.
    bool terminate()
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        return m_process.waitForFinished(-1) && m_process.exitStatus() == QProcess::NormalExit
            && m_process.exitCode() == 0;
    }

private:
    QProcess m_process;
    quint16 m_feedPort;
};

/// Debian's chromium, headless, on one page, driven over the DevTools protocol.
class HeadlessBrowser {
public:
    explicit HeadlessBrowser(const QString& executable, const QUrl& page)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(executable,
                        {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"),
                         QStringLiteral("--disable-dev-shm-usage"), QStringLiteral("--no-first-run"),
                         QStringLiteral("--hide-scrollbars"), QStringLiteral("--window-size=520,420"),
                         QStringLiteral("--remote-debugging-port=0"), QStringLiteral("--remote-allow-origins=*"),
                         QStringLiteral("--user-data-dir=") + m_profile.path(), page.toString()});
        QObject::connect(&m_devTools, &QWebSocket::textMessageReceived, [this](const QString& text) {
            const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
            if (message.contains(QLatin1StringView("id"))) {
                m_replies.insert(message.value(QLatin1StringView("id")).toInt(), message);
            }
        });
    }
    ~HeadlessBrowser()
    {
        m_devTools.close();
        m_process.terminate();
        if (!m_process.waitForFinished(waitMs)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    HeadlessBrowser(const HeadlessBrowser&) = delete;
    HeadlessBrowser& operator=(const HeadlessBrowser&) = delete;

    /// Connects to the page's DevTools socket once chromium has written its port; false while it cannot yet.
    bool attach(const QString& pageUrlPrefix)
    {
        if (m_devTools.state() == QAbstractSocket::ConnectedState) {
            return true;
        }
        QFile portFile(m_profile.filePath(QStringLiteral("DevToolsActivePort")));
        if (!portFile.open(QIODevice::ReadOnly)) {
            return false;
        }
        const int port = portFile.readLine().trimmed().toInt();
        const QJsonArray targets =
            QJsonDocument::fromJson(test::httpGet(QUrl(QStringLiteral("http://127.0.0.1:%1/json/list").arg(port))))
                .array();
        for (const auto& target : targets) {
            const QJsonObject page = target.toObject();
            if (page.value(QLatin1StringView("type")).toString() == QLatin1StringView("page")
                && page.value(QLatin1StringView("url")).toString().startsWith(pageUrlPrefix)) {
                m_devTools.open(QUrl(page.value(QLatin1StringView("webSocketDebuggerUrl")).toString()));
                QSignalSpy connected(&m_devTools, &QWebSocket::connected);
                return connected.wait(waitMs);
            }
        }
        return false;
    }

    /// The result of a DevTools command; an empty object when none came.
    QJsonObject command(const QString& method, const QJsonObject& params = {})
    {
        const int id = ++m_lastId;
        m_devTools.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("id"), id},
                                                                               {QStringLiteral("method"), method},
                                                                               {QStringLiteral("params"), params}})
                                                         .toJson(QJsonDocument::Compact)));
        if (!QTest::qWaitFor([this, id] { return m_replies.contains(id); }, waitMs)) {
            qWarning().noquote() << "chromium did not answer" << method << "within" << waitMs << "ms";
        }
        return m_replies.take(id).value(QLatin1StringView("result")).toObject();
    }
    /// A JavaScript expression's value in the page.
    QJsonValue evaluate(const QString& expression)
    {
        return command(QStringLiteral("Runtime.evaluate"),
                       {{QStringLiteral("expression"), expression}, {QStringLiteral("returnByValue"), true}})
            .value(QLatin1StringView("result"))
            .toObject()
            .value(QLatin1StringView("value"));
    }

private:
    QTemporaryDir m_profile;
    QProcess m_process;
    QWebSocket m_devTools;
    QHash<int, QJsonObject> m_replies;
    int m_lastId = 0;
};

/// ISK as the overlay writes it: 1.23b, 45.6m, 789k, three significant digits at most.
QString shortIsk(double value)
{
    const std::pair<double, char> steps[] = {{1e12, 't'}, {1e9, 'b'}, {1e6, 'm'}, {1e3, 'k'}};
    for (const auto& [size, unit] : steps) {
        if (value >= size) {
            const int decimals = value >= size * 100 ? 0 : value >= size * 10 ? 1 : 2;
            return QString::number(value / size, 'f', decimals) + QChar::fromLatin1(unit);
        }
    }
    return QString::number(qRound64(value));
}

} // namespace

class FeedEngineTest : public QObject {
    Q_OBJECT
public:
    explicit FeedEngineTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void settingsComeFromTheConfigFileAndATokenIsRequiredOffLoopback()
    {
        test::TestDatabase db(m_backend);
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("feed.conf"));
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[feed]\naddress = 0.0.0.0\nport = 18765\ntoken = s3cret-token\n");
        file.close();
        const auto run = [&](const QStringList& arguments, const QString& token) {
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.remove(QStringLiteral("KILLMAIL_FEED_PORT"));
            environment.insert(QStringLiteral("KILLMAIL_DATABASE_URL"), db.urlText());
            environment.insert(QStringLiteral("KILLMAIL_CONFIG"), config);
            environment.insert(QStringLiteral("KILLMAIL_FEED_TOKEN"), token);
            QProcess process;
            process.setProcessEnvironment(environment);
            process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"), arguments);
            process.waitForFinished(-1);
            return std::tuple(process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError());
        };
        const auto [shown, out, showErrors] = run({QStringLiteral("config:show")}, QStringLiteral("from-environment"));
        QCOMPARE(shown, 0);
        QVERIFY2(out.contains("[feed]\naddress = 0.0.0.0  ; " + config.toUtf8() + ": feed/address\n"), out.constData());
        QVERIFY(out.contains("port = 18765  ; " + config.toUtf8() + ": feed/port\n"));
        QVERIFY(out.contains("token = (set)  ; KILLMAIL_FEED_TOKEN\n"));
        QVERIFY(!out.contains("from-environment") && !out.contains("s3cret"));

        // Off loopback without a token the engine does not start, and says why.
        const auto [code, ignored, errors] =
            run({QStringLiteral("--headless"), QStringLiteral("--feed-port"), QString::number(freePort())}, QString());
        QVERIFY(code != 0);
        QVERIFY2(errors.contains("without an access token: set --feed-token"), errors.constData());
    }

    void headlessEngineFeedsItsClientsAndStopsCleanlyOnSigterm()
    {
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        zkillboard.setAnnouncedSequence(96000000);
        const quint16 metricsPort = freePort();
        HeadlessEngine engine(db, zkillboard.url(), freePort(), metricsPort);
        QTRY_COMPARE_WITH_TIMEOUT(engine.clients(), 0, waitMs);

        FeedWebSocket eveKill(engine.url(QStringLiteral("/killmails"), {}, QStringLiteral("ws")));
        QTRY_VERIFY_WITH_TIMEOUT(eveKill.connected(), waitMs);
        eveKill.socket.sendTextMessage(QStringLiteral("all")); // the plain-text form
        QTRY_COMPARE_WITH_TIMEOUT(eveKill.ofType(QStringLiteral("subscribed")).size(), 1, waitMs);
        FeedWebSocket zkb(engine.url(QStringLiteral("/websocket/"), {}, QStringLiteral("ws")));
        QTRY_VERIFY_WITH_TIMEOUT(zkb.connected(), waitMs);
        zkb.send({{QStringLiteral("action"), QStringLiteral("sub")},
                  {QStringLiteral("channel"), QStringLiteral("killstream")}});
        QTcpSocket events;
        QByteArray streamed;
        QObject::connect(&events, &QTcpSocket::readyRead, [&] { streamed += events.readAll(); });
        events.connectToHost(QHostAddress::LocalHost, engine.url({}).port());
        events.write("GET /events?topics=all HTTP/1.1\r\nHost: localhost\r\n\r\n");
        RawWebSocket stalled(quint16(engine.url({}).port()), "/killmails?topics=all", RawWebSocket::Reading::Nothing);
        QTRY_COMPARE_WITH_TIMEOUT(engine.clients(), 4, waitMs);

        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        constexpr int kills = 3;
        for (int i = 0; i < kills; ++i) {
            zkillboard.publish(fixtures[std::size_t(i)]);
        }
        QTRY_COMPARE_WITH_TIMEOUT(eveKill.ofType(QStringLiteral("killmail")).size(), kills, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(zkb.messages.size(), kills, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(streamed.count("event: killmail\n"), kills, waitMs);
        // The engine's workers may store them in any order.
        QHash<KillmailId, QJsonObject> eveKillData;
        for (const QJsonObject& message : eveKill.ofType(QStringLiteral("killmail"))) {
            const QJsonObject data = message.value(QLatin1StringView("data")).toObject();
            eveKillData.insert(data.value(QLatin1StringView("killmailId")).toInteger(), data);
        }
        QHash<KillmailId, QJsonObject> zkbBodies;
        for (const QJsonObject& message : zkb.messages) {
            zkbBodies.insert(message.value(QLatin1StringView("killmail_id")).toInteger(), message);
        }
        for (int i = 0; i < kills; ++i) {
            const Killmail killmail = test::fixtureKillmail(fixtures[std::size_t(i)].killmailId);
            QVERIFY(eveKillData.contains(killmail.killmailId));
            const QJsonObject data = eveKillData.value(killmail.killmailId);
            QCOMPARE(
                data.value(QLatin1StringView("solarSystem")).toObject().value(QLatin1StringView("name")).toString(),
                StaticData::bundled().solarSystem(killmail.solarSystemId)->name);
            const double stored = test::storedValues(db.database(), killmail.killmailId).totalValue;
            QCOMPARE(data.value(QLatin1StringView("totalValue")).toDouble(), stored);
            QVERIFY(zkbBodies.contains(killmail.killmailId));
            QCOMPARE(zkbBodies.value(killmail.killmailId)
                         .value(QLatin1StringView("zkb"))
                         .toObject()
                         .value(QLatin1StringView("hash"))
                         .toString(),
                     fixtures[std::size_t(i)].hash);
            QVERIFY(streamed.contains(QStringLiteral("\"killmailId\":%1,").arg(killmail.killmailId).toUtf8()));
        }

        QUrl metrics(QStringLiteral("http://127.0.0.1/metrics"));
        metrics.setPort(metricsPort);
        const QByteArray page = test::httpGet(metrics);
        QVERIFY2(page.contains("\nkillmail_console_feed_clients 4\n"), page.constData());
        QVERIFY2(page.contains("killmail_console_feed_clients_dropped_total{reason=\"slow\"} 0\n"), page.constData());

        // SIGTERM with every client still connected, the stalled one too: the feed's thread closes them and ends.
        QVERIFY(engine.terminate());
        QTRY_VERIFY_WITH_TIMEOUT(eveKill.closed && zkb.closed, waitMs);
        QCOMPARE(int(eveKill.socket.closeCode()), 1001);
        QTRY_COMPARE_WITH_TIMEOUT(events.state(), QAbstractSocket::UnconnectedState, waitMs);
    }

    void overlayShowsAKillInAHeadlessBrowserAndReconnects()
    {
        const QString chromium = QStandardPaths::findExecutable(QStringLiteral("chromium"));
        if (chromium.isEmpty()) {
            QSKIP("Debian's chromium is not installed (scripts/install-deps.sh installs it): the overlay is not tested "
                  "in a browser");
        }
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboard;
        zkillboard.fake().setAnnouncedSequence(96000000);
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        // A kill whose victim is a pilot (with a portrait), then any other.
        const auto pilotLoss = std::find_if(fixtures.cbegin(), fixtures.cend(), [](const test::EsiFixture& fixture) {
            return test::fixtureKillmail(fixture.killmailId).victim.characterId.has_value();
        });
        QVERIFY(pilotLoss != fixtures.cend());
        const test::EsiFixture& next = pilotLoss == fixtures.cbegin() ? fixtures[1] : fixtures[0];
        const Killmail first = test::fixtureKillmail(pilotLoss->killmailId);
        db.database().exec(
            QStringLiteral(R"(INSERT INTO characters ("characterId", name, "updatedAt") VALUES (?, ?, ?))"),
            {qint64(*first.victim.characterId), QStringLiteral("Overlay Test Pilot"),
             QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()))});

        // A price for its hull, so that the card shows a value.
        const QDate day = QDateTime::fromSecsSinceEpoch(first.killmailTime, Qt::UTC).date();
        for (int before = 0; before < 3; ++before) {
            db.database().exec(
                QStringLiteral(R"(INSERT INTO prices ("typeId", "regionId", "date", average) VALUES (?, ?, ?, ?))"),
                {first.victim.shipTypeId, 10000002, day.addDays(-before).toString(Qt::ISODate), 123456789.0});
        }

        const quint16 port = freePort();
        auto engine = std::make_unique<HeadlessEngine>(db, zkillboard.fake().url(), port);
        QTRY_COMPARE_WITH_TIMEOUT(engine->clients(), 0, waitMs);
        const QUrl overlay = engine->url(QStringLiteral("/overlay"), QStringLiteral("topics=all&count=5&theme=dark"));
        HeadlessBrowser browser(chromium, overlay);
        QTRY_VERIFY_WITH_TIMEOUT(browser.attach(engine->url({}).toString()), waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(engine->clients(), 1, waitMs); // the overlay's own WebSocket

        zkillboard.fake().publish(*pilotLoss);
        QTRY_COMPARE_WITH_TIMEOUT(
            browser.evaluate(QStringLiteral("document.querySelectorAll('li.kill').length")).toInt(), 1, waitMs);
        const QJsonObject card =
            browser
                .evaluate(QStringLiteral(
                    "(() => { const c = document.querySelector('li.kill'); return { id: c.dataset.killmailId, "
                    "ship: c.querySelector('.ship').textContent, who: c.querySelector('.who').textContent, "
                    "where: c.querySelector('.where').textContent, value: c.querySelector('.value').textContent, "
                    "render: c.querySelector('img.ship-image').src, portrait: c.querySelector('img.portrait').src, "
                    "background: getComputedStyle(document.body).backgroundColor }; })()"))
                .toObject();
        QCOMPARE(card.value(QLatin1StringView("id")).toString().toLongLong(), first.killmailId);
        QCOMPARE(card.value(QLatin1StringView("ship")).toString(),
                 StaticData::bundled().type(first.victim.shipTypeId)->name);
        QVERIFY2(card.value(QLatin1StringView("who")).toString().startsWith(QStringLiteral("Overlay Test Pilot")),
                 qPrintable(card.value(QLatin1StringView("who")).toString()));
        QVERIFY(card.value(QLatin1StringView("where"))
                    .toString()
                    .startsWith(StaticData::bundled().solarSystem(first.solarSystemId)->name));
        const double value = test::storedValues(db.database(), first.killmailId).totalValue;
        QVERIFY(value >= 123456789.0);
        QCOMPARE(card.value(QLatin1StringView("value")).toString(), shortIsk(value) + QStringLiteral(" ISK"));
        QCOMPARE(card.value(QLatin1StringView("render")).toString(),
                 QStringLiteral("https://images.evetech.net/types/%1/render?size=64").arg(first.victim.shipTypeId));
        QCOMPARE(
            card.value(QLatin1StringView("portrait")).toString(),
            QStringLiteral("https://images.evetech.net/characters/%1/portrait?size=64").arg(*first.victim.characterId));
        QCOMPARE(card.value(QLatin1StringView("background")).toString(), QStringLiteral("rgba(0, 0, 0, 0)"));

        const QByteArray screenshot = QByteArray::fromBase64(browser.command(QStringLiteral("Page.captureScreenshot"))
                                                                 .value(QLatin1StringView("data"))
                                                                 .toString()
                                                                 .toLatin1());
        QVERIFY(screenshot.startsWith("\x89PNG"));
        QFile file(QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("feed-overlay.png")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(screenshot);
        qInfo().noquote() << "overlay screenshot:" << file.fileName();

        // The engine restarts on the same port: the page shows it is reconnecting, then takes the next kill.
        QVERIFY(engine->terminate());
        QTRY_VERIFY_WITH_TIMEOUT(!browser.evaluate(QStringLiteral("document.getElementById('status').hidden")).toBool(),
                                 waitMs);
        engine = std::make_unique<HeadlessEngine>(db, zkillboard.fake().url(), port);
        QTRY_COMPARE_WITH_TIMEOUT(engine->clients(), 1, waitMs);
        QVERIFY(browser.evaluate(QStringLiteral("document.getElementById('status').hidden")).toBool());
        zkillboard.fake().publish(next);
        QTRY_COMPARE_WITH_TIMEOUT(
            browser.evaluate(QStringLiteral("document.querySelector('li.kill').dataset.killmailId"))
                .toString()
                .toLongLong(),
            next.killmailId, waitMs);
        QCOMPARE(browser.evaluate(QStringLiteral("document.querySelectorAll('li.kill').length")).toInt(), 2);

        // The page at / builds an overlay URL from its form.
        browser.command(QStringLiteral("Page.navigate"),
                        {{QStringLiteral("url"), engine->url(QStringLiteral("/")).toString()}});
        QTRY_VERIFY_WITH_TIMEOUT(browser
                                     .evaluate(QStringLiteral("location.pathname === '/' && document.readyState === "
                                                              "'complete' && !!document.getElementById('builder')"))
                                     .toBool(),
                                 waitMs);
        const QString built =
            browser
                .evaluate(QStringLiteral("(() => { const form = document.getElementById('builder'); form.min.value = "
                                         "'250m'; form.layout.value = 'horizontal'; form.dispatchEvent(new "
                                         "Event('input')); return document.getElementById('url').value; })()"))
                .toString();
        QCOMPARE(
            built,
            engine->url(QStringLiteral("/overlay"), QStringLiteral("min=250m&layout=horizontal&replay=5")).toString());
        QVERIFY(engine->terminate());
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    FeedEngineTest suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_feed_engine.moc"
