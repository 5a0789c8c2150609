#include "sources/ZkbHistory.h"

#include "net/HttpClient.h"
#include "parse/KillmailParser.h"
#include "sources/KillmailSink.h"
#include "storage/StorageError.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

namespace km {
namespace {

using std::chrono::milliseconds;

/// Rejected entries reported one by one per day; the rest are counted.
constexpr int reportedRejections = 10;

QDate dateOfKey(const QString& key)
{
    return key.size() == 8 ? QDate::fromString(key, QStringLiteral("yyyyMMdd")) : QDate();
}

HistoryAnswer failureOf(const HttpReply& reply)
{
    RequestStatus status = reply.status;
    status.message = zkbFailure(reply);
    return {status};
}

HistoryAnswer malformed(const HttpReply& reply, QString error)
{
    return {{RequestStatus::Code::IncorrectResponse, reply.status.httpStatus, std::move(error), std::nullopt}};
}

/// The answer's JSON object, or why there is none (the request failed, or the body is not a JSON object).
std::optional<QJsonObject> objectOf(const HttpReply& reply, const QString& what, HistoryAnswer& answer)
{
    if (!reply.status.good()) {
        answer = failureOf(reply);
        return std::nullopt;
    }
    QString problem;
    const std::optional<QJsonDocument> document = reply.json(what, problem);
    if (!document) {
        answer = malformed(reply, problem);
        return std::nullopt;
    }
    if (!document->isObject()) {
        answer = malformed(reply, what + QStringLiteral(": expected a JSON object"));
        return std::nullopt;
    }
    return document->object();
}

/// A whole number, 0 or more.
bool isCount(const QJsonValue& value)
{
    return value.isDouble() && value.toDouble() >= 0 && value.toDouble() == double(value.toInteger());
}

} // namespace

HistoryAnswer::Outcome HistoryAnswer::outcome() const
{
    switch (status.code) {
    case RequestStatus::Code::Success: return Outcome::Ok;
    case RequestStatus::Code::NotFound: return Outcome::Missing;
    case RequestStatus::Code::IncorrectResponse: return Outcome::Malformed;
    default: return Outcome::Failed;
    }
}

ZkbHistory::ZkbHistory(HttpClient& http, QUrl baseUrl, QString source, Priority priority)
    : m_http(http)
    , m_baseUrl(std::move(baseUrl))
    , m_source(std::move(source))
    , m_priority(priority)
{
}

QString ZkbHistory::dayKey(QDate date) { return date.toString(QStringLiteral("yyyyMMdd")); }

QCoro::Task<HistoryTotals> ZkbHistory::totals()
{
    const QUrl url = joinUrl(m_baseUrl, QStringLiteral("history/totals.json"));
    const HttpReply reply = co_await m_http.get(url);
    co_return readTotals(reply, QStringLiteral("GET %1").arg(url.toDisplayString()));
}

HistoryTotals ZkbHistory::readTotals(const HttpReply& reply, const QString& what)
{
    HistoryTotals totals;
    const std::optional<QJsonObject> object = objectOf(reply, what, totals.answer);
    if (!object) {
        return totals;
    }
    for (auto it = object->constBegin(); it != object->constEnd(); ++it) {
        const QDate date = dateOfKey(it.key());
        if (!date.isValid() || !isCount(it.value())) {
            totals.answer =
                malformed(reply,
                          QStringLiteral("%1: entry \"%2\" is not a day (YYYYMMDD) with a count of killmails")
                              .arg(what, it.key().left(40)));
            totals.killsPerDay.clear();
            return totals;
        }
        totals.killsPerDay.insert(date, it.value().toInteger());
    }
    totals.answer.status = reply.status;
    return totals;
}

QCoro::Task<HistoryDay> ZkbHistory::day(QDate date)
{
    HistoryDay raw = co_await dayFile(date, true);
    HistoryDay plain;
    if (raw.answer.outcome() == HistoryAnswer::Outcome::Ok) {
        // The raw file carries no hashes, which a killboard needs to link each kill to ESI: they come from the
        // plain file when it answers; otherwise the kills are stored without.
        plain = co_await dayFile(date, false);
        QHash<KillmailId, QString> hashes;
        for (const KillmailJob& job : plain.killmails) {
            hashes.insert(job.killmailId, job.hash);
        }
        for (KillmailJob& job : raw.killmails) {
            job.hash = hashes.value(job.killmailId);
        }
    }
    if (raw.answer.outcome() != HistoryAnswer::Outcome::Missing) {
        co_return raw;
    }
    plain = co_await dayFile(date, false);
    if (plain.answer.outcome() == HistoryAnswer::Outcome::Missing) {
        plain.answer.status.message = raw.answer.status.message + QStringLiteral("; ") + plain.answer.status.message;
    }
    co_return plain;
}

QCoro::Task<HistoryDay> ZkbHistory::dayFile(QDate date, bool raw)
{
    const QString file = dayKey(date) + QStringLiteral(".json");
    const QUrl url = joinUrl(m_baseUrl, (raw ? QStringLiteral("history/raw/") : QStringLiteral("history/")) + file);
    const HttpReply reply = co_await m_http.get(url, RequestKind::DayFile);
    co_return readDay(reply, QStringLiteral("GET %1").arg(url.toDisplayString()), raw);
}

HistoryDay ZkbHistory::readDay(const HttpReply& reply, const QString& what, bool raw) const
{
    HistoryDay day;
    const std::optional<QJsonObject> object = objectOf(reply, what, day.answer);
    if (!object) {
        return day;
    }
    day.killmails.reserve(std::size_t(object->size()));
    for (auto it = object->constBegin(); it != object->constEnd(); ++it) {
        const QString where = QStringLiteral("%1: %2").arg(what, it.key().left(40));
        bool numeric = false;
        const KillmailId id = it.key().toLongLong(&numeric);
        if (!numeric || id <= 0) {
            day.rejected << where + QStringLiteral(": not a killmail ID");
        } else if (raw && !it.value().isObject()) {
            day.rejected << where + QStringLiteral(": expected the killmail's ESI body (an object)");
        } else if (raw && it.value()[QLatin1StringView("killmail_id")].toInteger() != id) {
            day.rejected << where + QStringLiteral(": the body's killmail_id is not the key");
        } else if (raw) {
            day.killmails.push_back({id, QString(), m_source,
                                     QJsonDocument(it.value().toObject()).toJson(QJsonDocument::Compact), m_priority});
        } else if (!it.value().isString() || !KillmailParser::isValidHash(it.value().toString())) {
            day.rejected << where + QStringLiteral(": expected the killmail's hash (40 hexadecimal digits)");
        } else {
            day.killmails.push_back({id, it.value().toString(), m_source, {}, m_priority});
        }
    }
    day.answer.status = reply.status;
    return day;
}

QString zkbFailure(const HttpReply& reply)
{
    if (reply.status.httpStatus == 403) {
        return reply.status.message
            + QStringLiteral(" - zKillboard refused the User-Agent: it must name the application and the operator's "
                             "contact");
    }
    return reply.status.message;
}

QString httpUrlProblem(const QUrl& url)
{
    if (!url.isValid() || (url.scheme() != QLatin1StringView("https") && url.scheme() != QLatin1StringView("http"))) {
        return QStringLiteral("'%1' is not an http(s) URL").arg(url.toDisplayString());
    }
    return {};
}

QString HistoryDaySettings::problem() const
{
    if (chunkSize < 1 || attempts < 1) {
        return QStringLiteral("the history's chunk size and attempts must be 1 or more");
    }
    if (backoffInitial.count() < 1 || backoffMax < backoffInitial) {
        return QStringLiteral("the history's backoff must be positive, its maximum no less than its start");
    }
    return {};
}

ZkbHistorySource::ZkbHistorySource(QString name, SourceContext context, const QUrl& baseUrl,
                                   HistoryDaySettings settings, Priority priority, QObject* parent)
    : Source(name, context, parent)
    , m_history(context.http, baseUrl, name, priority)
    , m_settings(settings)
{
}

template <typename Answer, typename Ask>
QCoro::Task<std::optional<Answer>> ZkbHistorySource::askPatiently(Ask ask)
{
    Backoff backoff(m_settings.backoffInitial, m_settings.backoffMax);
    int refusals = 0;
    while (!stopping()) {
        Answer answer = co_await ask();
        if (stopping()) {
            break;
        }
        const HistoryAnswer::Outcome outcome = answer.answer.outcome();
        if (outcome == HistoryAnswer::Outcome::Ok || outcome == HistoryAnswer::Outcome::Missing) {
            co_return answer;
        }
        const RequestStatus& how = answer.answer.status;
        // A malformed file is the same file when asked again soon: it counts as a refusal does.
        const bool refused = outcome == HistoryAnswer::Outcome::Malformed || !how.transient();
        if (refused && ++refusals >= m_settings.attempts) {
            recordError(QStringLiteral("%1 (given up for now after %2 attempts)").arg(how.message).arg(refusals));
            break;
        }
        const milliseconds wait = how.retryAfter ? milliseconds(*how.retryAfter) : backoff.next();
        if (const bool going = co_await backOff(wait, how.message); !going) {
            break;
        }
    }
    co_return std::nullopt;
}

QCoro::Task<ZkbHistorySource::DayOutcome> ZkbHistorySource::handOverDay(QDate day)
{
    const std::optional<HistoryDay> fetched =
        co_await askPatiently<HistoryDay>([this, day] { return m_history.day(day); });
    if (!fetched) {
        co_return stopping() ? DayOutcome::Stopped : DayOutcome::Failed;
    }
    if (fetched->answer.outcome() == HistoryAnswer::Outcome::Missing) {
        co_return DayOutcome::Missing;
    }
    for (qsizetype i = 0; i < std::min<qsizetype>(fetched->rejected.size(), reportedRejections); ++i) {
        recordError(QStringLiteral("rejected %1").arg(fetched->rejected[i]));
    }
    if (fetched->rejected.size() > reportedRejections) {
        recordError(QStringLiteral("rejected %1 more entries of %2")
                        .arg(fetched->rejected.size() - reportedRejections)
                        .arg(ZkbHistory::dayKey(day)));
    }
    if (const bool handedOver = co_await handOverChunks(fetched->killmails); !handedOver) {
        co_return DayOutcome::Stopped;
    }
    co_return fetched->rejected.isEmpty() ? DayOutcome::HandedOver : DayOutcome::Incomplete;
}

QCoro::Task<std::optional<HistoryTotals>> ZkbHistorySource::fetchTotals()
{
    std::optional<HistoryTotals> totals = co_await askPatiently<HistoryTotals>([this] { return m_history.totals(); });
    if (totals && totals->answer.outcome() == HistoryAnswer::Outcome::Missing) {
        recordError(totals->answer.status.message);
        co_return std::nullopt;
    }
    co_return totals;
}

QCoro::Task<bool> ZkbHistorySource::handOverChunks(const std::vector<KillmailJob>& killmails)
{
    const std::size_t chunkSize = std::size_t(m_settings.chunkSize);
    for (std::size_t start = 0; start < killmails.size(); start += chunkSize) {
        // Lets stop() and the other coroutines of this thread in between chunks.
        if (const bool going = co_await pause(milliseconds(0)); !going) {
            co_return false;
        }
        const auto first = killmails.begin() + std::ptrdiff_t(start);
        const auto last = killmails.begin() + std::ptrdiff_t(std::min(killmails.size(), start + chunkSize));
        std::vector<KillmailId> ids;
        ids.reserve(std::size_t(last - first));
        std::transform(first, last, std::back_inserter(ids), [](const KillmailJob& job) { return job.killmailId; });
        QSet<KillmailId> stored;
        try {
            const std::vector<KillmailId> found = context().sink.jobs().storedAmong(ids);
            stored = QSet<KillmailId>(found.begin(), found.end());
        } catch (const StorageError& error) {
            // Only a saving: the queue leaves stored killmails out too.
            recordError(QStringLiteral("cannot look for stored killmails (handing all over): %1").arg(error.message()));
        }
        std::vector<KillmailJob> chunk;
        chunk.reserve(ids.size());
        std::copy_if(first, last, std::back_inserter(chunk),
                     [&stored](const KillmailJob& job) { return !stored.contains(job.killmailId); });
        if (chunk.empty()) {
            continue;
        }
        const bool delivered = co_await deliverSurely(chunk, std::nullopt);
        if (!delivered) {
            co_return false;
        }
    }
    co_return true;
}

QCoro::Task<bool> ZkbHistorySource::deliverSurely(const std::vector<KillmailJob>& killmails,
                                                  const std::optional<QString>& cursor)
{
    while (!deliver(killmails, cursor)) { // deliver() reported why
        if (const bool going = co_await waitToRetry(m_databaseBackoff.next()); !going) {
            co_return false;
        }
    }
    m_databaseBackoff.reset();
    co_return true;
}

} // namespace km
