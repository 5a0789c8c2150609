#include "FakeEveKill.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QNetworkRequest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

namespace km::test {
namespace {

const QString exportRoute = QStringLiteral("/api/export/killmails");

QString compact(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

/// A victim or attacker as EVE-KILL names its fields; `damageKey` is damage_taken or damage_done.
QJsonObject party(const QJsonObject& esi, const QString& damageKey)
{
    QJsonObject party;
    for (const char* key : {"character_id", "corporation_id", "alliance_id", "faction_id"}) {
        const QString name = QString::fromLatin1(key);
        if (esi.contains(name)) {
            party.insert(name, esi.value(name));
        }
    }
    party.insert(QStringLiteral("ship_id"), esi.value(QLatin1StringView("ship_type_id")));
    party.insert(damageKey, esi.value(damageKey));
    return party;
}

bool involves(const QJsonObject& document, const QString& key, const QList<qint64>& ids)
{
    const auto listed = [&](const QJsonObject& party) {
        return party.contains(key) && ids.contains(party.value(key).toInteger());
    };
    if (listed(document.value(QLatin1StringView("victim")).toObject())) {
        return true;
    }
    const QJsonArray attackers = document.value(QLatin1StringView("attackers")).toArray();
    return std::any_of(attackers.begin(), attackers.end(),
                       [&](const QJsonValue& attacker) { return listed(attacker.toObject()); });
}

FakeHttpServer::Answer badRequest(const QString& message)
{
    return {400, FakeHttpServer::errorBody(message), {}, FakeHttpServer::Answer::Normal};
}

} // namespace

QJsonObject eveKillDocument(const EsiFixture& fixture)
{
    const QJsonObject esi = QJsonDocument::fromJson(fixture.body).object();
    QJsonArray attackers;
    for (const QJsonValue attacker : esi.value(QLatin1StringView("attackers")).toArray()) {
        QJsonObject converted = party(attacker.toObject(), QStringLiteral("damage_done"));
        converted.insert(QStringLiteral("final_blow"), attacker.toObject().value(QLatin1StringView("final_blow")));
        attackers.append(converted);
    }
    return QJsonObject{
        {QStringLiteral("killmail_id"), qint64(fixture.killmailId)},
        {QStringLiteral("killmail_hash"), fixture.hash},
        {QStringLiteral("kill_time"), esi.value(QLatin1StringView("killmail_time"))},
        {QStringLiteral("system_id"), esi.value(QLatin1StringView("solar_system_id"))},
        {QStringLiteral("system_name"),
         QStringLiteral("System %1").arg(esi.value(QLatin1StringView("solar_system_id")).toInteger())},
        {QStringLiteral("victim"),
         party(esi.value(QLatin1StringView("victim")).toObject(), QStringLiteral("damage_taken"))},
        {QStringLiteral("attackers"), attackers},
        {QStringLiteral("total_value"), 1234567.89},
        {QStringLiteral("is_npc"), false},
        {QStringLiteral("is_solo"), attackers.size() == 1},
    };
}

QString eveKillKillmailMessage(const QJsonObject& document, bool wrapped)
{
    if (!wrapped) {
        return compact({{QStringLiteral("type"), QStringLiteral("killmail")}, {QStringLiteral("data"), document}});
    }
    const QJsonArray routingKeys{
        QStringLiteral("all"),
        QStringLiteral("system:%1").arg(document.value(QLatin1StringView("system_id")).toInteger())};
    return compact(
        {{QStringLiteral("type"), QStringLiteral("killmail")},
         {QStringLiteral("data"),
          QJsonObject{{QStringLiteral("killmail"), document}, {QStringLiteral("routingKeys"), routingKeys}}}});
}

FakeEveKillFeed::FakeEveKillFeed(QObject* parent)
    : QObject(parent)
    , m_server(new QWebSocketServer(QStringLiteral("fake EVE-KILL"), QWebSocketServer::NonSecureMode, this))
    , m_pinger(new QTimer(this))
{
    m_clock.start();
    connect(m_pinger, &QTimer::timeout, this, &FakeEveKillFeed::sendPing);
    m_pinger->start(std::chrono::seconds(30));
    connect(m_server, &QWebSocketServer::newConnection, this, &FakeEveKillFeed::accept);
    if (!m_server->listen(QHostAddress::LocalHost, 0)) {
        qFatal("fake EVE-KILL feed cannot listen: %s", qPrintable(m_server->errorString()));
    }
}

FakeEveKillFeed::~FakeEveKillFeed()
{
    for (QWebSocket* client : std::as_const(m_clients)) {
        client->disconnect(this);
        client->abort();
    }
}

QUrl FakeEveKillFeed::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/killmails").arg(m_server->serverPort()));
}

void FakeEveKillFeed::setDropNewConnections(bool drop) { m_dropNewConnections = drop; }

void FakeEveKillFeed::setSilent(bool silent) { m_silent = silent; }

void FakeEveKillFeed::sendText(const QString& text)
{
    for (QWebSocket* client : std::as_const(m_clients)) {
        client->sendTextMessage(text);
    }
}

void FakeEveKillFeed::sendBinary(const QByteArray& data)
{
    for (QWebSocket* client : std::as_const(m_clients)) {
        client->sendBinaryMessage(data);
    }
}

void FakeEveKillFeed::sendPing()
{
    for (QWebSocket* client : QList<QWebSocket*>(m_clients)) {
        if (m_awaitingPong.contains(client)) {
            ++m_droppedForSilence;
            drop(client);
        } else {
            m_awaitingPong.insert(client);
            client->sendTextMessage(compact({{QStringLiteral("type"), QStringLiteral("ping")}}));
        }
    }
}

void FakeEveKillFeed::setPingInterval(std::chrono::milliseconds interval) { m_pinger->start(interval); }

void FakeEveKillFeed::drop(QWebSocket* client)
{
    m_clients.removeOne(client);
    m_awaitingPong.remove(client);
    client->disconnect(this);
    client->abort();
    client->deleteLater();
}

void FakeEveKillFeed::dropAll()
{
    for (QWebSocket* client : QList<QWebSocket*>(m_clients)) {
        drop(client);
    }
}

void FakeEveKillFeed::accept()
{
    while (QWebSocket* client = m_server->nextPendingConnection()) {
        client->setParent(this);
        m_connectionTimes.append(m_clock.elapsed());
        m_userAgent = client->request().rawHeader("User-Agent");
        m_requestPath = client->requestUrl().path();
        m_clients.append(client);
        connect(client, &QWebSocket::textMessageReceived, this,
                [this, client](const QString& message) { onMessage(client, message); });
        connect(client, &QWebSocket::disconnected, this, [this, client] {
            m_clients.removeOne(client);
            m_awaitingPong.remove(client);
            client->deleteLater();
        });
        if (!FakeHttpServer::isProperUserAgent(m_userAgent)) {
            client->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("Set a User-Agent that says who you are: product/version (contact)"));
            continue;
        }
        if (!m_silent) {
            const QJsonObject topics{
                {QStringLiteral("validTopics"), QJsonArray{QStringLiteral("all")}},
                {QStringLiteral("partialTopics"),
                 QJsonArray{QStringLiteral("character:"), QStringLiteral("corporation:"), QStringLiteral("alliance:"),
                            QStringLiteral("system:"), QStringLiteral("region:")}}};
            client->sendTextMessage(compact({{QStringLiteral("type"), QStringLiteral("info")},
                                             {QStringLiteral("message"), QStringLiteral("Welcome! Please subscribe.")},
                                             {QStringLiteral("data"), topics}}));
        }
        if (m_dropNewConnections) {
            drop(client);
        }
    }
}

void FakeEveKillFeed::onMessage(QWebSocket* client, const QString& message)
{
    m_received.append(message);
    if (m_silent) {
        return;
    }
    const QJsonDocument document = QJsonDocument::fromJson(message.toUtf8());
    if (!document.isObject()) { // plain text: comma-separated topics
        QStringList topics = message.split(QLatin1Char(','));
        for (QString& topic : topics) {
            topic = topic.trimmed();
        }
        subscribe(client, topics);
        return;
    }
    const QString type = document.object().value(QLatin1StringView("type")).toString();
    if (type == QLatin1StringView("subscribe")) {
        QStringList topics;
        for (const QJsonValue topic : document.object().value(QLatin1StringView("topics")).toArray()) {
            topics.append(topic.toString());
        }
        subscribe(client, topics);
    } else if (type == QLatin1StringView("ping")) {
        client->sendTextMessage(compact({{QStringLiteral("type"), QStringLiteral("pong")}}));
    } else if (type == QLatin1StringView("pong")) {
        m_awaitingPong.remove(client);
    } else {
        client->sendTextMessage(
            compact({{QStringLiteral("type"), QStringLiteral("error")},
                     {QStringLiteral("message"), QStringLiteral("Unknown message type: %1").arg(type)}}));
    }
}

void FakeEveKillFeed::subscribe(QWebSocket* client, const QStringList& topics)
{
    m_topics = topics;
    client->sendTextMessage(compact({{QStringLiteral("type"), QStringLiteral("subscribed")},
                                     {QStringLiteral("topics"), QJsonArray::fromStringList(topics)}}));
}

void FakeEveKillExport::setKillmails(const QList<QJsonObject>& documents)
{
    QMutexLocker lock(&mutex());
    m_documents = documents;
}

void FakeEveKillExport::setMaxLimit(int limit)
{
    QMutexLocker lock(&mutex());
    m_maxLimit = limit;
}

QList<qint64> FakeEveKillExport::skips() const
{
    QList<qint64> skips;
    for (const Request& request : requests()) {
        if (request.route() == exportRoute) {
            const QJsonObject body = QJsonDocument::fromJson(request.body).object();
            skips.append(
                body.value(QLatin1StringView("options")).toObject().value(QLatin1StringView("skip")).toInteger());
        }
    }
    return skips;
}

FakeHttpServer::Answer FakeEveKillExport::route(const Request& request)
{
    if (request.route() != exportRoute) {
        return {404, errorBody(QStringLiteral("Page not found")), {}, Answer::Normal};
    }
    if (request.method != "POST") {
        return {405, errorBody(QStringLiteral("Method not allowed")), {}, Answer::Normal};
    }
    return exportPage(request.body);
}

FakeHttpServer::Answer FakeEveKillExport::exportPage(const QByteArray& body) const
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) {
        return badRequest(QStringLiteral("Invalid request body: expected JSON object"));
    }
    const QJsonValue filter = document.object().value(QLatin1StringView("filter"));
    if (!filter.isObject()) {
        return badRequest(QStringLiteral("Filter is required"));
    }
    QList<QPair<QString, QList<qint64>>> wanted;
    for (const char* kind : {"character", "corporation", "alliance"}) {
        const QString listName = QStringLiteral("%1_ids").arg(QLatin1StringView(kind));
        if (!filter.toObject().contains(listName)) {
            continue;
        }
        const QJsonValue list = filter.toObject().value(listName);
        if (!list.isArray() || list.toArray().isEmpty()) {
            return badRequest(QStringLiteral("%1 must be a non-empty array").arg(listName));
        }
        QList<qint64> ids;
        for (const QJsonValue id : list.toArray()) {
            if (!id.isDouble() || id.toInteger() <= 0) {
                return badRequest(QStringLiteral("%1 must hold positive integers").arg(listName));
            }
            ids.append(id.toInteger());
        }
        wanted.append({QStringLiteral("%1_id").arg(QLatin1StringView(kind)), ids});
    }
    if (wanted.isEmpty()) {
        return badRequest(
            QStringLiteral("At least one of character_ids, corporation_ids, or alliance_ids must be provided"));
    }
    const QJsonObject options = document.object().value(QLatin1StringView("options")).toObject();
    qint64 limit = options.value(QLatin1StringView("limit")).toInteger();
    limit = limit < 1 ? 1000 : std::min<qint64>(limit, m_maxLimit);
    const qint64 skip = std::max<qint64>(0, options.value(QLatin1StringView("skip")).toInteger());

    QJsonArray matching;
    for (const QJsonObject& killmail : m_documents) {
        const bool matches = std::any_of(wanted.begin(), wanted.end(), [&](const auto& entry) {
            return involves(killmail, entry.first, entry.second);
        });
        if (matches) {
            matching.append(
                QJsonObject{{QStringLiteral("killmail_id"), killmail.value(QLatin1StringView("killmail_id"))},
                            {QStringLiteral("killmail_hash"), killmail.value(QLatin1StringView("killmail_hash"))}});
        }
    }
    QJsonArray data;
    for (qint64 index = skip; index < std::min<qint64>(matching.size(), skip + limit); ++index) {
        data.append(matching.at(index));
    }
    const QJsonObject pagination{{QStringLiteral("limit"), limit},
                                 {QStringLiteral("skip"), skip},
                                 {QStringLiteral("returned"), data.size()},
                                 {QStringLiteral("hasMore"), skip + data.size() < matching.size()}};
    const QJsonObject answer{{QStringLiteral("data"), data},
                             {QStringLiteral("pagination"), pagination},
                             {QStringLiteral("total"), matching.size()}};
    return {200, QJsonDocument(answer).toJson(QJsonDocument::Compact), {}, Answer::Normal};
}

} // namespace km::test
