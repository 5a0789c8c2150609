#include "esi/EsiRateLimits.h"

#include <QDateTime>
#include <QMutexLocker>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace km {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int maxTokens = 1000000;
/// How long a caller waits for something that only another request's answer can change (a booking, a probe).
constexpr milliseconds pollInterval{20};

milliseconds until(EsiRateLimits::TimePoint when, EsiRateLimits::TimePoint now)
{
    // Rounded up so that waiting this long always reaches `when`.
    return std::max(milliseconds(1), std::chrono::ceil<milliseconds>(when - now));
}

bool isVersionSegment(const QString& segment)
{
    if (segment == QLatin1String("latest") || segment == QLatin1String("legacy") || segment == QLatin1String("dev")) {
        return true;
    }
    if (segment.size() < 2 || segment.front() != QLatin1Char('v')) {
        return false;
    }
    bool numeric = false;
    segment.mid(1).toInt(&numeric);
    return numeric;
}

QString sanitizedGroup(const QByteArray& header)
{
    const QByteArray group = header.trimmed();
    if (group.isEmpty() || group.size() > 64) {
        return {};
    }
    for (char c : group) {
        if (c <= ' ' || c > '~') {
            return {};
        }
    }
    return QString::fromLatin1(group);
}

} // namespace

EsiRateLimits::EsiRateLimits(const EsiSettings& settings, Clock clock)
    : m_errorLimitReserve(std::max(0, settings.errorLimitReserve))
    , m_bucketReserveFraction(std::clamp(settings.bucketReserveFraction, 0.0, 0.9))
    , m_clock(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); }))
{
}

QString EsiRateLimits::routeKey(const QString& path)
{
    QStringList segments = path.section(QLatin1Char('?'), 0, 0).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!segments.isEmpty() && isVersionSegment(segments.front())) {
        segments.removeFirst();
    }
    QString key = QStringLiteral("/");
    for (int i = 0; i < segments.size() && i < 2; ++i) {
        bool numeric = false;
        segments[i].toLongLong(&numeric);
        if (numeric) {
            break;
        }
        key += segments[i] + QLatin1Char('/');
    }
    return key;
}

std::optional<std::pair<int, milliseconds>> EsiRateLimits::parseLimit(QByteArrayView text)
{
    const QByteArrayView trimmed = text.trimmed();
    const qsizetype slash = trimmed.indexOf('/');
    if (slash <= 0 || slash + 2 > trimmed.size()) {
        return std::nullopt;
    }
    const auto tokens = parseHeaderCount(trimmed.first(slash));
    const QByteArrayView window = trimmed.sliced(slash + 1);
    const auto amount = parseHeaderCount(window.chopped(1));
    if (!tokens || !amount || *tokens == 0 || *tokens > maxTokens || *amount == 0 || *amount > 100000) {
        return std::nullopt;
    }
    switch (window.back()) {
    case 's': return std::pair{int(*tokens), milliseconds(seconds(*amount))};
    case 'm': return std::pair{int(*tokens), milliseconds(std::chrono::minutes(*amount))};
    case 'h': return std::pair{int(*tokens), milliseconds(std::chrono::hours(*amount))};
    default: return std::nullopt;
    }
}

int EsiRateLimits::costOf(int status)
{
    if (status >= 200 && status < 300) {
        return 2;
    }
    if (status >= 300 && status < 400) {
        return 1;
    }
    if (status >= 400 && status < 500) {
        return 5;
    }
    return 0;
}

void EsiRateLimits::prune(Bucket& bucket, TimePoint now) const
{
    while (!bucket.ledger.empty() && bucket.ledger.front().at + bucket.window <= now) {
        bucket.ledgerTotal -= bucket.ledger.front().cost;
        bucket.ledger.pop_front();
    }
}

int EsiRateLimits::externalNow(const Bucket& bucket, TimePoint now) const
{
    return bucket.externalAt + bucket.window > now ? bucket.external : 0;
}

milliseconds EsiRateLimits::waitForTokens(const Bucket& bucket, int needed, TimePoint now) const
{
    // Walks the returns in time order (the ledger, with the external spend slotted in) until enough came back.
    int returned = 0;
    bool externalCounted = externalNow(bucket, now) == 0;
    for (const Spend& spend : bucket.ledger) {
        if (!externalCounted && bucket.externalAt <= spend.at) {
            externalCounted = true;
            if ((returned += bucket.external) >= needed) {
                return until(bucket.externalAt + bucket.window, now);
            }
        }
        if ((returned += spend.cost) >= needed) {
            return until(spend.at + bucket.window, now);
        }
    }
    if (!externalCounted && returned + bucket.external >= needed) {
        return until(bucket.externalAt + bucket.window, now);
    }
    return pollInterval; // only bookings hold the tokens: their answers will free them
}

EsiRateLimits::Reservation EsiRateLimits::reserve(const QString& path)
{
    QMutexLocker lock(&m_mutex);
    const TimePoint now = m_clock();
    Reservation reservation;
    reservation.route = routeKey(path);
    if (m_blockedUntil > now) {
        reservation.wait = until(m_blockedUntil, now);
        return reservation;
    }
    if (m_errorRemain && now >= m_errorResetAt) {
        m_errorRemain.reset(); // the error window has reset
    }
    if (m_errorRemain && *m_errorRemain <= m_errorLimitReserve) {
        reservation.wait = until(m_errorResetAt, now);
        return reservation;
    }
    if (const auto blocked = m_routeBlockedUntil.constFind(reservation.route);
        blocked != m_routeBlockedUntil.cend() && *blocked > now) {
        reservation.wait = until(*blocked, now);
        return reservation;
    }
    const auto known = m_routeGroups.constFind(reservation.route);
    if (known == m_routeGroups.cend() || known->isEmpty()) {
        const bool unknown = known == m_routeGroups.cend();
        // Answers still on their way may each be an error: leave room for them above the reserve.
        if ((unknown && m_probing.contains(reservation.route))
            || (m_errorRemain && *m_errorRemain - m_errorLimitedInFlight <= m_errorLimitReserve)) {
            reservation.wait = pollInterval;
            return reservation;
        }
        if (unknown) {
            m_probing.insert(reservation.route);
            reservation.probe = true;
        }
        reservation.errorLimited = true;
        ++m_errorLimitedInFlight;
        return reservation;
    }
    reservation.group = *known;
    Bucket& bucket = m_buckets[reservation.group];
    return reserveInBucket(std::move(reservation), bucket, now);
}

EsiRateLimits::Reservation EsiRateLimits::reserveInBucket(Reservation reservation, Bucket& bucket, TimePoint now)
{
    if (bucket.blockedUntil > now) {
        reservation.wait = until(bucket.blockedUntil, now);
        return reservation;
    }
    if (bucket.limit <= 0) {
        return reservation; // the group never told its limit: nothing to count against
    }
    prune(bucket, now);
    const int cost = std::min(worstCaseCost, bucket.limit);
    const int available = bucket.limit - bucket.ledgerTotal - externalNow(bucket, now) - bucket.booked;
    if (available < cost) {
        reservation.wait = waitForTokens(bucket, cost - available, now);
        return reservation;
    }
    const int reserveTokens = int(std::ceil(bucket.limit * m_bucketReserveFraction - 1e-9));
    if (available - cost < reserveTokens && bucket.lastStart) {
        // Near the bottom: one request per success's worth of returning tokens, the bucket's sustained rate.
        const auto spacing = bucket.window * costOf(200) / bucket.limit;
        if (now < *bucket.lastStart + spacing) {
            reservation.wait = until(*bucket.lastStart + spacing, now);
            return reservation;
        }
    }
    bucket.booked += cost;
    bucket.lastStart = now;
    reservation.booked = cost;
    return reservation;
}

void EsiRateLimits::settle(const Reservation& reservation, const EsiAnswerInfo& answer)
{
    QMutexLocker lock(&m_mutex);
    const TimePoint now = m_clock();
    ++m_counters.requests;
    if (answer.status > 0) {
        ++m_counters.byStatus[answer.status];
    } else if (answer.timedOut) {
        ++m_counters.timeouts;
    } else {
        ++m_counters.networkErrors;
    }
    if (answer.status == 304) {
        ++m_counters.notModified;
    }
    if (reservation.probe) {
        m_probing.remove(reservation.route);
    }
    if (reservation.errorLimited) {
        m_errorLimitedInFlight = std::max(0, m_errorLimitedInFlight - 1);
    }

    const QString headerGroup = sanitizedGroup(answer.group);
    if (!headerGroup.isEmpty()) {
        m_routeGroups.insert(reservation.route, headerGroup);
    } else if (answer.status > 0 && answer.status < 500 && answer.status != 420 && answer.status != 429
               && !m_routeGroups.contains(reservation.route)) {
        m_routeGroups.insert(reservation.route, QString()); // a plain answer without a bucket: none for this route
    }
    if (!reservation.group.isEmpty() && reservation.group != headerGroup) {
        Bucket& booked = m_buckets[reservation.group];
        booked.booked = std::max(0, booked.booked - reservation.booked);
        if (headerGroup.isEmpty()) {
            absorbBucket(reservation.group, {}, answer, false, now);
        }
    }
    if (!headerGroup.isEmpty()) {
        absorbBucket(headerGroup, reservation.group == headerGroup ? reservation : Reservation{}, answer, true, now);
    }
    absorbErrorLimit(reservation, answer, now);
}

void EsiRateLimits::absorbBucket(const QString& group, const Reservation& reservation, const EsiAnswerInfo& answer,
                                 bool groupHeader, TimePoint now)
{
    Bucket& bucket = m_buckets[group];
    bucket.booked = std::max(0, bucket.booked - reservation.booked);
    if (const auto limit = parseLimit(answer.limit)) {
        std::tie(bucket.limit, bucket.window) = *limit;
    }
    int cost = 0;
    if (const auto used = parseHeaderCount(answer.used); used && *used <= qint64(worstCaseCost) * 10) {
        cost = int(*used);
    } else if (answer.status > 0) {
        cost = costOf(answer.status);
    } else if (answer.timedOut) {
        cost = costOf(200); // the server may still have answered, and charged
    }
    if (cost > 0) {
        bucket.ledger.push_back({now, cost});
        bucket.ledgerTotal += cost;
    }
    if (bucket.limit > 0) {
        prune(bucket, now);
        const auto remaining = parseHeaderCount(answer.remaining);
        if (groupHeader && remaining) {
            const int serverSpent = bucket.limit - int(std::min<qint64>(*remaining, bucket.limit));
            bucket.external = std::max(0, serverSpent - bucket.ledgerTotal);
            bucket.externalAt = now;
        }
    }
    if (answer.status == 429) {
        const seconds retry = parseRetryAfter(answer.retryAfter).value_or(seconds(5));
        bucket.blockedUntil = std::max(bucket.blockedUntil, now + retry);
    }
}

void EsiRateLimits::absorbErrorLimit(const Reservation& reservation, const EsiAnswerInfo& answer, TimePoint now)
{
    const auto remain = parseHeaderCount(answer.errorLimitRemain);
    const auto reset = parseHeaderCount(answer.errorLimitReset);
    const std::optional<seconds> resetIn =
        reset ? std::optional(seconds(std::min<qint64>(*reset, maxWait.count()))) : std::nullopt;
    if (remain && resetIn) {
        m_errorRemain = int(std::min<qint64>(*remain, maxTokens));
        m_errorResetAt = now + *resetIn;
    } else if (remain && m_errorRemain) {
        m_errorRemain = int(std::min<qint64>(*remain, maxTokens)); // the window we know goes on
    }
    if (answer.status == 420) {
        const seconds block = resetIn ? *resetIn : parseRetryAfter(answer.retryAfter).value_or(seconds(60));
        m_blockedUntil = std::max(m_blockedUntil, now + block);
    } else if (answer.status == 429 && sanitizedGroup(answer.group).isEmpty() && reservation.group.isEmpty()) {
        const seconds retry = parseRetryAfter(answer.retryAfter).value_or(seconds(5));
        TimePoint& blocked = m_routeBlockedUntil[reservation.route];
        blocked = std::max(blocked, now + retry);
    }
}

void EsiRateLimits::recordWait(milliseconds waited)
{
    QMutexLocker lock(&m_mutex);
    m_counters.waited += waited;
}

EsiCounters EsiRateLimits::counters() const
{
    QMutexLocker lock(&m_mutex);
    const TimePoint now = m_clock();
    EsiCounters counters = m_counters;
    // A copy of its own: a map still shared with m_counters would be detached by the next settle() on another
    // thread through a relaxed reference-count read, no hand-over at all for what this thread reads meanwhile.
    counters.byStatus.detach();
    for (auto it = m_buckets.cbegin(); it != m_buckets.cend(); ++it) {
        if (it->limit > 0) {
            int spent = externalNow(*it, now);
            for (const Spend& spend : it->ledger) {
                spent += spend.at + it->window > now ? spend.cost : 0;
            }
            counters.tokensLeft.insert(it.key(), std::max(0, it->limit - spent));
        }
    }
    counters.errorLimitRemain = m_errorRemain && now < m_errorResetAt ? *m_errorRemain : -1;
    return counters;
}

QString EsiRateLimits::groupOf(const QString& path) const
{
    QMutexLocker lock(&m_mutex);
    return m_routeGroups.value(routeKey(path));
}

int EsiRateLimits::tokensLeft(const QString& group) const
{
    const EsiCounters snapshot = counters();
    return snapshot.tokensLeft.value(group, -1);
}

} // namespace km
