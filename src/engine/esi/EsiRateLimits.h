#pragma once

#include "esi/EsiSettings.h"
#include "net/HeaderValues.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QString>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

namespace km {

/// A copy of the process's ESI counters, for monitoring.
struct EsiCounters {
    /// Answers and failures together (every settled request).
    qint64 requests = 0;
    /// Per HTTP status received (304 included).
    QMap<int, qint64> byStatus;
    /// Requests that got no HTTP status (refused, reset, ...), timeouts apart.
    qint64 networkErrors = 0;
    qint64 timeouts = 0;
    /// The limiter's estimate of the tokens left in each bucket group.
    QMap<QString, int> tokensLeft;
    /// The last X-ESI-Error-Limit-Remain seen while its window lasts; -1 when not known.
    int errorLimitRemain = -1;
    /// Time requests spent waiting for the limits, summed over all requests.
    std::chrono::milliseconds waited{0};
    /// 304 answers (a cached body was reused).
    qint64 notModified = 0;
};

/// What an answer told about the limits: its status and the raw header values (empty when absent), parsed
/// leniently here: a garbage value is ignored, never trusted.
struct EsiAnswerInfo {
    /// HTTP status; 0 when none came (network error, timeout).
    int status = 0;
    bool timedOut = false;
    QByteArray group;
    QByteArray limit;
    QByteArray remaining;
    QByteArray used;
    QByteArray errorLimitRemain;
    QByteArray errorLimitReset;
    QByteArray retryAfter;
};

/**
 * ESI's two rate-limit systems, modelled for the whole process: one instance shared by every thread's client
 * (thread-safe).
 *
 * Token buckets: per group, a floating window; a spent token returns one window after it was spent. The model
 * is our own ledger of what this process spent plus what the server's Remaining says others spent (the lower
 * balance wins). reserve() books the worst-case cost so that concurrent callers cannot overspend; settle()
 * replaces the booking by the real cost. Below `bucketReserveFraction` of the bucket, requests are spread at
 * the bucket's sustained rate instead of running into the wall. A route's group is learnt from its first
 * answer; until then one request of that route goes at a time.
 *
 * Error limit: at or below `errorLimitReserve` errors left, everything waits for the reset; a 420 blocks
 * everything until its reset (or Retry-After, or 60 s). A 429 blocks its group for Retry-After.
 */
class EsiRateLimits {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    using Clock = std::function<TimePoint()>;

    /// What reserve() decided. When `wait` is zero the request is admitted: send it, then settle() this.
    struct Reservation {
        std::chrono::milliseconds wait{0};
        /// Route key of the path, e.g. "/killmails/".
        QString route;
        /// The bucket group the tokens were booked in; empty when none (or not known yet).
        QString group;
        int booked = 0;
        /// The first request of a route whose group is not known yet.
        bool probe = false;
        /// Counted in flight against the error limit.
        bool errorLimited = false;

        [[nodiscard]] bool admitted() const { return wait.count() == 0; }
    };

    static constexpr int worstCaseCost = 5;
    /// No header may make anything wait longer than this.
    static constexpr std::chrono::seconds maxWait = maxRetryAfter;

    explicit EsiRateLimits(const EsiSettings& settings = {}, Clock clock = {});

    /// How long a request for `path` must wait (0: go now, and its worst-case cost is booked).
    [[nodiscard]] Reservation reserve(const QString& path);
    /// After the answer (or the failure) of an admitted request: books its real cost, absorbs its headers.
    void settle(const Reservation& reservation, const EsiAnswerInfo& answer);
    /// Adds to the `waited` counter.
    void recordWait(std::chrono::milliseconds waited);

    [[nodiscard]] EsiCounters counters() const;
    /// The bucket group learnt for the route of `path`; empty when it has none or is not known yet.
    [[nodiscard]] QString groupOf(const QString& path) const;
    /// The model's balance of `group` (bookings not subtracted); -1 when the group is not known.
    [[nodiscard]] int tokensLeft(const QString& group) const;

    /// The part of a path that decides its group: the leading non-numeric segments (two at most) after an
    /// optional version segment: "/killmails/1/ab" -> "/killmails/", "/universe/names" -> "/universe/names".
    [[nodiscard]] static QString routeKey(const QString& path);
    /// "3600/15m" -> (3600, 15 min); units s, m, h; nullopt for anything else.
    [[nodiscard]] static std::optional<std::pair<int, std::chrono::milliseconds>> parseLimit(QByteArrayView text);
    /// Seconds or an HTTP date, capped to maxWait; nullopt when absent or garbage (see net/HeaderValues.h).
    [[nodiscard]] static std::optional<std::chrono::seconds> parseRetryAfter(QByteArrayView text)
    {
        return km::parseRetryAfter(text);
    }
    /// ESI's token cost of an answer: 2xx 2, 3xx 1, 4xx 5, 5xx 0.
    [[nodiscard]] static int costOf(int status);

private:
    struct Spend {
        TimePoint at;
        int cost = 0;
    };
    struct Bucket {
        int limit = 0;
        std::chrono::milliseconds window{0};
        /// What this process spent, oldest first; entries leave once their window has passed.
        std::deque<Spend> ledger;
        int ledgerTotal = 0;
        /// Tokens the server counted that the ledger does not (other processes, answers still on their way);
        /// assumed spent at `externalAt`, so they return one window after it.
        int external = 0;
        TimePoint externalAt;
        int booked = 0;
        std::optional<TimePoint> lastStart;
        TimePoint blockedUntil;
    };

    void prune(Bucket& bucket, TimePoint now) const;
    [[nodiscard]] int externalNow(const Bucket& bucket, TimePoint now) const;
    [[nodiscard]] std::chrono::milliseconds waitForTokens(const Bucket& bucket, int needed, TimePoint now) const;
    [[nodiscard]] Reservation reserveInBucket(Reservation reservation, Bucket& bucket, TimePoint now);
    void absorbBucket(const QString& group, const Reservation& reservation, const EsiAnswerInfo& answer,
                      bool groupHeader, TimePoint now);
    void absorbErrorLimit(const Reservation& reservation, const EsiAnswerInfo& answer, TimePoint now);

    const int m_errorLimitReserve;
    const double m_bucketReserveFraction;
    const Clock m_clock;

    mutable QMutex m_mutex;
    QHash<QString, QString> m_routeGroups;
    QSet<QString> m_probing;
    QHash<QString, Bucket> m_buckets;
    /// 429s on routes without a known group.
    QHash<QString, TimePoint> m_routeBlockedUntil;
    /// 420: everything waits.
    TimePoint m_blockedUntil;
    std::optional<int> m_errorRemain;
    TimePoint m_errorResetAt;
    int m_errorLimitedInFlight = 0;
    EsiCounters m_counters;
};

} // namespace km
