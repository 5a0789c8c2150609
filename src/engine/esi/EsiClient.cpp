#include "esi/EsiClient.h"

#include "net/ReplyText.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QCoroNetworkReply>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>

#include <list>

namespace km {

using std::chrono::milliseconds;
using std::chrono::seconds;

/// ETag and body per GET path, least recently used first out.
class EsiClient::EtagCache {
public:
    struct Entry {
        QByteArray etag;
        QByteArray body;
    };

    explicit EtagCache(int capacity)
        : m_capacity(capacity)
    {
    }

    std::optional<Entry> find(const QString& path)
    {
        const auto found = m_index.constFind(path);
        if (found == m_index.cend()) {
            return std::nullopt;
        }
        m_order.splice(m_order.begin(), m_order, *found);
        return (*found)->second;
    }

    void insert(const QString& path, Entry entry)
    {
        remove(path);
        m_order.emplace_front(path, std::move(entry));
        m_index.insert(path, m_order.begin());
        if (int(m_order.size()) > m_capacity) {
            m_index.remove(m_order.back().first);
            m_order.pop_back();
        }
    }

    void remove(const QString& path)
    {
        if (const auto found = m_index.constFind(path); found != m_index.cend()) {
            m_order.erase(*found);
            m_index.erase(found);
        }
    }

private:
    using Order = std::list<std::pair<QString, Entry>>;
    int m_capacity;
    Order m_order;
    QHash<QString, Order::iterator> m_index;
};

namespace {

constexpr int etagCacheEntries = 2000;

struct DeleteLater {
    void operator()(QObject* object) const { object->deleteLater(); }
};

bool isKillmailPath(const QString& path) { return EsiRateLimits::routeKey(path) == QLatin1String("/killmails/"); }

QString seconds1(milliseconds duration) { return QString::number(duration.count() / 1000.0, 'f', 1); }

QList<qint64> uniquePositive(const QList<qint64>& ids)
{
    QList<qint64> unique;
    QSet<qint64> seen;
    for (qint64 id : ids) {
        if (id > 0 && !seen.contains(id)) {
            seen.insert(id);
            unique.append(id);
        }
    }
    return unique;
}

QByteArray idArray(const QList<qint64>& ids)
{
    QJsonArray array;
    for (qint64 id : ids) {
        array.append(id);
    }
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

using Code = RequestStatus::Code;

/// A whole answer that is not the JSON asked for: worth asking again, it may come right.
RequestStatus incorrect(const EsiReply& reply, QString problem)
{
    return {Code::IncorrectResponse, reply.status.httpStatus, std::move(problem), reply.status.retryAfter};
}

/// The answer to POST `path`, which must be a JSON array.
EsiJson arrayAnswer(const EsiReply& reply, const QString& path)
{
    if (!reply.status.good()) {
        return {reply.status, {}};
    }
    QJsonParseError parseError;
    QJsonDocument json = QJsonDocument::fromJson(reply.body, &parseError);
    if (const auto problem = jsonProblem(reply.body, parseError); problem || !json.isArray()) {
        return {
            incorrect(reply,
                      QStringLiteral("ESI POST %1: %2").arg(path, problem.value_or(QStringLiteral("not an array")))),
            {}};
    }
    return {reply.status, std::move(json)};
}

QUrl esiUrl(QUrl url, const QString& path)
{
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/'))) {
        basePath.chop(1);
    }
    url.setPath(basePath + path.section(QLatin1Char('?'), 0, 0));
    if (path.contains(QLatin1Char('?'))) {
        url.setQuery(path.section(QLatin1Char('?'), 1));
    }
    return url;
}

QNetworkRequest esiRequest(const EsiSettings& settings, const QUrl& url)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, settings.userAgent());
    request.setRawHeader("X-Compatibility-Date", settings.compatibilityDate.toLatin1());
    request.setRawHeader("Accept", "application/json");
    // No Accept-Encoding here on purpose: QNAM then offers gzip itself and decodes the answer; one set by
    // hand would leave the body compressed.
    return request;
}

/// What the answer (or its absence: status 0) says about the rate limits.
EsiAnswerInfo answerInfo(const QNetworkReply& reply, bool timedOut)
{
    EsiAnswerInfo info;
    info.status = timedOut ? 0 : reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    info.timedOut = timedOut;
    info.group = reply.rawHeader("X-Ratelimit-Group");
    info.limit = reply.rawHeader("X-Ratelimit-Limit");
    info.remaining = reply.rawHeader("X-Ratelimit-Remaining");
    info.used = reply.rawHeader("X-Ratelimit-Used");
    info.errorLimitRemain = reply.rawHeader("X-ESI-Error-Limit-Remain");
    info.errorLimitReset = reply.rawHeader("X-ESI-Error-Limit-Reset");
    info.retryAfter = reply.rawHeader("Retry-After");
    return info;
}

/**
 * The reply for an answer: its status and body, and for a failure why and when to ask again. A 2xx, or a 304 when
 * a cached body was offered (`revalidating`), is no failure.
 */
EsiReply classify(const QString& route, QNetworkReply& reply, const EsiAnswerInfo& info, milliseconds timeout,
                  bool revalidating)
{
    EsiReply result;
    result.body = reply.isOpen() ? reply.readAll() : QByteArray();
    if (info.timedOut) {
        result.status = {Code::Timeout, 0,
                         QStringLiteral("%1: no answer within %2 s (timeout)").arg(route, seconds1(timeout)),
                         std::nullopt};
        return result;
    }
    if (isTransportFailure(reply.error())) {
        result.status = {
            Code::NetworkError, info.status,
            info.status > 0 ? QStringLiteral("%1: answer truncated or garbled, cut off after %2 bytes of its body (%3)")
                                  .arg(route)
                                  .arg(result.body.size())
                                  .arg(reply.errorString())
                            : QStringLiteral("%1: network error: %2").arg(route, reply.errorString()),
            std::nullopt};
        return result;
    }
    const int status = info.status;
    std::optional<seconds> retryAfter = EsiRateLimits::parseRetryAfter(info.retryAfter);
    if (status == 304 && revalidating) {
        result.status = {Code::Success, status, {}, retryAfter};
        return result;
    }
    if (RequestStatus::codeOf(status) == Code::Success) {
        result.status = RequestStatus::ofAnswer(status, {}, retryAfter);
        return result;
    }
    if (status == 420) {
        if (const auto reset = EsiRateLimits::parseRetryAfter(info.errorLimitReset)) {
            retryAfter = reset;
        }
        qCWarning(lcEsi).noquote() << route << "answered 420: error limit reached, every request waits"
                                   << retryAfter.value_or(seconds(60)).count() << "s";
    }
    // 429 and 420: the limits make the next try wait. A 304 without a cached body (none was offered) cannot be
    // used; asked again, it comes whole.
    const QString detail = errorText(result.body);
    result.status = RequestStatus::ofAnswer(
        status,
        QStringLiteral("%1: HTTP %2%3").arg(route).arg(status).arg(detail.isEmpty() ? QString() : ": " + detail),
        retryAfter);
    return result;
}

} // namespace

EsiClient::EsiClient(EsiSettings settings, std::shared_ptr<EsiRateLimits> limits, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_limits(limits ? std::move(limits) : std::make_shared<EsiRateLimits>(m_settings))
    , m_network(new QNetworkAccessManager(this))
    , m_etags(std::make_unique<EtagCache>(etagCacheEntries))
{
    m_network->setAutoDeleteReplies(false);
}

EsiClient::~EsiClient() = default;

QCoro::Task<EsiReply> EsiClient::get(QString path) { return send(QByteArrayLiteral("GET"), std::move(path), {}); }

QCoro::Task<EsiReply> EsiClient::post(QString path, QByteArray jsonBody)
{
    assertThread(this);
    return send(QByteArrayLiteral("POST"), std::move(path), std::move(jsonBody));
}

void EsiClient::abortAll()
{
    assertThread(this);
    m_aborted = true;
    m_waker.wakeAll();
    Q_EMIT aborted();
}

QCoro::Task<std::optional<EsiRateLimits::Reservation>> EsiClient::admission(QString path)
{
    const auto start = std::chrono::steady_clock::now();
    while (!m_aborted) {
        EsiRateLimits::Reservation reservation = m_limits->reserve(path);
        if (reservation.admitted()) {
            const auto waited = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
            if (waited.count() > 0) {
                m_limits->recordWait(waited);
            }
            if (waited > seconds(1)) {
                qCInfo(lcEsi).noquote() << "waited" << seconds1(waited) << "s for the rate limits before" << path;
            }
            co_return reservation;
        }
        co_await m_waker.sleep(reservation.wait);
    }
    co_return std::nullopt;
}

QCoro::Task<EsiReply> EsiClient::send(QByteArray method, QString path, QByteArray body)
{
    assertThread(this);
    const QString route = QStringLiteral("ESI %1 %2").arg(QString::fromLatin1(method), path);
    const bool cacheable = method == "GET" && !isKillmailPath(path);
    const QUrl url = esiUrl(m_settings.baseUrl, path);

    for (int attempt = 0;; ++attempt) {
        const std::optional<EsiRateLimits::Reservation> admitted = co_await admission(path);
        if (!admitted) {
            co_return EsiReply{
                {Code::Aborted, 0, QStringLiteral("%1: not sent, shutting down").arg(route), std::nullopt}, {}};
        }
        QNetworkRequest request = esiRequest(m_settings, url);
        const std::optional<EtagCache::Entry> cached = cacheable ? m_etags->find(path) : std::nullopt;
        if (cached) {
            request.setRawHeader("If-None-Match", cached->etag);
        }
        QNetworkReply* started = nullptr;
        if (method == "GET") {
            started = m_network->get(request);
        } else {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            started = m_network->post(request, body);
        }
        const std::unique_ptr<QNetworkReply, DeleteLater> reply(started);
        const bool timedOut = co_await awaitAnswer(started);
        const EsiAnswerInfo info = answerInfo(*reply, timedOut);
        m_limits->settle(*admitted, info);

        EsiReply result = classify(route, *reply, info, m_settings.timeout, cached.has_value());
        if (timedOut || isTransportFailure(reply->error())) {
            co_return result;
        }
        const int status = result.status.httpStatus;
        if (status >= 200 && status < 300) {
            const QByteArray etag = reply->rawHeader("ETag");
            if (cacheable && !etag.isEmpty()) {
                m_etags->insert(path, {etag, result.body});
            }
        } else if (status == 304 && cached) {
            result.status.httpStatus = 200;
            result.body = cached->body;
        } else if (result.status.code == Code::TooManyRequests) {
            if (attempt < m_settings.max429Retries) {
                qCInfo(lcEsi).noquote() << route << "answered 429 (rate limited), Retry-After"
                                        << (result.status.retryAfter
                                                ? QString::number(result.status.retryAfter->count()) + " s"
                                                : QStringLiteral("missing"));
                continue;
            }
            qCWarning(lcEsi).noquote() << route << "still answers 429 after" << attempt + 1 << "tries";
        }
        co_return result;
    }
}

QCoro::Task<bool> EsiClient::awaitAnswer(QNetworkReply* started)
{
    bool timedOut = false;
    QTimer timer;
    timer.setSingleShot(true);
    timer.setTimerType(Qt::PreciseTimer);
    connect(&timer, &QTimer::timeout, started, [&timedOut, started] {
        timedOut = true;
        started->abort();
    });
    connect(this, &EsiClient::aborted, started, &QNetworkReply::abort);
    timer.start(m_settings.timeout);
    co_await started;
    timer.stop();
    co_return timedOut;
}

KillmailFetch::Outcome KillmailFetch::outcome() const
{
    if (status.good()) {
        return Outcome::Ok;
    }
    // ESI answers 422 to a hash that is not the id's.
    if (status.code == RequestStatus::Code::NotFound || status.httpStatus == 422) {
        return Outcome::BadHash;
    }
    return status.transient() ? Outcome::Transient : Outcome::Failed;
}

QCoro::Task<KillmailFetch> EsiClient::fetchKillmail(qint64 id, QString hash)
{
    assertThread(this);
    static const QRegularExpression hexHash(QStringLiteral("^[0-9a-fA-F]{1,128}$"));
    if (id <= 0 || !hexHash.match(hash).hasMatch()) {
        // Nothing to ask: no killmail has that name.
        co_return KillmailFetch{
            {Code::NotFound, 0,
             QStringLiteral("killmail %1: \"%2\" is not a killmail id and hash").arg(id).arg(hash.left(80)),
             std::nullopt},
            {}};
    }
    const EsiReply reply = co_await get(QStringLiteral("/killmails/%1/%2").arg(id).arg(hash));
    if (!reply.status.good()) {
        co_return KillmailFetch{reply.status, {}};
    }
    QJsonParseError parseError;
    const QJsonDocument json = QJsonDocument::fromJson(reply.body, &parseError);
    const auto problem = jsonProblem(reply.body, parseError);
    if (problem || !json.isObject()) {
        co_return KillmailFetch{
            incorrect(reply,
                      QStringLiteral("ESI GET /killmails/%1/%2: %3")
                          .arg(id)
                          .arg(hash, problem.value_or(QStringLiteral("the body is not a JSON object")))),
            {}};
    }
    co_return KillmailFetch{reply.status, reply.body};
}

QCoro::Task<EsiJson> EsiClient::getJson(QString path)
{
    assertThread(this);
    const EsiReply reply = co_await get(path);
    if (!reply.status.good()) {
        co_return EsiJson{reply.status, {}};
    }
    QJsonParseError parseError;
    QJsonDocument json = QJsonDocument::fromJson(reply.body, &parseError);
    if (const auto problem = jsonProblem(reply.body, parseError)) {
        co_return EsiJson{incorrect(reply, QStringLiteral("ESI GET %1: %2").arg(path, *problem)), {}};
    }
    co_return EsiJson{reply.status, std::move(json)};
}

QCoro::Task<EsiJson> EsiClient::names(QList<qint64> ids)
{
    assertThread(this);
    const QList<qint64> unique = uniquePositive(ids);
    QJsonArray merged;
    for (qsizetype start = 0; start < unique.size(); start += maxIdsPerCall) {
        const EsiJson chunk = co_await resolveNames(unique.mid(start, maxIdsPerCall));
        if (!chunk.status.good()) {
            co_return chunk;
        }
        for (const auto& entry : chunk.json.array()) {
            merged.append(entry);
        }
    }
    co_return EsiJson{{}, QJsonDocument(merged)};
}

QCoro::Task<EsiJson> EsiClient::resolveNames(QList<qint64> ids)
{
    const QString path = QStringLiteral("/universe/names");
    const EsiReply reply = co_await post(path, idArray(ids));
    if (reply.status.code == Code::NotFound) {
        // One unknown id fails the whole call: halve until the unknown ones stand alone, and leave them out.
        if (ids.size() == 1) {
            co_return EsiJson{{}, QJsonDocument(QJsonArray())};
        }
        const qsizetype half = ids.size() / 2;
        const EsiJson first = co_await resolveNames(ids.first(half));
        if (!first.status.good()) {
            co_return first;
        }
        const EsiJson second = co_await resolveNames(ids.sliced(half));
        if (!second.status.good()) {
            co_return second;
        }
        QJsonArray merged = first.json.array();
        for (const auto& entry : second.json.array()) {
            merged.append(entry);
        }
        co_return EsiJson{{}, QJsonDocument(merged)};
    }
    co_return arrayAnswer(reply, path);
}

QCoro::Task<EsiJson> EsiClient::affiliation(QList<qint64> characterIds)
{
    assertThread(this);
    return postIds(QStringLiteral("/characters/affiliation"), std::move(characterIds));
}

QCoro::Task<EsiJson> EsiClient::postIds(QString path, QList<qint64> ids)
{
    const QList<qint64> unique = uniquePositive(ids);
    QJsonArray merged;
    for (qsizetype start = 0; start < unique.size(); start += maxIdsPerCall) {
        const EsiReply reply = co_await post(path, idArray(unique.mid(start, maxIdsPerCall)));
        const EsiJson chunk = arrayAnswer(reply, path);
        if (!chunk.status.good()) {
            co_return chunk;
        }
        for (const auto& entry : chunk.json.array()) {
            merged.append(entry);
        }
    }
    co_return EsiJson{{}, QJsonDocument(merged)};
}

} // namespace km
