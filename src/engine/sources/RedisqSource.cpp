#include "sources/RedisqSource.h"

#include "net/HttpClient.h"
#include "parse/KillmailParser.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <variant>

namespace km {
namespace {

using std::chrono::milliseconds;

/// The poll's own client: a longer timeout (the server holds a quiet poll for ttw seconds), and redirects left to the
/// source, which follows each to its object surely before it polls again.
HttpSettings pollSettings(HttpSettings settings, milliseconds timeout)
{
    settings.timeout = timeout;
    settings.followRedirects = false;
    return settings;
}

/// Why an embedded killmail cannot be queued as the body of `reference`; empty when it can.
QString embeddedKillmailProblem(const QJsonValue& body, const QByteArray& json, const KillmailReference& reference)
{
    const QString where = QStringLiteral("package %1: killmail").arg(reference.killmailId);
    if (!body.isObject()) {
        return where + QStringLiteral(": expected an object");
    }
    const ParseOutcome parsed = KillmailParser::parseEsiBody(json, reference.hash, where);
    if (const auto* error = std::get_if<ParseError>(&parsed)) {
        return error->toString();
    }
    const KillmailId bodyId = std::get<ParsedKillmail>(parsed).killmail.killmailId;
    if (bodyId != reference.killmailId) {
        return QStringLiteral("%1: killmail_id %2 differs from the package's killID").arg(where).arg(bodyId);
    }
    return {};
}

} // namespace

RedisqPackage RedisqPackage::read(const QJsonValue& package)
{
    if (!package.isObject()) {
        return {std::nullopt, QStringLiteral("rejected a package: expected an object or null")};
    }
    const QJsonObject object = package.toObject();
    if (!object.contains(QLatin1StringView("killID"))) {
        return {std::nullopt, QStringLiteral("rejected a package: killID: required field is missing")};
    }
    QJsonObject reference = object;
    reference.remove(QLatin1StringView("killmail"));
    const ParseOutcome outcome = KillmailParser::parseObject(reference, QString());
    if (const auto* error = std::get_if<ParseError>(&outcome)) {
        return {std::nullopt, QStringLiteral("rejected a package: ") + error->toString()};
    }
    const auto* parsed = std::get_if<KillmailReference>(&outcome);
    if (parsed == nullptr) {
        return {std::nullopt, QStringLiteral("rejected a package: not a RedisQ package")};
    }
    KillmailJob job{parsed->killmailId, parsed->hash, RedisqSource::sourceName, {}, Priority::High};
    const QJsonValue body = object.value(QLatin1StringView("killmail"));
    if (body.isUndefined() || body.isNull()) {
        return {job, {}};
    }
    const QByteArray json = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    if (const QString problem = embeddedKillmailProblem(body, json, *parsed); !problem.isEmpty()) {
        return {job, problem + QStringLiteral("; queued by ID and hash, for the processor to fetch from ESI")};
    }
    job.esiBody = json;
    return {job, {}};
}

QString RedisqSettings::problem() const
{
    if (queueId.trimmed().isEmpty()) {
        return QStringLiteral("no RedisQ queueID is configured (REDISQ_ID): the feed needs one to know what it has "
                              "sent this consumer");
    }
    if (!baseUrl.isValid()
        || (baseUrl.scheme() != QLatin1StringView("https") && baseUrl.scheme() != QLatin1StringView("http"))) {
        return QStringLiteral("'%1' is not an http(s) URL").arg(baseUrl.toDisplayString());
    }
    if (ttw < 1 || ttw > 10) {
        return QStringLiteral("ttw must be 1 to 10 seconds, not %1").arg(ttw);
    }
    if (requestTimeout <= std::chrono::seconds(ttw)) {
        return QStringLiteral("the request timeout (%1 ms) must exceed ttw (%2 s), or every quiet poll times out")
            .arg(requestTimeout.count())
            .arg(ttw);
    }
    return {};
}

RedisqSource::RedisqSource(RedisqSettings settings, SourceContext context, QObject* parent)
    : Source(sourceName, context, parent)
    , m_settings(std::move(settings))
    , m_http(new HttpClient(pollSettings(context.http.settings(), m_settings.requestTimeout), this))
    , m_backoff(m_settings.backoffInitial, m_settings.backoffMax)
{
    m_settings.queueId = m_settings.queueId.trimmed();
    connect(this, &Source::stopRequested, m_http, [this] {
        if (m_polling) {
            m_http->abortAll();
        }
    });
}

QCoro::Task<> RedisqSource::run()
{
    if (const QString problem = m_settings.problem(); !problem.isEmpty()) {
        recordError(QStringLiteral("cannot start: ") + problem);
        co_return;
    }
    showPosition();
    for (;;) {
        const bool going = co_await waitForTurn();
        if (!going) {
            break;
        }
        m_sinceLastPoll.start();
        m_polling = true; // only a poll is cut short by stop(): the object it leads to holds a kill
        HttpReply reply = co_await m_http->get(listenUrl());
        m_polling = false;
        if (reply.redirect.isValid()) {
            reply = co_await fetchObject(reply.redirect);
        }
        if (stopping() && !reply.status.good()) {
            break;
        }
        co_await handle(std::move(reply)); // what the poll was given is queued even while stopping
    }
}

QCoro::Task<HttpReply> RedisqSource::fetchObject(QUrl object)
{
    // The server handed this queue a kill and will not hand it again: ask for it until it comes or is gone (a 4xx
    // other than 408/429, or a redirect again: asking that again would only take the queue's next package and drop
    // it); a stop ends only the waits between tries.
    for (;;) {
        HttpReply reply = co_await m_http->get(object);
        if (reply.status.good() || !reply.status.transient() || reply.redirect.isValid()) {
            co_return reply;
        }
        const milliseconds wait = reply.status.code == RequestStatus::Code::TooManyRequests && reply.status.retryAfter
            ? *reply.status.retryAfter
            : m_backoff.next();
        const QString reason = reply.status.message + QStringLiteral(" (asking for the kill again)");
        if (const bool going = co_await backOff(wait, reason); !going) {
            recordError(QStringLiteral("the kill at %1 was not fetched before the source stopped")
                            .arg(object.toDisplayString()));
            co_return reply;
        }
    }
}

QCoro::Task<bool> RedisqSource::waitForTurn()
{
    if (m_sinceLastPoll.isValid()) {
        const milliseconds since(m_sinceLastPoll.elapsed());
        if (since < m_settings.minPollInterval) {
            const bool going = co_await pause(m_settings.minPollInterval - since);
            co_return going;
        }
    }
    co_return !stopping();
}

QCoro::Task<> RedisqSource::handle(HttpReply reply)
{
    if (!reply.status.good()) {
        // The error names the URL and carries the server's explanation (a 403's JSON, a 5xx's text).
        const milliseconds wait = reply.status.code == RequestStatus::Code::TooManyRequests && reply.status.retryAfter
            ? *reply.status.retryAfter
            : m_backoff.next();
        co_await backOff(wait, reply.status.message);
        co_return;
    }
    const QString what = QStringLiteral("GET %1").arg(listenUrl().toDisplayString());
    QString problem;
    const std::optional<QJsonDocument> document = reply.json(what, problem);
    if (!document) {
        co_await backOff(m_backoff.next(), problem);
        co_return;
    }
    if (!document->isObject() || !document->object().contains(QLatin1StringView("package"))) {
        co_await backOff(m_backoff.next(), what + QStringLiteral(": not a RedisQ answer (no \"package\")"));
        co_return;
    }
    m_backoff.reset();
    co_await receive(document->object().value(QLatin1StringView("package")));
}

QCoro::Task<> RedisqSource::receive(QJsonValue package)
{
    if (package.isNull()) {
        setState(SourceState::Waiting);
        co_return;
    }
    RedisqPackage reading = RedisqPackage::read(package);
    if (!reading.problem.isEmpty()) {
        recordError(reading.problem);
    }
    if (reading.job) {
        co_await queue(std::move(*reading.job));
    }
}

QCoro::Task<> RedisqSource::queue(KillmailJob job)
{
    const std::vector<KillmailJob> jobs{std::move(job)};
    while (!deliver(jobs)) { // deliver() reported why
        const bool going = co_await waitToRetry(m_backoff.next());
        if (!going) {
            recordError(QStringLiteral("killmail %1 was not queued before the source stopped: queue it by hand "
                                       "(queue:add killmail %1 %2)")
                            .arg(jobs.front().killmailId)
                            .arg(jobs.front().hash));
            co_return;
        }
    }
    m_backoff.reset();
    setState(SourceState::Running);
    showPosition();
}

QUrl RedisqSource::listenUrl() const
{
    QUrl url = joinUrl(m_settings.baseUrl, QStringLiteral("listen.php"));
    url.setQuery(QStringLiteral("queueID=%1&ttw=%2")
                     .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_settings.queueId)))
                     .arg(m_settings.ttw));
    return url;
}

void RedisqSource::showPosition()
{
    const KillmailId last = status().lastKillmailId;
    setDetail(last > 0 ? QStringLiteral("queue %1, last kill %2").arg(m_settings.queueId).arg(last)
                       : QStringLiteral("queue %1").arg(m_settings.queueId));
}

} // namespace km
