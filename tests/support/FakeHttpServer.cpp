#include "FakeHttpServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <zlib.h>

#include <algorithm>
#include <memory>

namespace km::test {
namespace {

constexpr qsizetype maxHeaderBytes = 64 * 1024;
constexpr qsizetype maxBodyBytes = 16 * 1024 * 1024;
constexpr qsizetype maxLoggedRequests = 100000;

QByteArray reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
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

} // namespace

QByteArray FakeHttpServer::Request::header(QByteArrayView name) const
{
    for (const auto& header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0) {
            return header.second;
        }
    }
    return {};
}

QByteArray FakeHttpServer::errorBody(const QString& message)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
}

QByteArray FakeHttpServer::gzip(const QByteArray& data)
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

void FakeHttpServer::setHeader(Headers& headers, const QByteArray& name, const QByteArray& value)
{
    for (auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = value;
            return;
        }
    }
    headers.append({name, value});
}

FakeHttpServer::FakeHttpServer(QObject* parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FakeHttpServer::accept);
    if (!m_server->listen(QHostAddress::LocalHost, 0)) {
        qFatal("fake server cannot listen: %s", qPrintable(m_server->errorString()));
    }
    m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->serverPort()));
}

FakeHttpServer::~FakeHttpServer()
{
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
        delete it.key();
    }
}

QUrl FakeHttpServer::url() const
{
    QMutexLocker lock(&m_mutex);
    return m_url;
}

void FakeHttpServer::script(const QString& pathPrefix, const Answer& answer)
{
    QMutexLocker lock(&m_mutex);
    m_scripted.append({pathPrefix, answer});
}

void FakeHttpServer::setLatency(std::chrono::milliseconds latency)
{
    QMutexLocker lock(&m_mutex);
    m_latency = std::max(std::chrono::milliseconds(0), latency);
}

void FakeHttpServer::setFault(const QString& pathPrefix, const Answer& fault)
{
    QMutexLocker lock(&m_mutex);
    m_faults.append({pathPrefix, fault});
}

void FakeHttpServer::clearFaults()
{
    QMutexLocker lock(&m_mutex);
    m_faults.clear();
}

void FakeHttpServer::setDripInterval(std::chrono::milliseconds interval)
{
    QMutexLocker lock(&m_mutex);
    m_dripInterval = interval;
}

void FakeHttpServer::setUserAgentChecked(bool checked)
{
    QMutexLocker lock(&m_mutex);
    m_userAgentChecked = checked;
}

bool FakeHttpServer::isProperUserAgent(const QByteArray& userAgent)
{
    static const QRegularExpression proper(QStringLiteral(R"(^[\w.+-]+/[\w.+-]+ \(.*\w.*\))"));
    return proper.match(QString::fromLatin1(userAgent)).hasMatch();
}

int FakeHttpServer::requestCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_requestCount;
}

int FakeHttpServer::requestsTo(const QString& pathPrefix) const
{
    QMutexLocker lock(&m_mutex);
    int count = 0;
    for (auto it = m_pathCounts.cbegin(); it != m_pathCounts.cend(); ++it) {
        count += it.key().startsWith(pathPrefix) ? it.value() : 0;
    }
    return count;
}

QList<FakeHttpServer::Request> FakeHttpServer::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_log;
}

QList<FakeHttpServer::Request> FakeHttpServer::requestsFor(const QString& pathPrefix) const
{
    QMutexLocker lock(&m_mutex);
    QList<Request> found;
    std::copy_if(m_log.cbegin(), m_log.cend(), std::back_inserter(found),
                 [&pathPrefix](const Request& request) { return request.route().startsWith(pathPrefix); });
    return found;
}

void FakeHttpServer::clearLog()
{
    QMutexLocker lock(&m_mutex);
    m_log.clear();
    m_pathCounts.clear();
    m_requestCount = 0;
    clearCounters();
}

std::chrono::milliseconds FakeHttpServer::spanOf(const QString& pathPrefix, qsizetype first) const
{
    const QList<Request> asked = requestsFor(pathPrefix);
    if (first < 0 || asked.size() <= first + 1) {
        return std::chrono::milliseconds(0);
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(asked.back().receivedAt - asked[first].receivedAt);
}

std::optional<FakeHttpServer::Answer> FakeHttpServer::preempt(const Request& /*request*/) { return std::nullopt; }

void FakeHttpServer::decorate(const Request& /*request*/, Answer& /*answer*/) { }

void FakeHttpServer::accept()
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

void FakeHttpServer::readFrom(QTcpSocket* socket)
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

bool FakeHttpServer::serveOne(QTcpSocket* socket, Connection& connection)
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
    request.receivedAt = std::chrono::steady_clock::now();
    connection.buffer.remove(0, headerEnd + 4 + length);

    const QByteArray connectionHeader = request.header("Connection").toLower();
    const bool keepAlive =
        requestLine[2] == "HTTP/1.1" ? !connectionHeader.contains("close") : connectionHeader.contains("keep-alive");
    const Answer reply = answer(request);
    if (reply.mode == Answer::Hang) {
        connection.hanging = true;
        return false;
    }
    if (reply.mode == Answer::Drop) {
        socket->abort();
        return false;
    }
    if (sendFaulty(socket, reply)) {
        return false;
    }
    std::chrono::milliseconds latency;
    {
        QMutexLocker lock(&m_mutex);
        latency = m_latency + reply.delay;
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
    return keepAlive && reply.mode != Answer::Truncate;
}

void FakeHttpServer::refuse(QTcpSocket* socket, int status)
{
    send(socket, {status, errorBody(QString::fromLatin1(reason(status))), {}, Answer::Normal}, false);
}

void FakeHttpServer::send(QTcpSocket* socket, const Answer& answer, bool keepAlive)
{
    QByteArray body = answer.mode == Answer::Gzip ? gzip(answer.body) : answer.body;
    Headers headers{{"Server", "fake"}};
    const bool bodyless = answer.status == 304 || answer.status == 204;
    if (!bodyless) {
        headers.append({QByteArray("Content-Type"), QByteArray("application/json; charset=UTF-8")});
        const qsizetype announced = answer.mode == Answer::Truncate ? body.size() + 1000 : body.size();
        headers.append({QByteArray("Content-Length"), QByteArray::number(announced)});
    } else {
        body.clear();
    }
    if (answer.mode == Answer::Gzip) {
        headers.append({QByteArray("Content-Encoding"), QByteArray("gzip")});
    }
    for (const auto& [name, value] : answer.headers) {
        setHeader(headers, name, value);
    }
    const bool close = !keepAlive || answer.mode == Answer::Truncate;
    if (close) {
        headers.append({QByteArray("Connection"), QByteArray("close")});
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(answer.status) + ' ' + reason(answer.status) + "\r\n";
    for (const auto& [name, value] : headers) {
        head += name + ": " + value + "\r\n";
    }
    socket->write(head + "\r\n" + body);
    if (close) {
        socket->disconnectFromHost();
    }
}

bool FakeHttpServer::sendFaulty(QTcpSocket* socket, const Answer& answer)
{
    const QByteArray head = "HTTP/1.1 " + QByteArray::number(answer.status) + ' ' + reason(answer.status)
        + "\r\nServer: fake\r\nContent-Type: application/json; charset=UTF-8\r\nConnection: close\r\n";
    const QByteArray length = "Content-Length: " + QByteArray::number(answer.body.size()) + "\r\n\r\n";
    const QByteArray chunked = "Transfer-Encoding: chunked\r\n\r\n";
    switch (answer.mode) {
    case Answer::DropMidBody:
        socket->write(head + length + answer.body.left(answer.body.size() / 2));
        socket->flush();
        socket->abort();
        return true;
    case Answer::Garbage:
        static const char garbage[] = "\x16\x03\x01\x02\x00garbage\xff\xfe{\"package\":\r\n\r\n";
        socket->write(garbage, sizeof garbage - 1);
        socket->disconnectFromHost();
        return true;
    case Answer::Endless:
        socket->write(head + chunked);
        streamEndlessly(socket);
        return true;
    case Answer::SlowDrip:
        socket->write(head + length);
        drip(socket, answer.body);
        return true;
    case Answer::CutChunked: {
        const QByteArray first = answer.body.left(answer.body.size() / 2);
        socket->write(head + chunked + QByteArray::number(first.size(), 16) + "\r\n" + first + "\r\n");
        socket->disconnectFromHost();
        return true;
    }
    default: return false;
    }
}

void FakeHttpServer::streamEndlessly(QTcpSocket* socket)
{
    constexpr qint64 chunkBytes = 64 * 1024;
    static const QByteArray chunk = [] {
        const QByteArray data = QByteArray("{\"killmail_id\":1},").repeated(chunkBytes / 18).left(chunkBytes);
        return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
    }();
    const auto topUp = [socket] {
        while (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() < 16 * chunkBytes) {
            socket->write(chunk);
        }
    };
    connect(socket, &QTcpSocket::bytesWritten, socket, topUp);
    topUp();
}

void FakeHttpServer::drip(QTcpSocket* socket, QByteArray body)
{
    std::chrono::milliseconds interval;
    {
        QMutexLocker lock(&m_mutex);
        interval = m_dripInterval;
    }
    auto* timer = new QTimer(socket);
    auto sent = std::make_shared<qsizetype>(0);
    connect(timer, &QTimer::timeout, socket, [socket, timer, body = std::move(body), sent] {
        if (*sent >= body.size()) {
            timer->stop();
            socket->disconnectFromHost();
            return;
        }
        socket->write(body.mid((*sent)++, 1));
    });
    timer->start(interval);
}

FakeHttpServer::Answer FakeHttpServer::answer(const Request& request)
{
    QMutexLocker lock(&m_mutex);
    ++m_requestCount;
    ++m_pathCounts[request.route()];

    Answer reply;
    Headers scriptedHeaders;
    const auto startsPath = [&request](const auto& entry) { return request.path.startsWith(entry.first); };
    const auto scripted = std::find_if(m_scripted.begin(), m_scripted.end(), startsPath);
    const auto fault = std::find_if(m_faults.cbegin(), m_faults.cend(), startsPath);
    if (m_userAgentChecked && !isProperUserAgent(request.header("User-Agent"))) {
        reply = {403,
                 errorBody(QStringLiteral("Set a User-Agent that says who you are: product/version (contact)")),
                 {},
                 Answer::Normal};
    } else if (fault != m_faults.cend()) {
        reply = fault->second;
    } else if (std::optional<Answer> first = preempt(request)) {
        reply = std::move(*first);
    } else if (scripted != m_scripted.end()) {
        reply = scripted->second;
        scriptedHeaders = reply.headers;
        reply.headers.clear();
        m_scripted.erase(scripted);
    } else {
        reply = route(request);
    }
    if (reply.mode == Answer::RedirectLoop) {
        reply = {302, {}, {{"Location", request.path.toUtf8()}}, Answer::Normal};
    }
    if (reply.mode == Answer::Normal || reply.mode == Answer::Truncate || reply.mode == Answer::Gzip) {
        decorate(request, reply);
    }
    for (const auto& [name, value] : scriptedHeaders) {
        setHeader(reply.headers, name, value);
    }

    Request logged = request;
    logged.status = reply.mode == Answer::Hang || reply.mode == Answer::Drop ? 0 : reply.status;
    m_log.append(std::move(logged));
    if (m_log.size() > maxLoggedRequests) {
        m_log.remove(0, m_log.size() - maxLoggedRequests);
    }
    return reply;
}

} // namespace km::test
