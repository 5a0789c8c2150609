#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QString>
#include <QThread>
#include <QUrl>

#include <chrono>
#include <deque>

class QTcpServer;
class QTcpSocket;

namespace km::test {

/**
 * A small ESI over real HTTP/1.1 on 127.0.0.1 (a free port), for tests, benchmarks and child processes
 * (pass url() as KILLMAIL_ESI_URL). It serves from the thread that created it; every public method may be
 * called from any thread. Use FakeEsiThread when the creating thread will block.
 *
 * Routes: GET /killmails/{id}/{hash} (and /latest/killmails/{id}/{hash}/), /characters/{id},
 * /corporations/{id}, /alliances/{id}, /universe/types/{id}, /markets/prices (with ETag and If-None-Match),
 * POST /universe/names, POST /characters/affiliation. Entities are made up from their id ("Character 123").
 * Killmail routes carry the `killmail` bucket's headers (3600/15m unless enforceBucket() says otherwise), the
 * others the error-limit headers. Scripted answers take precedence, first in first out per path prefix.
 */
class FakeEsi : public QObject {
    Q_OBJECT
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Scripted {
        enum Mode {
            Normal,
            /// Never answers (the connection stays open until the client gives up).
            Hang,
            /// Announces a Content-Length larger than the body, sends the body, closes.
            Truncate,
            /// Sends the body gzip-encoded (Content-Encoding: gzip).
            Gzip,
        };
        int status = 200;
        QByteArray body;
        /// Added to the usual headers; one with the same name replaces the usual one.
        Headers headers;
        Mode mode = Normal;
    };

    struct Request {
        QByteArray method;
        /// As requested, query included.
        QString path;
        Headers headers;
        QByteArray body;
        /// What it was answered; 0 when it was not (Hang).
        int status = 0;

        /// The first header of that name (case-insensitive); empty when none.
        [[nodiscard]] QByteArray header(QByteArrayView name) const;
    };

    explicit FakeEsi(QObject* parent = nullptr);
    ~FakeEsi() override;

    [[nodiscard]] QUrl url() const;

    void addKillmail(qint64 id, const QString& hash, const QByteArray& esiBody);
    /// Ids that /universe/names refuses (404 for the whole call) and entity routes do not know.
    void setUnknownIds(const QSet<qint64>& ids);
    /// The body of /markets/prices (a JSON array).
    void setMarketPrices(const QByteArray& json);
    /// Queues an answer for the next request whose path starts with `pathPrefix`.
    void script(const QString& pathPrefix, const Scripted& answer);
    /// Enforces the killmail bucket: `tokens` per floating `window` (2xx costs 2, 3xx 1, 4xx 5, 5xx 0); 429 with
    /// Retry-After when a request does not fit. The Limit header shows the window in h, m or s.
    void enforceBucket(int tokens, std::chrono::milliseconds window);
    /// Enforces the error limit: at `errors` non-2xx/3xx answers within a fixed `window`, 420 to everything
    /// until the window ends. Unenforced, the headers count down from 100 per minute.
    void enforceErrorLimit(int errors, std::chrono::milliseconds window);
    /// Delays every answer.
    void setLatency(std::chrono::milliseconds latency);

    [[nodiscard]] int requestCount() const;
    [[nodiscard]] int tooManyRequestsSent() const;
    [[nodiscard]] int errorLimitedSent() const;
    /// Requests whose path (query left out) starts with `pathPrefix`.
    [[nodiscard]] int requestsTo(const QString& pathPrefix) const;
    /// The most recent requests (100,000 at most), oldest first.
    [[nodiscard]] QList<Request> requests() const;
    void clearLog();

private:
    struct Connection {
        QByteArray buffer;
        bool hanging = false;
    };
    struct Answer {
        int status = 200;
        QByteArray body;
        Headers headers;
        Scripted::Mode mode = Scripted::Normal;
    };
    using TimePoint = std::chrono::steady_clock::time_point;

    void accept();
    void readFrom(QTcpSocket* socket);
    /// False when the connection must close.
    bool serveOne(QTcpSocket* socket, Connection& connection);
    void refuse(QTcpSocket* socket, int status);
    void send(QTcpSocket* socket, const Answer& answer, bool keepAlive);
    Answer answer(const Request& request);
    Answer route(const Request& request, const QString& path);
    Answer entity(const QString& kind, qint64 id, const Request& request);
    Answer names(const QByteArray& body);
    Answer affiliation(const QByteArray& body);
    void chargeBucket(Answer& answer, TimePoint now);
    void errorLimitHeaders(Answer& answer, TimePoint now);

    QTcpServer* m_server;
    QHash<QTcpSocket*, Connection> m_connections;

    mutable QMutex m_mutex;
    QUrl m_url;
    std::chrono::milliseconds m_latency{0};
    QHash<qint64, QPair<QString, QByteArray>> m_killmails;
    QSet<qint64> m_unknownIds;
    QByteArray m_marketPrices;
    QList<QPair<QString, Scripted>> m_scripted;
    int m_bucketTokens = 3600;
    std::chrono::milliseconds m_bucketWindow = std::chrono::minutes(15);
    bool m_bucketEnforced = false;
    std::deque<QPair<TimePoint, int>> m_bucketSpent;
    int m_errorLimit = 100;
    std::chrono::milliseconds m_errorWindow = std::chrono::minutes(1);
    bool m_errorLimitEnforced = false;
    TimePoint m_errorWindowStart;
    int m_errors = 0;
    int m_requestCount = 0;
    int m_tooManyRequests = 0;
    int m_errorLimited = 0;
    QHash<QString, int> m_pathCounts;
    QList<Request> m_log;
};

/// A FakeEsi serving from its own thread, for a caller that blocks (QProcess::waitForFinished, a benchmark).
class FakeEsiThread {
public:
    FakeEsiThread();
    ~FakeEsiThread();
    FakeEsiThread(const FakeEsiThread&) = delete;
    FakeEsiThread& operator=(const FakeEsiThread&) = delete;

    [[nodiscard]] FakeEsi& fake() { return *m_fake; }

private:
    QThread m_thread;
    QObject* m_context;
    FakeEsi* m_fake = nullptr;
};

} // namespace km::test
