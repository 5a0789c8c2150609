#include "monitoring/MetricsServer.h"

#include "util/Logging.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <exception>
#include <variant>

namespace km {
namespace {

const QByteArray plainText = "text/plain; charset=utf-8";
const QByteArray prometheusText = "text/plain; version=0.0.4; charset=utf-8";

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
    }
}

/// RFC 9110's tchar: what a method or a header name is made of.
bool isTokenCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text) { return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenCharacter); }

bool isVisible(char c) { return c > 0x20 && c < 0x7f; }

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// Where the request head's last line ends (the offset of the line feed before the blank line), or -1 while the
/// head is incomplete. Lines may end with CRLF or a bare LF.
qsizetype headEnd(const QByteArray& received)
{
    const qsizetype crlf = received.indexOf("\n\r\n");
    const qsizetype lf = received.indexOf("\n\n");
    if (crlf < 0 || lf < 0) {
        return std::max(crlf, lf);
    }
    return std::min(crlf, lf);
}

struct Request {
    QByteArray method;
    /// The path, its query left out.
    QByteArray path;
};

struct Rejection {
    int status;
    QString why;
};

/// The request line `METHOD /target HTTP/1.x` and header lines `Name: value`; their values are not used.
std::variant<Request, Rejection> parseHead(const QByteArray& head)
{
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray& line : lines) {
        if (line.endsWith('\r')) {
            line.chop(1);
        }
    }
    const QList<QByteArray> parts = lines.front().split(' ');
    if (parts.size() != 3 || !isToken(parts[0])) {
        return Rejection{400, QStringLiteral("malformed request line")};
    }
    const QByteArray& target = parts[1];
    if (!target.startsWith('/') || !std::all_of(target.begin(), target.end(), isVisible)) {
        return Rejection{400, QStringLiteral("malformed request target")};
    }
    const QByteArray& version = parts[2];
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        const bool wellFormed = version.size() == 8 && version.startsWith("HTTP/") && isDigit(version[5])
            && version[6] == '.' && isDigit(version[7]);
        return wellFormed
            ? Rejection{505, QStringLiteral("HTTP version %1 not supported").arg(QString::fromLatin1(version))}
            : Rejection{400, QStringLiteral("malformed HTTP version")};
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray& line = lines[i];
        const qsizetype colon = line.indexOf(':');
        const bool valueClean = std::all_of(line.begin() + std::max<qsizetype>(colon, 0), line.end(),
                                            [](char c) { return c == '\t' || static_cast<unsigned char>(c) >= 0x20; })
            && !line.contains('\x7f');
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon)) || !valueClean) {
            return Rejection{400, QStringLiteral("malformed header line %1").arg(i)};
        }
    }
    const qsizetype query = target.indexOf('?');
    return Request{parts[0], query < 0 ? target : target.left(query)};
}

QString peerOf(const QTcpSocket* socket)
{
    return QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort());
}

} // namespace

MetricsServer::MetricsServer(MetricsServerSettings settings, MetricsProvider metrics, HealthProvider health,
                             QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_metrics(std::move(metrics))
    , m_health(std::move(health))
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &MetricsServer::accept);
}

MetricsServer::~MetricsServer()
{
    // The sockets' signals reach into this object: silence them before the server deletes its children.
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        it.key()->disconnect();
        it.key()->abort();
    }
    delete m_server;
}

bool MetricsServer::listen(QString& error)
{
    if (!m_server->listen(m_settings.address, m_settings.port)) {
        error = QStringLiteral("cannot listen on %1 port %2: %3")
                    .arg(m_settings.address.toString())
                    .arg(m_settings.port)
                    .arg(m_server->errorString());
        return false;
    }
    error.clear();
    qCInfo(lcMonitoring).noquote() << QStringLiteral("serving /metrics and /healthz on %1").arg(url().toString());
    return true;
}

quint16 MetricsServer::port() const { return m_server->serverPort(); }

QUrl MetricsServer::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_server->isListening() ? m_server->serverAddress().toString() : m_settings.address.toString());
    url.setPort(port());
    return url;
}

void MetricsServer::accept()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        if (m_connections.size() >= m_settings.maxConnections) {
            if (!m_atConnectionLimit) {
                qCWarning(lcMonitoring).noquote()
                    << QStringLiteral("%1 connections open, the most allowed: closing new ones until some end")
                           .arg(m_connections.size());
                m_atConnectionLimit = true;
            }
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_connections.insert(socket, {});
        // Past this size Qt stops reading from the peer, so bytes sent after the request cannot pile up.
        socket->setReadBufferSize(m_settings.maxRequestBytes);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        // Queued, as the socket may close while it is being answered; delivered only while the socket exists.
        // A socket error ends in disconnected() too; one that would not is ended by the timeout.
        connect(
            socket, &QTcpSocket::disconnected, socket, [this, socket] { forget(socket); }, Qt::QueuedConnection);
        QTimer::singleShot(m_settings.connectionTimeout, socket, [this, socket] { timeOut(socket); });
        if (socket->bytesAvailable() > 0) {
            readFrom(socket);
        }
    }
}

void MetricsServer::readFrom(QTcpSocket* socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end() || found->answered) {
        socket->readAll();
        return;
    }
    found->received += socket->readAll();
    const qsizetype end = headEnd(found->received);
    const qsizetype length = end < 0 ? found->received.size() : end + (found->received[end + 1] == '\r' ? 3 : 2);
    if (length > m_settings.maxRequestBytes || (end < 0 && length == m_settings.maxRequestBytes)) {
        reject(socket, 431, QStringLiteral("request head longer than %1 bytes").arg(m_settings.maxRequestBytes));
        return;
    }
    if (end < 0) {
        return;
    }
    const QByteArray head = found->received.left(end);
    found->received.clear();
    serve(socket, head);
}

void MetricsServer::serve(QTcpSocket* socket, const QByteArray& head)
{
    const auto parsed = parseHead(head);
    if (const auto* rejection = std::get_if<Rejection>(&parsed)) {
        reject(socket, rejection->status, rejection->why);
        return;
    }
    const auto& request = std::get<Request>(parsed);
    const bool isMetrics = request.path == "/metrics";
    if (!isMetrics && request.path != "/healthz") {
        respond(socket, 404, plainText, "not found\n", request.method != "HEAD");
        return;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        respond(socket, 405, plainText, "method not allowed\n", true, "Allow: GET, HEAD\r\n");
        return;
    }
    const bool withBody = request.method == "GET";
    if (isMetrics) {
        serveMetrics(socket, withBody);
    } else {
        serveHealth(socket, withBody);
    }
}

void MetricsServer::serveMetrics(QTcpSocket* socket, bool withBody)
{
    QByteArray page;
    try {
        page = m_metrics();
    } catch (const std::exception& error) {
        qCWarning(lcMonitoring).noquote() << "metrics could not be gathered:" << error.what();
        respond(socket, 500, plainText, "metrics could not be gathered\n", withBody);
        return;
    }
    respond(socket, 200, prometheusText, page, withBody);
}

void MetricsServer::serveHealth(QTcpSocket* socket, bool withBody)
{
    Health health;
    try {
        health = m_health();
    } catch (const std::exception& error) {
        health = {false, QStringLiteral("health could not be checked: %1").arg(QString::fromUtf8(error.what()))};
    }
    if (health.ok) {
        respond(socket, 200, plainText, "ok\n", withBody);
    } else {
        const QString reason = health.reason.isEmpty() ? QStringLiteral("unhealthy") : health.reason;
        respond(socket, 503, plainText, reason.toUtf8() + '\n', withBody);
    }
}

void MetricsServer::respond(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body,
                            bool withBody, const QByteArray& extraHeaders)
{
    m_connections[socket].answered = true;
    QByteArray answer = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    answer += "Content-Type: " + contentType + "\r\n";
    answer += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    answer += extraHeaders + "Connection: close\r\n\r\n";
    if (withBody) {
        answer += body;
    }
    socket->write(answer);
    socket->disconnectFromHost();
}

void MetricsServer::reject(QTcpSocket* socket, int status, const QString& why)
{
    qCWarning(lcMonitoring).noquote()
        << QStringLiteral("rejected a request from %1 with %2: %3").arg(peerOf(socket)).arg(status).arg(why);
    respond(socket, status, plainText, why.toUtf8() + '\n', true);
}

void MetricsServer::timeOut(QTcpSocket* socket)
{
    if (!m_connections.contains(socket)) {
        return;
    }
    qCInfo(lcMonitoring).noquote() << QStringLiteral("closed the connection from %1: no complete exchange in %2 ms")
                                          .arg(peerOf(socket))
                                          .arg(m_settings.connectionTimeout.count());
    forget(socket);
    socket->abort();
}

void MetricsServer::forget(QTcpSocket* socket)
{
    if (m_connections.remove(socket) == 0) {
        return;
    }
    socket->deleteLater();
    if (m_atConnectionLimit && m_connections.size() < m_settings.maxConnections) {
        qCInfo(lcMonitoring) << "accepting connections again";
        m_atConnectionLimit = false;
    }
}

} // namespace km
