#pragma once

#include "queue/KillmailJobs.h"
#include "sources/Source.h"

#include <QElapsedTimer>
#include <QJsonValue>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

namespace km {

struct HttpReply;

/// How to listen to a RedisQ feed (zKillboard's former live feed; EVE-KILL serves a compatible one).
struct RedisqSettings {
    QUrl baseUrl{QStringLiteral("https://zkillredisq.stream")};
    /// Names this consumer's queue on the server, which sends each queue every kill once. Required: the operator
    /// configures it (`REDISQ_ID`); the source never makes one up, since a new queue misses what the old one was due.
    QString queueId;
    /// Seconds the server holds a poll open waiting for a kill (1..10).
    int ttw = 10;
    /// No answer within this long is a timeout; must exceed ttw.
    std::chrono::milliseconds requestTimeout{20000};
    /// The least time between the starts of two polls: the server allows about 2 requests per second per IP.
    std::chrono::milliseconds minPollInterval{500};
    /// Waits after failures and refusals, growing from `backoffInitial` to `backoffMax`.
    std::chrono::milliseconds backoffInitial{2000};
    std::chrono::milliseconds backoffMax{60000};

    /// Why the source cannot run with these settings; empty when it can.
    [[nodiscard]] QString problem() const;
};

/**
 * The RedisQ live feed: long-polls `listen.php` (one request in flight; the redirect to `object.php` is followed
 * before the next poll, and asked for again until it answers: the server hands each kill to a queue only once)
 * and queues each kill at HIGH priority as it arrives, with its ESI body when the package embeds it (older
 * servers) or by ID and hash for the processor to fetch from ESI. Failures are reported and retried with
 * backoff, forever; a malformed package cannot be asked for again, so it is reported and counted.
 */
/// What one RedisQ package gave: the job to queue (if any) and what was wrong with it (if anything).
struct RedisqPackage {
    std::optional<KillmailJob> job;
    QString problem;

    /**
     * A package's killID and zkb.hash make the job; a usable embedded killmail (older servers) adds the ESI body. An
     * unusable one is reported and left out, so the processor fetches the kill from ESI instead of losing it.
     */
    static RedisqPackage read(const QJsonValue& package);
};

class RedisqSource final : public Source {
    Q_OBJECT
public:
    static inline const QString sourceName = QStringLiteral("redisq");

    RedisqSource(RedisqSettings settings, SourceContext context, QObject* parent = nullptr);

protected:
    QCoro::Task<> run() override;

private:
    // The coroutines take their arguments by value: a reference could outlive what it names while they wait.
    /// False when asked to stop while keeping the polls apart.
    QCoro::Task<bool> waitForTurn();
    /// The redirect's target, the package the poll was given; status 0 when the source stopped first.
    QCoro::Task<HttpReply> fetchObject(QUrl object);
    QCoro::Task<> handle(HttpReply reply);
    QCoro::Task<> receive(QJsonValue package);
    /// Retries while the database refuses; the kill is gone from the server, so giving up would lose it.
    QCoro::Task<> queue(KillmailJob job);
    [[nodiscard]] QUrl listenUrl() const;
    void showPosition();

    RedisqSettings m_settings;
    /// Its own client: a poll is held open for ttw seconds, so it needs a longer timeout than other requests.
    HttpClient* m_http;
    Backoff m_backoff;
    QElapsedTimer m_sinceLastPoll;
    bool m_polling = false;
};

} // namespace km
