#pragma once

#include "FakeHttpServer.h"

#include <QByteArray>
#include <QHash>
#include <QPair>
#include <QSet>
#include <QString>

#include <chrono>
#include <deque>

namespace km::test {

/**
 * A small ESI over real HTTP/1.1 (see FakeHttpServer), for tests, benchmarks and child processes (pass url() as
 * KILLMAIL_ESI_URL). Use FakeEsiThread when the creating thread will block.
 *
 * Routes: GET /killmails/{id}/{hash} (and /latest/killmails/{id}/{hash}/), /characters/{id},
 * /corporations/{id}, /alliances/{id}, /universe/types/{id}, /markets/prices (with ETag and If-None-Match),
 * POST /universe/names, POST /characters/affiliation. Entities are made up from their id ("Character 123").
 * Scripted answers take precedence, first in first out per path prefix.
 *
 * As strict as ESI, always: killmail routes spend the `killmail` bucket (3600 tokens per 15 minutes unless
 * enforceBucket() says otherwise) and get 429 with Retry-After when a request does not fit; the other routes count
 * their errors against the error limit (100 per minute unless enforceErrorLimit() says otherwise), past which
 * everything gets 420 until the window ends. Both carry their headers.
 */
class FakeEsi : public FakeHttpServer {
    Q_OBJECT
public:
    explicit FakeEsi(QObject* parent = nullptr);

    void addKillmail(qint64 id, const QString& hash, const QByteArray& esiBody);
    /// Ids that /universe/names refuses (404 for the whole call) and entity routes do not know.
    void setUnknownIds(const QSet<qint64>& ids);
    /// The body of /markets/prices (a JSON array).
    void setMarketPrices(const QByteArray& json);
    /// The killmail bucket: `tokens` per floating `window` (2xx costs 2, 3xx 1, 4xx 5, 5xx 0); 429 with
    /// Retry-After when a request does not fit. The Limit header shows the window in h, m or s. Starts with the bucket
    /// full.
    void enforceBucket(int tokens, std::chrono::milliseconds window);
    /// The error limit: at `errors` non-2xx/3xx answers within a fixed `window`, 420 to everything until the
    /// window ends. Starts a new window.
    void enforceErrorLimit(int errors, std::chrono::milliseconds window);

    [[nodiscard]] int tooManyRequestsSent() const;
    [[nodiscard]] int errorLimitedSent() const;

protected:
    Answer route(const Request& request) override;
    std::optional<Answer> preempt(const Request& request) override;
    void decorate(const Request& request, Answer& answer) override;
    void clearCounters() override;

private:
    using TimePoint = std::chrono::steady_clock::time_point;

    Answer entity(const QString& kind, qint64 id, const Request& request);
    Answer names(const QByteArray& body);
    Answer affiliation(const QByteArray& body);
    void chargeBucket(Answer& answer, TimePoint now);
    void errorLimitHeaders(Answer& answer, TimePoint now);

    QHash<qint64, QPair<QString, QByteArray>> m_killmails;
    QSet<qint64> m_unknownIds;
    QByteArray m_marketPrices;
    int m_bucketTokens = 3600;
    std::chrono::milliseconds m_bucketWindow = std::chrono::minutes(15);
    std::deque<QPair<TimePoint, int>> m_bucketSpent;
    int m_errorLimit = 100;
    std::chrono::milliseconds m_errorWindow = std::chrono::minutes(1);
    TimePoint m_errorWindowStart;
    int m_errors = 0;
    int m_tooManyRequests = 0;
    int m_errorLimited = 0;
};

/// A FakeEsi serving from its own thread, for a caller that blocks (QProcess::waitForFinished, a benchmark).
using FakeEsiThread = FakeThread<FakeEsi>;

} // namespace km::test
