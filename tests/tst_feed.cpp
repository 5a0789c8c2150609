// The local live feed over real sockets: the EVE-KILL and zKillboard WebSocket protocols, Server-Sent Events,
// topics, recent kills from the database, the access token, keep-alive and backpressure, /health and the pages.
#include "FeedTestClients.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "feed/FeedHost.h"
#include "feed/FeedKillBuilder.h"
#include "feed/FeedServer.h"
#include "feed/FeedTopic.h"
#include "processing/StoredKillmail.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/Migrator.h"
#include "util/UtcTime.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <cmath>
#include <functional>
#include <memory>

using namespace km;
using test::FeedWebSocket;
using test::RawWebSocket;

namespace {

constexpr int waitMs = 20000;

QUrl endpoint(const FeedServer& server, const QString& path, const QString& query = {})
{
    QUrl url = server.url();
    url.setScheme(QStringLiteral("ws"));
    url.setPath(path);
    url.setQuery(query);
    return url;
}

} // namespace

class FeedTest : public QObject {
    Q_OBJECT
public:
    explicit FeedTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;
    test::FixedPrices m_prices;

    /// Real killmails, valued, as the processor announces them.
    StoredKillmail stored(const Killmail& killmail)
    {
        return StoredKillmail::from(test::valued(killmail, m_prices), StaticData::bundled(), QStringLiteral("test"));
    }

    static FeedSettings quickSettings()
    {
        FeedSettings settings;
        settings.port = 0;
        return settings;
    }

    /// A fixture in a known region and one elsewhere, and a solo kill, for matching.
    static const Killmail& killIn(const std::vector<Killmail>& killmails, bool sameRegionAs, int regionId)
    {
        for (const Killmail& killmail : killmails) {
            const SolarSystemInfo* system = StaticData::bundled().solarSystem(killmail.solarSystemId);
            if (system && (system->regionId == regionId) == sameRegionAs) {
                return killmail;
            }
        }
        return killmails.front();
    }

private Q_SLOTS:
    void topicsParseAndMatchRealKills()
    {
        // Every topic the server announces, with its placeholder filled in, and a few other spellings.
        QStringList names;
        for (QString name : FeedTopic::validTopics()) {
            names << name.replace(QStringLiteral("<amount>"), QStringLiteral("250m"))
                         .replace(QStringLiteral("<id>"), QStringLiteral("123"));
        }
        names << QStringLiteral("ISK:1.5b") << QStringLiteral("region.10000002") << QStringLiteral(" Highsec ");
        QVERIFY(names.size() > 25);
        for (const QString& name : std::as_const(names)) {
            QVERIFY2(FeedTopic::parse(name).has_value(), qPrintable(name));
        }
        for (const QString& name : {QStringLiteral("allx"), QStringLiteral("isk:lots"), QStringLiteral("region:"),
                                    QStringLiteral("region:-4"), QStringLiteral("planet:1"), QString()}) {
            QVERIFY2(!FeedTopic::parse(name).has_value(), qPrintable(name));
        }
        QCOMPARE(FeedTopic::parse(QStringLiteral("isk:250m"))->amount, 250e6);
        QCOMPARE(FeedTopic::parse(QStringLiteral("10b"))->amount, 10e9);
        QVERIFY(FeedTopic::parseZkillboardChannel(QStringLiteral("total_value:10b+")).has_value());
        QVERIFY(FeedTopic::parseZkillboardChannel(QStringLiteral("label:loc:highsec")).has_value());
        QVERIFY(!FeedTopic::parseZkillboardChannel(QStringLiteral("highsec")).has_value());

        FeedKillBuilder builder(StaticData::bundled(), [] { return nullptr; });
        int solo = 0;
        int highsec = 0;
        for (const Killmail& killmail : test::allFixtureKillmails()) {
            const ValuedKillmail valued = test::valued(killmail, m_prices);
            const FeedKillPtr kill = builder.build(valued);
            const SolarSystemInfo* system = StaticData::bundled().solarSystem(killmail.solarSystemId);
            QCOMPARE(FeedTopic::parse(QStringLiteral("solo"))->matches(*kill), valued.flags.solo);
            QCOMPARE(FeedTopic::parse(QStringLiteral("region:%1").arg(system->regionId))->matches(*kill), true);
            QCOMPARE(FeedTopic::parse(QStringLiteral("region:%1").arg(system->regionId + 1))->matches(*kill), false);
            // Whole ISK: arg(double) would round to six digits, sometimes above the value.
            const double floor = std::floor(valued.values.totalValue);
            QCOMPARE(FeedTopic::parse(QStringLiteral("isk:%1").arg(floor, 0, 'f', 0))->matches(*kill), true);
            QCOMPARE(FeedTopic::parse(QStringLiteral("isk:%1").arg(floor + 1, 0, 'f', 0))->matches(*kill), false);
            QCOMPARE(FeedTopic::parse(QStringLiteral("ship:%1").arg(killmail.victim.shipTypeId))->matches(*kill), true);
            if (killmail.victim.characterId) {
                const qint64 id = *killmail.victim.characterId;
                QVERIFY(FeedTopic::parse(QStringLiteral("victim.%1").arg(id))->matches(*kill));
                QVERIFY(FeedTopic::parse(QStringLiteral("character:%1").arg(id))->matches(*kill));
                const bool alsoAttacker = std::any_of(killmail.attackers.cbegin(), killmail.attackers.cend(),
                                                      [id](const Attacker& a) { return a.characterId == id; });
                QCOMPARE(FeedTopic::parse(QStringLiteral("attacker.%1").arg(id))->matches(*kill), alsoAttacker);
            }
            const bool isHighsec = system->security >= 0.45 && system->regionId < 11000000;
            QCOMPARE(FeedTopic::parse(QStringLiteral("highsec"))->matches(*kill), isHighsec);
            QVERIFY(kill->labels.contains(valued.flags.npc ? QStringLiteral("npc") : QStringLiteral("pvp")));
            solo += valued.flags.solo ? 1 : 0;
            highsec += isHighsec ? 1 : 0;
        }
        QVERIFY(solo > 0);
        QVERIFY(highsec > 0);
    }

    void eveKillProtocolPushesEachMatchingKillOnceWithNames()
    {
        test::TestDatabase db(m_backend);
        const std::vector<Killmail> killmails = test::allFixtureKillmails();
        const Killmail& inForge = killIn(killmails, true, 10000002);
        const Killmail& elsewhere = killIn(killmails, false, 10000002);
        QVERIFY(inForge.victim.characterId && inForge.victim.corporationId);
        const QString timestamp = QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()));
        db.database().exec(
            QStringLiteral(R"(INSERT INTO characters ("characterId", name, "updatedAt") VALUES (?, ?, ?))"),
            {qint64(*inForge.victim.characterId), QStringLiteral("Pilot Of Test"), timestamp});
        db.database().exec(
            QStringLiteral(
                R"(INSERT INTO corporations ("corporationId", name, ticker, "updatedAt") VALUES (?, ?, ?, ?))"),
            {qint64(*inForge.victim.corporationId), QStringLiteral("Corp Of Test"), QStringLiteral("TST"), timestamp});

        FeedCounters counters;
        FeedServer server(quickSettings(), db.url(), std::shared_ptr<FeedCounters>(&counters, [](auto*) {}));
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        FeedWebSocket client(endpoint(server, QStringLiteral("/killmails")));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("connected")).size(), 1, waitMs);
        const QJsonObject connected = client.ofType(QStringLiteral("connected")).first();
        QVERIFY(!connected.value(QLatin1StringView("clientId")).toString().isEmpty());
        QVERIFY(connected.value(QLatin1StringView("validTopics")).toArray().contains(QStringLiteral("highsec")));

        client.send(test::subscribeMessage(
            {QStringLiteral("region:10000002"), QStringLiteral("planet:4"), QStringLiteral("bigly")}));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("error")).size(), 1, waitMs);
        const QString problem =
            client.ofType(QStringLiteral("error")).first().value(QLatin1StringView("message")).toString();
        QCOMPARE(problem, QStringLiteral("Invalid topics: planet:4, bigly"));

        client.send(test::subscribeMessage({QStringLiteral("region:10000002"), QStringLiteral("isk:0")}));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("subscribed")).size(), 1, waitMs);
        client.socket.sendTextMessage(QStringLiteral("all,highsec"));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("subscribed")).size(), 2, waitMs);
        QCOMPARE(client.ofType(QStringLiteral("subscribed")).last().value(QLatin1StringView("topics")).toArray().size(),
                 4);
        client.send(
            QJsonObject{{QStringLiteral("type"), QStringLiteral("unsubscribe")},
                        {QStringLiteral("topics"), QJsonArray{QStringLiteral("all"), QStringLiteral("highsec")}}});
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("subscribed")).size(), 3, waitMs);
        client.send({{QStringLiteral("type"), QStringLiteral("ping")}});
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("pong")).size(), 1, waitMs);

        // Malformed messages are answered with an error naming what was wrong; the client stays, its topics too.
        client.socket.sendTextMessage(QStringLiteral("{\"type\": \"subscribe\""));
        client.socket.sendTextMessage(QStringLiteral("[1, 2]"));
        client.send({{QStringLiteral("type"), QStringLiteral("dance")}});
        client.send(
            {{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("topics"), QStringLiteral("all")}});
        client.socket.sendBinaryMessage("\x00\x01");
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("error")).size(), 5, waitMs);
        QStringList errors;
        for (const QJsonObject& message : client.ofType(QStringLiteral("error")).mid(1)) {
            errors << message.value(QLatin1StringView("message")).toString();
        }
        QCOMPARE(errors,
                 (QStringList{QStringLiteral("Malformed JSON message"), QStringLiteral("Malformed JSON message"),
                              QStringLiteral("Unknown message type 'dance' (subscribe, unsubscribe, ping)"),
                              QStringLiteral("No topics given")}));
        QVERIFY(client.connected());

        // Both remaining topics match the kill in The Forge: it comes once. The other one matches only isk:0.
        server.publish(stored(inForge));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("killmail")).size(), 1, waitMs);
        const QJsonObject data =
            client.ofType(QStringLiteral("killmail")).first().value(QLatin1StringView("data")).toObject();
        QCOMPARE(data.value(QLatin1StringView("killmailId")).toInteger(), inForge.killmailId);
        const QJsonObject victim = data.value(QLatin1StringView("victim")).toObject();
        QCOMPARE(victim.value(QLatin1StringView("character")).toObject().value(QLatin1StringView("name")).toString(),
                 QStringLiteral("Pilot Of Test"));
        QCOMPARE(
            victim.value(QLatin1StringView("corporation")).toObject().value(QLatin1StringView("ticker")).toString(),
            QStringLiteral("TST"));
        QCOMPARE(victim.value(QLatin1StringView("ship")).toObject().value(QLatin1StringView("name")).toString(),
                 StaticData::bundled().type(inForge.victim.shipTypeId)->name);
        const QJsonObject system = data.value(QLatin1StringView("solarSystem")).toObject();
        QCOMPARE(system.value(QLatin1StringView("name")).toString(),
                 StaticData::bundled().solarSystem(inForge.solarSystemId)->name);
        QCOMPARE(system.value(QLatin1StringView("region")).toObject().value(QLatin1StringView("name")).toString(),
                 QStringLiteral("The Forge"));
        QCOMPARE(data.value(QLatin1StringView("totalValue")).toDouble(),
                 test::valued(inForge, m_prices).values.totalValue);
        QCOMPARE(data.value(QLatin1StringView("url")).toString(),
                 QStringLiteral("https://zkillboard.com/kill/%1/").arg(inForge.killmailId));
        if (inForge.victim.allianceId) {
            // Not in the alliance table: null name, the ID still there.
            const QJsonObject alliance = victim.value(QLatin1StringView("alliance")).toObject();
            QCOMPARE(alliance.value(QLatin1StringView("id")).toInteger(), *inForge.victim.allianceId);
            QVERIFY(alliance.value(QLatin1StringView("name")).isNull());
        }

        client.send(test::subscribeMessage({QStringLiteral("isk:1t")}));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("subscribed")).size(), 4, waitMs);
        server.publish(stored(elsewhere));
        server.publish(stored(inForge));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("killmail")).size(), 3, waitMs);
        QCOMPARE(counters.messagesSent.load(), 3);
        QCOMPARE(counters.clients.load(), 1);

        QStringList many;
        for (int i = 1; i <= 126; ++i) {
            many << QStringLiteral("system:%1").arg(30000000 + i);
        }
        client.send(test::subscribeMessage(many));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("error")).size(), 6, waitMs);
        QVERIFY(client.ofType(QStringLiteral("error"))
                    .last()
                    .value(QLatin1StringView("message"))
                    .toString()
                    .contains(QStringLiteral("at most 128")));
    }

    void zkillboardProtocolPushesTheEsiBodyWithZkb()
    {
        FeedServer server(quickSettings(), std::nullopt, std::make_shared<FeedCounters>());
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        const std::vector<Killmail> killmails = test::allFixtureKillmails();
        const Killmail& killmail = killmails.front();
        FeedWebSocket client(endpoint(server, QStringLiteral("/websocket/")));
        QTRY_VERIFY_WITH_TIMEOUT(client.connected(), waitMs);
        client.socket.sendTextMessage(QStringLiteral("{not json"));
        client.send({{QStringLiteral("action"), QStringLiteral("sub")},
                     {QStringLiteral("channel"), QStringLiteral("ship:%1").arg(killmail.victim.shipTypeId)}});
        client.send({{QStringLiteral("action"), QStringLiteral("sub")},
                     {QStringLiteral("channel"), QStringLiteral("killstream")}});
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 1, waitMs);
        QTest::qWait(200); // the subscriptions travel behind the connection
        server.publish(stored(killmail));
        QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, waitMs);
        const QJsonObject message = client.messages.first();
        QCOMPARE(message.value(QLatin1StringView("killmail_id")).toInteger(), killmail.killmailId);
        QCOMPARE(message.value(QLatin1StringView("solar_system_id")).toInt(), killmail.solarSystemId);
        QCOMPARE(message.value(QLatin1StringView("attackers")).toArray().size(), qsizetype(killmail.attackers.size()));
        const QJsonObject zkb = message.value(QLatin1StringView("zkb")).toObject();
        QCOMPARE(zkb.value(QLatin1StringView("hash")).toString(), killmail.hash);
        QCOMPARE(zkb.value(QLatin1StringView("totalValue")).toDouble(),
                 test::valued(killmail, m_prices).values.totalValue);

        client.send({{QStringLiteral("action"), QStringLiteral("unsub")},
                     {QStringLiteral("channel"), QStringLiteral("killstream")}});
        client.send({{QStringLiteral("action"), QStringLiteral("unsub")},
                     {QStringLiteral("channel"), QStringLiteral("ship:%1").arg(killmail.victim.shipTypeId)}});
        client.send({{QStringLiteral("action"), QStringLiteral("sub")},
                     {QStringLiteral("channel"), QStringLiteral("system:%1").arg(killmails.back().solarSystemId)}});
        QTest::qWait(200);
        server.publish(stored(killmail.solarSystemId == killmails.back().solarSystemId ? killmails[1] : killmail));
        server.publish(stored(killmails.back()));
        QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 2, waitMs);
        QCOMPARE(client.messages.last().value(QLatin1StringView("killmail_id")).toInteger(),
                 killmails.back().killmailId);
    }

    void serverSentEventsStreamKillsAndRefuseBadTopics()
    {
        FeedServer server(quickSettings(), std::nullopt, std::make_shared<FeedCounters>());
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        QUrl bad = server.url();
        bad.setPath(QStringLiteral("/events"));
        bad.setQuery(QStringLiteral("topics=all,sometimes"));
        int status = 0;
        const QByteArray answer = test::httpGet(bad, &status);
        QCOMPARE(status, 400);
        QVERIFY2(answer.contains("Invalid topics: sometimes"), answer.constData());

        QTcpSocket stream;
        stream.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(stream.waitForConnected(waitMs));
        stream.write("GET /events?topics=all HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QByteArray received;
        connect(&stream, &QTcpSocket::readyRead, this, [&] { received += stream.readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(received.contains("event: connected"), waitMs);
        QVERIFY(received.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(received.contains("Content-Type: text/event-stream"));
        const Killmail killmail = test::allFixtureKillmails().front();
        server.publish(stored(killmail));
        QTRY_VERIFY_WITH_TIMEOUT(received.contains("event: killmail"), waitMs);
        QVERIFY(received.contains(QStringLiteral("\"killmailId\":%1").arg(killmail.killmailId).toUtf8()));
    }

    void recentKillsComeFromTheDatabaseMarkedReplay()
    {
        test::TestDatabase db(m_backend);
        std::vector<Killmail> killmails = test::allFixtureKillmails();
        test::store(db.database(), killmails);
        std::sort(killmails.begin(), killmails.end(), [](const Killmail& a, const Killmail& b) {
            return std::pair(a.killmailTime, a.killmailId) < std::pair(b.killmailTime, b.killmailId);
        });
        FeedServer server(quickSettings(), db.url(), std::make_shared<FeedCounters>());
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        FeedWebSocket client(endpoint(server, QStringLiteral("/killmails")));
        QTRY_VERIFY_WITH_TIMEOUT(client.connected(), waitMs);
        client.send(test::subscribeMessage({QStringLiteral("all")}, 3));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("killmail")).size(), 3, waitMs);
        const QList<QJsonObject> replayed = client.ofType(QStringLiteral("killmail"));
        for (qsizetype i = 0; i < 3; ++i) {
            QVERIFY(replayed[i].value(QLatin1StringView("replay")).toBool());
            const KillmailId expected = killmails[killmails.size() - 3 + std::size_t(i)].killmailId;
            QCOMPARE(replayed[i]
                         .value(QLatin1StringView("data"))
                         .toObject()
                         .value(QLatin1StringView("killmailId"))
                         .toInteger(),
                     expected);
        }

        // The newest kill's announcement comes after the read (stored, not yet announced): it is not sent twice. A
        // live kill after the replay is not marked.
        server.publish(stored(killmails.back()));
        server.publish(stored(killmails.front()));
        QTRY_COMPARE_WITH_TIMEOUT(client.ofType(QStringLiteral("killmail")).size(), 4, waitMs);
        const QJsonObject live = client.ofType(QStringLiteral("killmail")).last();
        QVERIFY(!live.contains(QLatin1StringView("replay")));
        QCOMPARE(live.value(QLatin1StringView("data")).toObject().value(QLatin1StringView("killmailId")).toInteger(),
                 killmails.front().killmailId);

        // Nor is it kept twice among the recent kills.
        FeedWebSocket later(endpoint(server, QStringLiteral("/killmails"), QStringLiteral("topics=all&replay=2")));
        QTRY_COMPARE_WITH_TIMEOUT(later.ofType(QStringLiteral("killmail")).size(), 2, waitMs);
        const auto idOf = [](const QJsonObject& message) {
            return message.value(QLatin1StringView("data"))
                .toObject()
                .value(QLatin1StringView("killmailId"))
                .toInteger();
        };
        QCOMPARE(idOf(later.ofType(QStringLiteral("killmail"))[0]), killmails[killmails.size() - 2].killmailId);
        QCOMPARE(idOf(later.ofType(QStringLiteral("killmail"))[1]), killmails.back().killmailId);
        QTest::qWait(100);
        QCOMPARE(client.ofType(QStringLiteral("killmail")).size(), 4);
    }

    void namesComeOnceTheDatabaseCanBeOpened()
    {
        // The database's folder cannot be made at first (a file stands where it goes), later it can.
        QTemporaryDir dir;
        const QString blocker = dir.filePath(QStringLiteral("data"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        DatabaseUrl url;
        url.sqlitePath = blocker + QStringLiteral("/feed.db");
        FeedSettings settings = quickSettings();
        settings.databaseRetry = std::chrono::milliseconds(200);
        FeedServer server(settings, url, std::make_shared<FeedCounters>());
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        FeedWebSocket client(endpoint(server, QStringLiteral("/killmails"), QStringLiteral("topics=all")));
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 1, waitMs);
        const std::vector<Killmail> killmails = test::allFixtureKillmails();
        const Killmail& killmail = *std::find_if(killmails.cbegin(), killmails.cend(),
                                                 [](const Killmail& k) { return k.victim.characterId.has_value(); });
        const auto victimName = [&] {
            server.publish(stored(killmail));
            QTest::qWait(50);
            const QList<QJsonObject> kills = client.ofType(QStringLiteral("killmail"));
            return kills.isEmpty() ? QJsonValue(QStringLiteral("(none came)"))
                                   : kills.last()
                                         .value(QLatin1StringView("data"))
                                         .toObject()
                                         .value(QLatin1StringView("victim"))
                                         .toObject()
                                         .value(QLatin1StringView("character"))
                                         .toObject()
                                         .value(QLatin1StringView("name"));
        };
        QTRY_VERIFY_WITH_TIMEOUT(victimName().isNull(), waitMs); // the kill comes, without the name

        QVERIFY(QFile::remove(blocker));
        {
            Database database(url);
            Migrator(database).migrate();
            database.exec(
                QStringLiteral(R"(INSERT INTO characters ("characterId", name, "updatedAt") VALUES (?, ?, ?))"),
                {qint64(*killmail.victim.characterId), QStringLiteral("Pilot After The Outage"),
                 QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()))});
        }
        QTRY_COMPARE_WITH_TIMEOUT(victimName().toString(), QStringLiteral("Pilot After The Outage"), waitMs);
    }

    void anAccessTokenIsRequiredWhenSet()
    {
        FeedSettings offLoopback = quickSettings();
        offLoopback.address = QHostAddress::Any;
        FeedServer refused(offLoopback, std::nullopt, std::make_shared<FeedCounters>());
        QString error;
        QVERIFY(!refused.listen(error));
        QVERIFY2(error.contains(QStringLiteral("--feed-token")), qPrintable(error));

        FeedSettings settings = quickSettings();
        settings.token = QStringLiteral("s3cret");
        FeedServer server(settings, std::nullopt, std::make_shared<FeedCounters>());
        QVERIFY2(server.listen(error), qPrintable(error));

        FeedWebSocket without(endpoint(server, QStringLiteral("/killmails")));
        FeedWebSocket wrong(endpoint(server, QStringLiteral("/killmails"), QStringLiteral("token=s3cres")));
        FeedWebSocket inQuery(endpoint(server, QStringLiteral("/killmails"), QStringLiteral("token=s3cret")));
        QNetworkRequest request(endpoint(server, QStringLiteral("/ws")));
        request.setRawHeader("Authorization", "Bearer s3cret");
        FeedWebSocket inHeader(request);
        QTRY_VERIFY_WITH_TIMEOUT(without.closed && wrong.closed, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(inQuery.ofType(QStringLiteral("connected")).size(), 1, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(inHeader.ofType(QStringLiteral("connected")).size(), 1, waitMs);
        QCOMPARE(server.clientCount(), 2);
        QUrl events = server.url();
        events.setPath(QStringLiteral("/events"));
        events.setQuery(QStringLiteral("topics=all"));
        int status = 0;
        test::httpGet(events, &status);
        QCOMPARE(status, 401);
    }

    void aClientThatFallsBehindIsClosedWith1013()
    {
        FeedSettings settings = quickSettings();
        settings.socketBacklogBytes = 0; // nothing reaches the socket: the queue fills as behind a stalled reader
        settings.queueLimit = 5;
        auto counters = std::make_shared<FeedCounters>();
        FeedServer server(settings, std::nullopt, counters);
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        RawWebSocket slow(server.port(), "/killmails?topics=all", RawWebSocket::Reading::Frames);
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 1, waitMs);
        const Killmail killmail = test::allFixtureKillmails().front();
        for (int i = 0; i < settings.queueLimit; ++i) {
            server.publish(stored(killmail));
        }
        QTest::qWait(100);
        QVERIFY(!slow.closeFrame());
        server.publish(stored(killmail));
        QTRY_VERIFY_WITH_TIMEOUT(slow.closeFrame().has_value(), waitMs);
        QCOMPARE(slow.closeFrame()->code, 1013);
        QCOMPARE(slow.closeFrame()->reason, QByteArray("client is too slow"));
        QCOMPARE(counters->droppedSlow.load(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 0, waitMs);
        QCOMPARE(counters->clients.load(), 0);
    }

    void aStalledReaderIsDroppedWhileAFastOneGetsEverything()
    {
        auto counters = std::make_shared<FeedCounters>();
        FeedServer server(quickSettings(), std::nullopt, counters);
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        RawWebSocket stalled(server.port(), "/killmails?topics=all", RawWebSocket::Reading::Nothing);
        FeedWebSocket fast(endpoint(server, QStringLiteral("/killmails"), QStringLiteral("topics=all")));
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 2, waitMs);
        FeedKillBuilder builder(StaticData::bundled(), [] { return nullptr; });
        const FeedKillPtr kill = builder.build(test::valued(test::allFixtureKillmails().front(), m_prices));
        // Until the stalled reader's kernel buffers, then its socket's backlog, then its queue are full.
        int published = 0;
        while (counters->droppedSlow.load() == 0) {
            for (int i = 0; i < 10; ++i, ++published) {
                server.publishKill(kill);
            }
            QTest::qWait(2);
            QVERIFY2(published < 1000000, "the stalled reader was never dropped");
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 1, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(fast.ofType(QStringLiteral("killmail")).size(), published, waitMs);
        QVERIFY(fast.connected());
        QCOMPARE(counters->droppedSlow.load(), 1);
        qInfo("the stalled reader was dropped after %d kills of %d bytes", published, int(kill->message.size()));
    }

    void manyClientsEachGetWhatTheirTopicsMatchOnce()
    {
        FeedSettings settings = quickSettings();
        settings.maxConnectionsPerAddress = 400;
        auto counters = std::make_shared<FeedCounters>();
        FeedServer server(settings, std::nullopt, counters);
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        const std::vector<Killmail> killmails = test::allFixtureKillmails();
        const auto regionOf = [](const Killmail& k) {
            return StaticData::bundled().solarSystem(k.solarSystemId)->regionId;
        };

        // Mixed subscriptions in both protocols, some overlapping (a kill matching two of them still comes once).
        constexpr int clientCount = 300;
        std::vector<std::unique_ptr<FeedWebSocket>> clients;
        std::vector<QList<KillmailId>> expected(clientCount);
        std::vector<bool> zkillboard(clientCount);
        for (int i = 0; i < clientCount; ++i) {
            const Killmail& chosen = killmails[std::size_t(i) % killmails.size()];
            std::function<bool(const Killmail&)> wants;
            QString query;
            zkillboard[std::size_t(i)] = i % 4 == 3;
            if (zkillboard[std::size_t(i)]) {
                query = QStringLiteral("topics=system:%1,killstream").arg(chosen.solarSystemId);
                wants = [](const Killmail&) { return true; };
            } else if (i % 4 == 0) {
                query = QStringLiteral("topics=all");
                wants = [](const Killmail&) { return true; };
            } else if (i % 4 == 1) {
                query = QStringLiteral("topics=system:%1,region:%2").arg(chosen.solarSystemId).arg(regionOf(chosen));
                wants = [&regionOf, &chosen](const Killmail& k) { return regionOf(k) == regionOf(chosen); };
            } else {
                query = QStringLiteral("topics=ship:%1").arg(chosen.victim.shipTypeId);
                wants = [&chosen](const Killmail& k) {
                    return k.victim.shipTypeId == chosen.victim.shipTypeId
                        || std::any_of(k.attackers.cbegin(), k.attackers.cend(), [&chosen](const Attacker& a) {
                               return a.shipTypeId == chosen.victim.shipTypeId;
                           });
                };
            }
            for (const Killmail& killmail : killmails) {
                if (wants(killmail)) {
                    expected[std::size_t(i)] << killmail.killmailId;
                }
            }
            const QString path =
                zkillboard[std::size_t(i)] ? QStringLiteral("/websocket/") : QStringLiteral("/killmails");
            clients.push_back(std::make_unique<FeedWebSocket>(endpoint(server, path, query)));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), clientCount, waitMs);
        // At an engine's pace: a burst of hundreds of full zKillboard bodies at once would rightly overflow queues.
        for (std::size_t k = 0; k < killmails.size(); ++k) {
            server.publish(stored(killmails[k]));
            if (k % 20 == 19) {
                QTest::qWait(5);
            }
        }
        const auto receivedBy = [&clients, &zkillboard](std::size_t i) {
            QList<KillmailId> ids;
            for (const QJsonObject& message : clients[i]->messages) {
                if (zkillboard[i]) {
                    ids << message.value(QLatin1StringView("killmail_id")).toInteger();
                } else if (message.value(QLatin1StringView("type")).toString() == QLatin1StringView("killmail")) {
                    ids << message.value(QLatin1StringView("data"))
                               .toObject()
                               .value(QLatin1StringView("killmailId"))
                               .toInteger();
                }
            }
            return ids;
        };
        for (std::size_t i = 0; i < std::size_t(clientCount); ++i) {
            QTRY_COMPARE_WITH_TIMEOUT(receivedBy(i).size(), expected[i].size(), waitMs);
            QCOMPARE(receivedBy(i), expected[i]);
        }
        QTest::qWait(200); // nothing more comes
        for (std::size_t i = 0; i < std::size_t(clientCount); ++i) {
            QCOMPARE(receivedBy(i).size(), expected[i].size());
        }
        QCOMPARE(counters->droppedSlow.load(), 0);
    }

    void aSilentClientIsDroppedAndALiveOneKept()
    {
        // On its own thread, as in the engine: the pings come from that thread's timer.
        FeedSettings settings = quickSettings();
        settings.pingInterval = std::chrono::milliseconds(100);
        settings.silenceLimit = std::chrono::milliseconds(400);
        FeedHost host(settings, std::nullopt);
        QString error;
        QVERIFY2(host.start(error), qPrintable(error));
        QUrl url = host.url();
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/killmails"));
        FeedWebSocket alive(url); // QWebSocket answers pings by itself

        // A peer that completes the handshake and then never answers anything.
        RawWebSocket silent(quint16(host.url().port()), "/ws", RawWebSocket::Reading::Frames);
        QTRY_COMPARE_WITH_TIMEOUT(host.counters().clients.load(), 2, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(host.counters().droppedSilent.load(), 1, waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(silent.socket.state() == QAbstractSocket::UnconnectedState, waitMs);
        QCOMPARE(silent.closeFrame()->code, 1001);
        QCOMPARE(silent.closeFrame()->reason, QByteArray("no pong for too long"));
        QTest::qWait(1000);
        QVERIFY(alive.connected());
        QCOMPARE(host.counters().clients.load(), 1);
    }

    void healthPagesAndLimits()
    {
        FeedSettings settings = quickSettings();
        settings.maxConnectionsPerAddress = 2;
        FeedServer server(settings, std::nullopt, std::make_shared<FeedCounters>());
        QString error;
        QVERIFY2(server.listen(error), qPrintable(error));
        FeedWebSocket first(endpoint(server, QStringLiteral("/killmails")));
        FeedWebSocket second(endpoint(server, QStringLiteral("/killmails")));
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 2, waitMs);
        FeedWebSocket third(endpoint(server, QStringLiteral("/killmails")));
        QTRY_VERIFY_WITH_TIMEOUT(third.closed, waitMs);
        QCOMPARE(server.clientCount(), 2);
        first.socket.close();
        QTRY_COMPARE_WITH_TIMEOUT(server.clientCount(), 1, waitMs);

        QUrl url = server.url();
        url.setPath(QStringLiteral("/health"));
        int status = 0;
        const QJsonObject health = QJsonDocument::fromJson(test::httpGet(url, &status)).object();
        QCOMPARE(status, 200);
        QCOMPARE(health.value(QLatin1StringView("clients")).toInt(), 1);
        url.setPath(QStringLiteral("/overlay"));
        QVERIFY(test::httpGet(url, &status).contains("overlay.js"));
        QCOMPARE(status, 200);
        url.setPath(QStringLiteral("/"));
        QVERIFY(test::httpGet(url, &status).contains("Build an overlay URL"));
        url.setPath(QStringLiteral("/nothing-here"));
        test::httpGet(url, &status);
        QCOMPARE(status, 404);

        // A message above the size limit closes the connection (1009) instead of being buffered.
        second.socket.sendTextMessage(QString(int(settings.maxIncomingBytes) + 1, u'a'));
        QTRY_VERIFY_WITH_TIMEOUT(second.closed, waitMs);
        QCOMPARE(int(second.socket.closeCode()), 1009);
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    FeedTest suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_feed.moc"
