#include "FakeEsi.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <zlib.h>

#include <algorithm>

namespace km::test {
namespace {

using std::chrono::milliseconds;

constexpr qsizetype maxHeaderBytes = 64 * 1024;
constexpr qsizetype maxBodyBytes = 16 * 1024 * 1024;
constexpr qsizetype maxLoggedRequests = 100000;

enum class Served { NeedMore, Served, Close };

QByteArray reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 420: return "Error Limited";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

int costOf(int status)
{
    if (status >= 200 && status < 300) {
        return 2;
    }
    if (status >= 300 && status < 400) {
        return 1;
    }
    return status >= 400 && status < 500 ? 5 : 0;
}

QByteArray errorBody(const QString& message)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
}

QByteArray compact(const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); }

QByteArray gzip(const QByteArray& data)
{
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return {};
    }
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size())) + 32), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

QByteArray windowText(milliseconds window)
{
    if (window.count() % 3600000 == 0) {
        return QByteArray::number(window.count() / 3600000) + 'h';
    }
    if (window.count() % 60000 == 0) {
        return QByteArray::number(window.count() / 60000) + 'm';
    }
    return QByteArray::number((window.count() + 999) / 1000) + 's';
}

qint64 ceilSeconds(std::chrono::steady_clock::duration duration)
{
    return std::max<qint64>(0, std::chrono::ceil<std::chrono::seconds>(duration).count());
}

void setHeader(FakeEsi::Headers& headers, const QByteArray& name, const QByteArray& value)
{
    for (auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = value;
            return;
        }
    }
    headers.append({name, value});
}

/// Without a version prefix, query or trailing slash: "/latest/killmails/1/ab/" -> "/killmails/1/ab".
QString normalized(const QString& path)
{
    QString plain = path.section(QLatin1Char('?'), 0, 0);
    for (const char* prefix : {"/latest/", "/legacy/", "/dev/", "/v1/", "/v2/", "/v3/", "/v4/", "/v5/"}) {
        if (plain.startsWith(QLatin1String(prefix))) {
            plain = plain.mid(int(qstrlen(prefix)) - 1);
            break;
        }
    }
    while (plain.size() > 1 && plain.endsWith(QLatin1Char('/'))) {
        plain.chop(1);
    }
    return plain;
}

std::optional<QList<qint64>> idList(const QByteArray& body)
{
    const QJsonDocument json = QJsonDocument::fromJson(body);
    if (!json.isArray()) {
        return std::nullopt;
    }
    QList<qint64> ids;
    for (const QJsonValue& value : json.array()) {
        if (!value.isDouble() || value.toDouble() != double(value.toInteger()) || value.toInteger() <= 0) {
            return std::nullopt;
        }
        ids.append(value.toInteger());
    }
    return ids;
}

QString category(qint64 id)
{
    if (id >= 500000 && id < 1000000) {
        return QStringLiteral("faction");
    }
    if ((id >= 1000000 && id < 2000000) || (id >= 98000000 && id < 99000000)) {
        return QStringLiteral("corporation");
    }
    if (id >= 99000000 && id < 100000000) {
        return QStringLiteral("alliance");
    }
    if (id >= 10000000 && id < 13000000) {
        return QStringLiteral("region");
    }
    if (id >= 30000000 && id < 33000000) {
        return QStringLiteral("solar_system");
    }
    if ((id >= 3000000 && id < 4000000) || (id >= 90000000 && id < 98000000) || id >= 2100000000) {
        return QStringLiteral("character");
    }
    return QStringLiteral("inventory_type");
}

qint64 corporationOf(qint64 characterId) { return 98000000 + characterId % 100000; }

std::optional<qint64> allianceOf(qint64 corporationId)
{
    if (corporationId % 3 == 0) {
        return std::nullopt;
    }
    return 99000000 + corporationId % 1000;
}

} // namespace

QByteArray FakeEsi::Request::header(QByteArrayView name) const
{
    for (const auto& header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0) {
            return header.second;
        }
    }
    return {};
}

FakeEsi::FakeEsi(QObject* parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
    , m_errorWindowStart(std::chrono::steady_clock::now())
{
    m_marketPrices = QByteArrayLiteral(R"([{"adjusted_price":440000.5,"average_price":450000.25,"type_id":587},)"
                                       R"({"adjusted_price":10000.0,"average_price":10000.0,"type_id":670},)"
                                       R"({"adjusted_price":5.5,"average_price":6.25,"type_id":34}])");
    connect(m_server, &QTcpServer::newConnection, this, &FakeEsi::accept);
    if (!m_server->listen(QHostAddress::LocalHost, 0)) {
        qFatal("FakeEsi cannot listen: %s", qPrintable(m_server->errorString()));
    }
    m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->serverPort()));
}

FakeEsi::~FakeEsi()
{
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
        delete it.key();
    }
}

QUrl FakeEsi::url() const
{
    QMutexLocker lock(&m_mutex);
    return m_url;
}

void FakeEsi::addKillmail(qint64 id, const QString& hash, const QByteArray& esiBody)
{
    QMutexLocker lock(&m_mutex);
    m_killmails.insert(id, {hash.toLower(), esiBody});
}

void FakeEsi::setUnknownIds(const QSet<qint64>& ids)
{
    QMutexLocker lock(&m_mutex);
    m_unknownIds = ids;
}

void FakeEsi::setMarketPrices(const QByteArray& json)
{
    QMutexLocker lock(&m_mutex);
    m_marketPrices = json;
}

void FakeEsi::script(const QString& pathPrefix, const Scripted& answer)
{
    QMutexLocker lock(&m_mutex);
    m_scripted.append({pathPrefix, answer});
}

void FakeEsi::enforceBucket(int tokens, milliseconds window)
{
    QMutexLocker lock(&m_mutex);
    m_bucketTokens = std::max(1, tokens);
    m_bucketWindow = std::max(milliseconds(1), window);
    m_bucketEnforced = true;
    m_bucketSpent.clear();
}

void FakeEsi::enforceErrorLimit(int errors, milliseconds window)
{
    QMutexLocker lock(&m_mutex);
    m_errorLimit = std::max(1, errors);
    m_errorWindow = std::max(milliseconds(1), window);
    m_errorLimitEnforced = true;
    m_errorWindowStart = std::chrono::steady_clock::now();
    m_errors = 0;
}

void FakeEsi::setLatency(milliseconds latency)
{
    QMutexLocker lock(&m_mutex);
    m_latency = std::max(milliseconds(0), latency);
}

int FakeEsi::requestCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_requestCount;
}

int FakeEsi::tooManyRequestsSent() const
{
    QMutexLocker lock(&m_mutex);
    return m_tooManyRequests;
}

int FakeEsi::errorLimitedSent() const
{
    QMutexLocker lock(&m_mutex);
    return m_errorLimited;
}

int FakeEsi::requestsTo(const QString& pathPrefix) const
{
    QMutexLocker lock(&m_mutex);
    int count = 0;
    for (auto it = m_pathCounts.cbegin(); it != m_pathCounts.cend(); ++it) {
        count += it.key().startsWith(pathPrefix) ? it.value() : 0;
    }
    return count;
}

QList<FakeEsi::Request> FakeEsi::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_log;
}

void FakeEsi::clearLog()
{
    QMutexLocker lock(&m_mutex);
    m_log.clear();
    m_pathCounts.clear();
    m_requestCount = 0;
    m_tooManyRequests = 0;
    m_errorLimited = 0;
}

void FakeEsi::accept()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        m_connections.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        // Queued: a socket may close while one of its requests is being served.
        const auto forget = [this, socket] {
            if (m_connections.remove(socket) > 0) {
                socket->deleteLater();
            }
        };
        connect(socket, &QTcpSocket::disconnected, this, forget, Qt::QueuedConnection);
        connect(socket, &QTcpSocket::errorOccurred, this, forget, Qt::QueuedConnection);
        if (socket->bytesAvailable() > 0) {
            readFrom(socket);
        }
    }
}

void FakeEsi::readFrom(QTcpSocket* socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end()) {
        return;
    }
    Connection& connection = *found;
    connection.buffer += socket->readAll();
    while (!connection.hanging) {
        const bool more = serveOne(socket, connection);
        if (!more) {
            break;
        }
    }
    if (connection.hanging) {
        connection.buffer.clear();
    }
}

bool FakeEsi::serveOne(QTcpSocket* socket, Connection& connection)
{
    const qsizetype headerEnd = connection.buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (connection.buffer.size() > maxHeaderBytes) {
            refuse(socket, 431);
        }
        return false;
    }
    const QList<QByteArray> lines = connection.buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.front().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[1].startsWith('/') || !requestLine[2].startsWith("HTTP/1.")) {
        refuse(socket, 400);
        return false;
    }
    Request request;
    request.method = requestLine[0];
    request.path = QString::fromUtf8(requestLine[1]);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon <= 0) {
            refuse(socket, 400);
            return false;
        }
        request.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
    }
    if (!request.header("Transfer-Encoding").isEmpty()) {
        refuse(socket, 411);
        return false;
    }
    qint64 length = 0;
    if (const QByteArray text = request.header("Content-Length"); !text.isEmpty()) {
        bool ok = false;
        length = text.toLongLong(&ok);
        if (!ok || length < 0) {
            refuse(socket, 400);
            return false;
        }
        if (length > maxBodyBytes) {
            refuse(socket, 413);
            return false;
        }
    }
    if (connection.buffer.size() < headerEnd + 4 + length) {
        return false;
    }
    request.body = connection.buffer.mid(headerEnd + 4, length);
    connection.buffer.remove(0, headerEnd + 4 + length);

    const QByteArray connectionHeader = request.header("Connection").toLower();
    const bool keepAlive =
        requestLine[2] == "HTTP/1.1" ? !connectionHeader.contains("close") : connectionHeader.contains("keep-alive");
    const Answer reply = answer(request);
    if (reply.mode == Scripted::Hang) {
        connection.hanging = true;
        return false;
    }
    milliseconds latency;
    {
        QMutexLocker lock(&m_mutex);
        latency = m_latency;
    }
    if (latency.count() > 0) {
        QPointer<QTcpSocket> target(socket);
        QTimer::singleShot(latency, this, [this, target, reply, keepAlive] {
            if (target && target->state() == QAbstractSocket::ConnectedState) {
                send(target, reply, keepAlive);
            }
        });
    } else {
        send(socket, reply, keepAlive);
    }
    return keepAlive && reply.mode != Scripted::Truncate;
}

void FakeEsi::refuse(QTcpSocket* socket, int status)
{
    send(socket, {status, errorBody(QString::fromLatin1(reason(status))), {}, Scripted::Normal}, false);
}

void FakeEsi::send(QTcpSocket* socket, const Answer& answer, bool keepAlive)
{
    QByteArray body = answer.mode == Scripted::Gzip ? gzip(answer.body) : answer.body;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(answer.status) + ' ' + reason(answer.status) + "\r\n";
    head += "Server: fake-esi\r\n";
    const bool bodyless = answer.status == 304 || answer.status == 204;
    if (!bodyless) {
        head += "Content-Type: application/json; charset=UTF-8\r\n";
        const qsizetype announced = answer.mode == Scripted::Truncate ? body.size() + 1000 : body.size();
        head += "Content-Length: " + QByteArray::number(announced) + "\r\n";
    } else {
        body.clear();
    }
    if (answer.mode == Scripted::Gzip) {
        head += "Content-Encoding: gzip\r\n";
    }
    for (const auto& [name, value] : answer.headers) {
        head += name + ": " + value + "\r\n";
    }
    const bool close = !keepAlive || answer.mode == Scripted::Truncate;
    if (close) {
        head += "Connection: close\r\n";
    }
    socket->write(head + "\r\n" + body);
    if (close) {
        socket->disconnectFromHost();
    }
}

FakeEsi::Answer FakeEsi::answer(const Request& request)
{
    QMutexLocker lock(&m_mutex);
    const TimePoint now = std::chrono::steady_clock::now();
    const QString path = normalized(request.path);
    const bool killmailRoute = path.startsWith(QLatin1String("/killmails/"));
    ++m_requestCount;
    ++m_pathCounts[request.path.section(QLatin1Char('?'), 0, 0)];
    if (now - m_errorWindowStart >= m_errorWindow) {
        m_errorWindowStart += m_errorWindow * ((now - m_errorWindowStart) / m_errorWindow);
        m_errors = 0;
    }

    Answer reply;
    Headers scriptedHeaders;
    const auto scripted = std::find_if(m_scripted.begin(), m_scripted.end(),
                                       [&](const auto& entry) { return request.path.startsWith(entry.first); });
    if (m_errorLimitEnforced && m_errors >= m_errorLimit) {
        reply = {420, errorBody(QStringLiteral("This software has exceeded the error limit for ESI.")), {}};
    } else if (scripted != m_scripted.end()) {
        reply = {scripted->second.status, scripted->second.body, {}, scripted->second.mode};
        scriptedHeaders = scripted->second.headers;
        m_scripted.erase(scripted);
    } else {
        reply = route(request, path);
    }
    if (reply.mode != Scripted::Hang) {
        if (killmailRoute && reply.status != 420) {
            chargeBucket(reply, now);
        } else {
            m_errors += reply.status >= 400 && reply.status != 420 ? 1 : 0;
            errorLimitHeaders(reply, now);
        }
    }
    for (const auto& [name, value] : scriptedHeaders) {
        setHeader(reply.headers, name, value);
    }
    m_tooManyRequests += reply.status == 429 ? 1 : 0;
    m_errorLimited += reply.status == 420 ? 1 : 0;

    Request logged = request;
    logged.status = reply.mode == Scripted::Hang ? 0 : reply.status;
    m_log.append(std::move(logged));
    if (m_log.size() > maxLoggedRequests) {
        m_log.remove(0, m_log.size() - maxLoggedRequests);
    }
    return reply;
}

void FakeEsi::chargeBucket(Answer& answer, TimePoint now)
{
    while (!m_bucketSpent.empty() && m_bucketSpent.front().first + m_bucketWindow <= now) {
        m_bucketSpent.pop_front();
    }
    int spent = 0;
    for (const auto& entry : m_bucketSpent) {
        spent += entry.second;
    }
    int cost = answer.status == 429 ? 0 : costOf(answer.status);
    if (m_bucketEnforced && spent + cost > m_bucketTokens) {
        // Retry-After: when enough of the spent tokens have come back for this request.
        int returned = 0;
        qint64 retryAfter = 1;
        for (const auto& [at, amount] : m_bucketSpent) {
            returned += amount;
            if (spent - returned + cost <= m_bucketTokens) {
                retryAfter = std::max<qint64>(1, ceilSeconds(at + m_bucketWindow - now));
                break;
            }
        }
        answer = {429, errorBody(QStringLiteral("Too many requests")), {}, Scripted::Normal};
        answer.headers.append({"Retry-After", QByteArray::number(retryAfter)});
        cost = 0;
    } else if (cost > 0) {
        m_bucketSpent.emplace_back(now, cost);
    }
    answer.headers.append({QByteArrayLiteral("X-Ratelimit-Group"), QByteArrayLiteral("killmail")});
    answer.headers.append({"X-Ratelimit-Limit", QByteArray::number(m_bucketTokens) + '/' + windowText(m_bucketWindow)});
    answer.headers.append({"X-Ratelimit-Remaining", QByteArray::number(std::max(0, m_bucketTokens - spent - cost))});
    answer.headers.append({"X-Ratelimit-Used", QByteArray::number(cost)});
}

void FakeEsi::errorLimitHeaders(Answer& answer, TimePoint now)
{
    answer.headers.append({"X-ESI-Error-Limit-Remain", QByteArray::number(std::max(0, m_errorLimit - m_errors))});
    answer.headers.append(
        {"X-ESI-Error-Limit-Reset", QByteArray::number(ceilSeconds(m_errorWindowStart + m_errorWindow - now))});
}

FakeEsi::Answer FakeEsi::route(const Request& request, const QString& path)
{
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    bool numeric = false;
    const qint64 id = segments.size() >= 2 ? segments[1].toLongLong(&numeric) : 0;

    if (segments.size() == 3 && segments[0] == QLatin1String("killmails")) {
        if (!get) {
            return {405, errorBody(QStringLiteral("Method not allowed")), {}};
        }
        bool idOk = false;
        const qint64 killmailId = segments[1].toLongLong(&idOk);
        const auto found = m_killmails.constFind(killmailId);
        if (!idOk || found == m_killmails.cend() || found->first != segments[2].toLower()) {
            return {422, errorBody(QStringLiteral("Invalid killmail_id and/or killmail_hash")), {}};
        }
        return {200, found->second, {{"ETag", '"' + segments[2].toLatin1() + '"'}}};
    }
    if (segments == QStringList{QStringLiteral("universe"), QStringLiteral("names")}) {
        return post ? names(request.body) : Answer{405, errorBody(QStringLiteral("Method not allowed")), {}};
    }
    if (segments == QStringList{QStringLiteral("characters"), QStringLiteral("affiliation")}) {
        return post ? affiliation(request.body) : Answer{405, errorBody(QStringLiteral("Method not allowed")), {}};
    }
    if (segments == QStringList{QStringLiteral("markets"), QStringLiteral("prices")} && get) {
        return entity(QStringLiteral("prices"), 0, request);
    }
    if (segments.size() == 2 && numeric && id > 0 && get
        && QStringList{QStringLiteral("characters"), QStringLiteral("corporations"), QStringLiteral("alliances")}
               .contains(segments[0])) {
        return entity(segments[0], id, request);
    }
    if (segments.size() == 3 && segments[0] == QLatin1String("universe") && segments[1] == QLatin1String("types")
        && get) {
        bool ok = false;
        const qint64 typeId = segments[2].toLongLong(&ok);
        if (ok && typeId > 0) {
            return entity(QStringLiteral("types"), typeId, request);
        }
    }
    return {404, errorBody(QStringLiteral("Not found")), {}};
}

FakeEsi::Answer FakeEsi::entity(const QString& kind, qint64 id, const Request& request)
{
    if (m_unknownIds.contains(id)) {
        return {404, errorBody(QStringLiteral("%1 not found").arg(kind)), {}};
    }
    QByteArray body;
    const QString number = QString::number(id);
    if (kind == QLatin1String("characters")) {
        QJsonObject object{{QStringLiteral("name"), QStringLiteral("Character ") + number},
                           {QStringLiteral("corporation_id"), corporationOf(id)},
                           {QStringLiteral("birthday"), QStringLiteral("2010-01-01T00:00:00Z")},
                           {QStringLiteral("gender"), QStringLiteral("female")},
                           {QStringLiteral("race_id"), 1},
                           {QStringLiteral("bloodline_id"), 1},
                           {QStringLiteral("security_status"), 0.5}};
        if (const auto alliance = allianceOf(corporationOf(id))) {
            object.insert(QStringLiteral("alliance_id"), *alliance);
        }
        body = compact(object);
    } else if (kind == QLatin1String("corporations")) {
        QJsonObject object{{QStringLiteral("name"), QStringLiteral("Corporation ") + number},
                           {QStringLiteral("ticker"), QStringLiteral("C") + number.right(4)},
                           {QStringLiteral("member_count"), 10},
                           {QStringLiteral("ceo_id"), 90000000 + id % 1000},
                           {QStringLiteral("creator_id"), 90000000 + id % 1000},
                           {QStringLiteral("tax_rate"), 0.1}};
        if (const auto alliance = allianceOf(id)) {
            object.insert(QStringLiteral("alliance_id"), *alliance);
        }
        body = compact(object);
    } else if (kind == QLatin1String("alliances")) {
        body = compact({{QStringLiteral("name"), QStringLiteral("Alliance ") + number},
                        {QStringLiteral("ticker"), QStringLiteral("A") + number.right(4)},
                        {QStringLiteral("creator_id"), 90000000 + id % 1000},
                        {QStringLiteral("creator_corporation_id"), 98000000 + id % 1000},
                        {QStringLiteral("executor_corporation_id"), 98000000 + id % 1000},
                        {QStringLiteral("date_founded"), QStringLiteral("2010-01-01T00:00:00Z")}});
    } else if (kind == QLatin1String("types")) {
        body = compact({{QStringLiteral("type_id"), id},
                        {QStringLiteral("name"), QStringLiteral("Type ") + number},
                        {QStringLiteral("group_id"), 25},
                        {QStringLiteral("published"), true},
                        {QStringLiteral("description"), QString()}});
    } else {
        body = m_marketPrices;
    }
    const QByteArray etag = '"' + QCryptographicHash::hash(body, QCryptographicHash::Md5).toHex().left(20) + '"';
    if (request.header("If-None-Match") == etag) {
        return {304, {}, {{"ETag", etag}}};
    }
    return {200, body, {{"ETag", etag}}};
}

FakeEsi::Answer FakeEsi::names(const QByteArray& body)
{
    const auto ids = idList(body);
    if (!ids || ids->isEmpty() || ids->size() > 1000 || QSet<qint64>(ids->begin(), ids->end()).size() != ids->size()) {
        return {400, errorBody(QStringLiteral("Expected a JSON array of 1 to 1000 unique positive ids")), {}};
    }
    QJsonArray resolved;
    for (qint64 id : *ids) {
        if (m_unknownIds.contains(id)) {
            return {404, errorBody(QStringLiteral("Ensure all IDs are valid before resolving")), {}};
        }
        const QString kind = category(id);
        QString name = kind;
        name[0] = name[0].toUpper();
        resolved.append(QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("name"), name.replace(QLatin1Char('_'), QLatin1Char(' ')) + ' ' + QString::number(id)},
            {QStringLiteral("category"), kind}});
    }
    return {200, QJsonDocument(resolved).toJson(QJsonDocument::Compact), {}};
}

FakeEsi::Answer FakeEsi::affiliation(const QByteArray& body)
{
    const auto ids = idList(body);
    if (!ids || ids->isEmpty() || ids->size() > 1000) {
        return {400, errorBody(QStringLiteral("Expected a JSON array of 1 to 1000 character ids")), {}};
    }
    QJsonArray affiliations;
    for (qint64 id : *ids) {
        if (m_unknownIds.contains(id)) {
            continue;
        }
        QJsonObject entry{{QStringLiteral("character_id"), id}, {QStringLiteral("corporation_id"), corporationOf(id)}};
        if (const auto alliance = allianceOf(corporationOf(id))) {
            entry.insert(QStringLiteral("alliance_id"), *alliance);
        }
        affiliations.append(entry);
    }
    return {200, QJsonDocument(affiliations).toJson(QJsonDocument::Compact), {}};
}

FakeEsiThread::FakeEsiThread()
    : m_context(new QObject)
{
    m_thread.setObjectName(QStringLiteral("fake-esi"));
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context, [this] { m_fake = new FakeEsi; }, Qt::BlockingQueuedConnection);
}

FakeEsiThread::~FakeEsiThread()
{
    QMetaObject::invokeMethod(
        m_context, [this] { delete m_fake; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_context;
}

} // namespace km::test
