#include "sources/EveKillWsSource.h"

#include "net/HttpClient.h"
#include "sources/EveKillDocument.h"

#include <QCoroSignal>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>
#include <QWebSocket>

#include <utility>

namespace km {
namespace {

QString excerpt(const QString& text)
{
    constexpr qsizetype shown = 200;
    const QString simplified = text.simplified();
    return simplified.size() > shown ? simplified.left(shown) + QStringLiteral("...") : simplified;
}

QString seconds(std::chrono::milliseconds duration) { return QString::number(duration.count() / 1000.0, 'g', 4); }

QTimer* singleShotTimer(QObject* parent)
{
    auto* timer = new QTimer(parent);
    timer->setSingleShot(true);
    return timer;
}

} // namespace

EveKillWsSource::EveKillWsSource(EveKillWsSettings settings, SourceContext context, QObject* parent)
    : Source(sourceName, context, parent)
    , m_settings(std::move(settings))
    , m_reconnectBackoff(m_settings.backoffInitial, m_settings.backoffMax)
    , m_queueBackoff(m_settings.backoffInitial, std::chrono::minutes(1))
    , m_connectTimer(singleShotTimer(this))
    , m_keepaliveTimer(new QTimer(this))
    , m_silenceTimer(singleShotTimer(this))
    , m_queueRetryTimer(singleShotTimer(this))
{
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        endConnection(QStringLiteral("%1: no connection within %2 s")
                          .arg(m_settings.url.toDisplayString(), seconds(m_settings.connectTimeout)));
    });
    connect(m_keepaliveTimer, &QTimer::timeout, this, [this] {
        send({{QStringLiteral("type"), QStringLiteral("ping")}});
    });
    connect(m_silenceTimer, &QTimer::timeout, this, [this] {
        endConnection(QStringLiteral("%1: nothing received for %2 s, the connection is dead")
                          .arg(m_settings.url.toDisplayString(), seconds(m_settings.silenceTimeout)));
    });
    connect(m_queueRetryTimer, &QTimer::timeout, this, &EveKillWsSource::queuePending);
    connect(this, &Source::stopRequested, this, [this] { endConnection(QStringLiteral("stopped")); });
}

EveKillWsSource::~EveKillWsSource() = default;

QString EveKillWsSource::topicsProblem(const QStringList& topics)
{
    static const QRegularExpression entityTopic(
        QStringLiteral("^(character|corporation|alliance|system|region):[1-9][0-9]{0,17}$"));
    for (const QString& topic : topics) {
        if (topic != QLatin1StringView("all") && !entityTopic.match(topic).hasMatch()) {
            return QStringLiteral("unknown topic \"%1\": expected all, character:<id>, corporation:<id>, "
                                  "alliance:<id>, system:<id> or region:<id>")
                .arg(topic);
        }
    }
    return {};
}

QCoro::Task<> EveKillWsSource::run()
{
    if (const QString problem = topicsProblem(m_settings.topics); !problem.isEmpty()) {
        recordError(QStringLiteral("not started: %1").arg(problem));
        co_return;
    }
    while (!stopping()) {
        setState(SourceState::Starting);
        const QString reason = co_await connection();
        if (stopping()) {
            break;
        }
        if (const bool going = co_await backOff(m_reconnectBackoff.next(), reason); !going) {
            break;
        }
    }
    m_queueRetryTimer->stop();
    queuePending();
    if (!m_pending.empty()) {
        recordError(QStringLiteral("stopped with %1 killmail(s) received but not queued (the database refused them)")
                        .arg(m_pending.size()));
        m_pending.clear();
    }
}

QCoro::Task<QString> EveKillWsSource::connection()
{
    m_endReason.clear();
    setDetail(QStringLiteral("connecting to %1").arg(m_settings.url.toDisplayString()));
    if (stopping()) { // a status listener may have stopped the source
        co_return m_endReason;
    }
    open();
    if (m_socket) { // else it failed at once
        co_await qCoro(this, &EveKillWsSource::connectionEnded);
    }
    co_return m_endReason;
}

void EveKillWsSource::open()
{
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxMessageBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxMessageBytes));
    connect(m_socket, &QWebSocket::connected, this, &EveKillWsSource::onConnected);
    connect(m_socket, &QWebSocket::textFrameReceived, this, &EveKillWsSource::onActivity);
    connect(m_socket, &QWebSocket::binaryFrameReceived, this, &EveKillWsSource::onActivity);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &EveKillWsSource::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray& message) {
        recordError(
            QStringLiteral("ignored a binary message of %1 bytes: the feed sends JSON text").arg(message.size()));
    });
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this] {
        // The socket is gone already (the peer reset it, or it never opened): no closing handshake to send.
        endConnection(QStringLiteral("%1: %2").arg(m_settings.url.toDisplayString(), m_socket->errorString()),
                      Ending::Abort);
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] { endConnection(closedBecause(), Ending::Abort); });

    QNetworkRequest request(m_settings.url);
    request.setHeader(QNetworkRequest::UserAgentHeader, context().http.settings().userAgent);
    m_connectTimer->start(m_settings.connectTimeout);
    m_socket->open(request);
}

void EveKillWsSource::onConnected()
{
    m_connectTimer->stop();
    m_connectedFor.start();
    onActivity();
    setState(SourceState::Running);
    setDetail(QStringLiteral("connected to %1, subscribing").arg(m_settings.url.toDisplayString()));
    subscribe();
}

void EveKillWsSource::onActivity()
{
    m_silenceTimer->start(m_settings.silenceTimeout);
    m_keepaliveTimer->start(m_settings.keepaliveAfter);
}

void EveKillWsSource::subscribe()
{
    if (m_settings.topics.isEmpty()) {
        sendText(QStringLiteral("all"));
        return;
    }
    send({{QStringLiteral("type"), QStringLiteral("subscribe")},
          {QStringLiteral("topics"), QJsonArray::fromStringList(m_settings.topics)}});
}

void EveKillWsSource::send(const QJsonObject& message)
{
    sendText(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void EveKillWsSource::sendText(const QString& text)
{
    if (m_socket) { // a status listener may have stopped the source meanwhile
        m_socket->sendTextMessage(text);
    }
}

void EveKillWsSource::onText(const QString& text)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        recordError(
            QStringLiteral("ignored a message that is not JSON (%1): %2").arg(parseError.errorString(), excerpt(text)));
        return;
    }
    if (!document.isObject()) {
        recordError(QStringLiteral("ignored a message that is not a JSON object: %1").arg(excerpt(text)));
        return;
    }
    const QJsonObject message = document.object();
    if (!message.value(QLatin1StringView("type")).isString()) {
        recordError(QStringLiteral("ignored a message without a type: %1").arg(excerpt(text)));
        return;
    }
    onMessage(message);
}

void EveKillWsSource::onMessage(const QJsonObject& message)
{
    const QString type = message.value(QLatin1StringView("type")).toString();
    if (type == QLatin1StringView("killmail")) {
        QString problem;
        if (const auto killmail =
                EveKillDocument::fromKillmailMessage(message.value(QLatin1StringView("data")), problem)) {
            queue(*killmail);
        } else {
            recordError(QStringLiteral("ignored a killmail message: %1").arg(problem));
        }
    } else if (type == QLatin1StringView("ping")) {
        send({{QStringLiteral("type"), QStringLiteral("pong")}});
    } else if (type == QLatin1StringView("subscribed")) {
        onSubscribed(message);
    } else if (type == QLatin1StringView("error")) {
        recordError(QStringLiteral("the server reports: %1")
                        .arg(excerpt(message.value(QLatin1StringView("message")).toString())));
    } else if (type != QLatin1StringView("info") && type != QLatin1StringView("pong")) {
        recordError(QStringLiteral("ignored a message of unknown type \"%1\"").arg(excerpt(type)));
    }
}

void EveKillWsSource::onSubscribed(const QJsonObject& message)
{
    // The topics are at the top in the documented shape, under `data` in some server versions.
    QJsonValue topics = message.value(QLatin1StringView("topics"));
    if (!topics.isArray()) {
        topics = message.value(QLatin1StringView("data")).toObject().value(QLatin1StringView("topics"));
    }
    QStringList names;
    for (const QJsonValue topic : topics.toArray()) {
        names.append(topic.toString());
    }
    setDetail(QStringLiteral("subscribed to %1 at %2")
                  .arg(names.isEmpty() ? QStringLiteral("all") : names.join(QStringLiteral(", ")),
                       m_settings.url.toDisplayString()));
}

QString EveKillWsSource::closedBecause() const
{
    const QString why = m_socket->closeReason().isEmpty() ? QString() : QStringLiteral(", ") + m_socket->closeReason();
    // Qt closes with 1009 by itself when a message passes our limit. The server would send it for a message of ours
    // too big for it, but ours (a subscription, a pong) are a few bytes.
    if (m_socket->closeCode() == QWebSocketProtocol::CloseCodeTooMuchData) {
        return QStringLiteral("%1: closed the connection, a message from the server was larger than the %2 bytes "
                              "allowed (code 1009%3)")
            .arg(m_settings.url.toDisplayString())
            .arg(m_settings.maxMessageBytes)
            .arg(why);
    }
    return QStringLiteral("%1: the server closed the connection (code %2%3)")
        .arg(m_settings.url.toDisplayString())
        .arg(int(m_socket->closeCode()))
        .arg(why);
}

void EveKillWsSource::endConnection(const QString& reason, Ending ending)
{
    if (!m_socket) {
        return;
    }
    m_connectTimer->stop();
    m_keepaliveTimer->stop();
    m_silenceTimer->stop();
    QWebSocket* socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    if (ending == Ending::Close && socket->state() == QAbstractSocket::ConnectedState) {
        socket->close(QWebSocketProtocol::CloseCodeGoingAway, reason);
    } else {
        socket->abort();
    }
    socket->deleteLater(); // this may run in one of its signals
    if (m_connectedFor.isValid() && m_connectedFor.elapsed() >= m_settings.healthyAfter.count()) {
        m_reconnectBackoff.reset();
    }
    m_connectedFor.invalidate();
    m_endReason = reason;
    Q_EMIT connectionEnded();
}

void EveKillWsSource::queue(const KillmailReference& killmail)
{
    m_pending.push_back(KillmailJob{killmail.killmailId, killmail.hash, name(), {}, Priority::High});
    if (!m_queueRetryTimer->isActive()) {
        queuePending();
    }
}

void EveKillWsSource::queuePending()
{
    if (m_pending.empty()) {
        return;
    }
    if (deliver(m_pending)) {
        m_pending.clear();
        m_queueBackoff.reset();
        return;
    }
    m_queueRetryTimer->start(m_queueBackoff.next());
}

} // namespace km
