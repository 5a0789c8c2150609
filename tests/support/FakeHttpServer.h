#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QString>
#include <QThread>
#include <QUrl>

#include <chrono>
#include <optional>

class QTcpServer;
class QTcpSocket;

namespace km::test {

/// The User-Agent the tests' clients send: "product/version (contact)", as FakeHttpServer::isProperUserAgent() and
/// the real services ask for.
inline const QString userAgent = QStringLiteral("killmail-console-tests/1.0 (tests@example.org)");

/**
 * A small HTTP/1.1 server on 127.0.0.1 (a free port) for the fakes of the services the engine talks to. It serves
 * from the thread that created it; the public methods may be called from any thread. Subclasses answer in
 * route(); scripted answers (script()) come first, first in first out per path prefix, and can hang, cut the body
 * short, gzip it or drop the connection; a fault (setFault()) answers every request to its path prefix until it is
 * cleared, for a server that misbehaves for a while. As the real services do, a request without a proper User-Agent
 * ("product/version (contact)") is refused with 403. Every request is logged with the time it came.
 */
class FakeHttpServer : public QObject {
    Q_OBJECT
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Answer {
        enum Mode {
            Normal,
            /// Never answers (the connection stays open until the client gives up).
            Hang,
            /// Announces a Content-Length larger than the body, sends the body, closes.
            Truncate,
            /// Sends the body gzip-encoded (Content-Encoding: gzip).
            Gzip,
            /// Closes the connection without a word.
            Drop,
            /// Sends the head and half the body, then resets the connection.
            DropMidBody,
            /// Sends bytes that are not HTTP, then closes.
            Garbage,
            /// Sends a chunked body that never ends, as fast as the client takes it.
            Endless,
            /// Sends the head, then the body one byte per drip interval (setDripInterval()).
            SlowDrip,
            /// Sends the body chunked and closes before its last chunk.
            CutChunked,
            /// Answers 302 to the very path that was asked.
            RedirectLoop,
        };
        int status = 200;
        QByteArray body;
        /// Added to the usual headers; one with the same name replaces the usual one (Content-Type included).
        Headers headers;
        Mode mode = Normal;
        /// Held this long (after the latency) before it goes out, as a server holding a quiet poll does.
        std::chrono::milliseconds delay{0};
    };
    using Scripted = Answer;

    struct Request {
        QByteArray method;
        /// As requested, query included.
        QString path;
        Headers headers;
        QByteArray body;
        /// What it was answered; 0 when it was not (Hang, Drop).
        int status = 0;
        /// When the server had read it whole, for tests that measure the spacing of a client's requests.
        std::chrono::steady_clock::time_point receivedAt;

        /// The first header of that name (case-insensitive); empty when none.
        [[nodiscard]] QByteArray header(QByteArrayView name) const;
        /// The path without its query.
        [[nodiscard]] QString route() const { return path.section(QLatin1Char('?'), 0, 0); }
    };

    explicit FakeHttpServer(QObject* parent = nullptr);
    ~FakeHttpServer() override;

    [[nodiscard]] QUrl url() const;

    /// Queues an answer for the next request whose path starts with `pathPrefix`.
    void script(const QString& pathPrefix, const Answer& answer);
    /// Delays every answer.
    void setLatency(std::chrono::milliseconds latency);
    /// Answers every request whose path starts with `pathPrefix` with `fault` (its mode, status and body), before
    /// scripts and routes, until clearFaults().
    void setFault(const QString& pathPrefix, const Answer& fault);
    void clearFaults();
    /// The pause between the bytes of a SlowDrip answer (default 200 ms).
    void setDripInterval(std::chrono::milliseconds interval);
    /// Whether a request without a proper User-Agent is refused (default true).
    void setUserAgentChecked(bool checked);
    /// "product/version (contact)", as the real services ask for.
    [[nodiscard]] static bool isProperUserAgent(const QByteArray& userAgent);

    [[nodiscard]] int requestCount() const;
    /// Requests whose path (query left out) starts with `pathPrefix`.
    [[nodiscard]] int requestsTo(const QString& pathPrefix) const;
    /// The most recent requests (100,000 at most), oldest first.
    [[nodiscard]] QList<Request> requests() const;
    /// The logged requests whose path (query left out) starts with `pathPrefix`, oldest first.
    [[nodiscard]] QList<Request> requestsFor(const QString& pathPrefix) const;
    /// The time from the `first` (0 the oldest logged) to the latest of those requests, as received; zero when there
    /// is no later one. A clock for tests: "this source polled for at least so long".
    [[nodiscard]] std::chrono::milliseconds spanOf(const QString& pathPrefix, qsizetype first) const;
    void clearLog();

    /// `{"error": message}`.
    static QByteArray errorBody(const QString& message);
    static QByteArray gzip(const QByteArray& data);

protected:
    /// The answer to a request no script took; called with mutex() held.
    virtual Answer route(const Request& request) = 0;
    /// An answer that takes precedence over scripts and routes (an enforced limit); called with mutex() held.
    virtual std::optional<Answer> preempt(const Request& request);
    /// Adjusts any answer that is going out (rate-limit headers, counters); called with mutex() held.
    virtual void decorate(const Request& request, Answer& answer);
    /// Logged but not counted by clearLog(): reset the subclass's own counters there.
    virtual void clearCounters() { }

    [[nodiscard]] QMutex& mutex() const { return m_mutex; }
    static void setHeader(Headers& headers, const QByteArray& name, const QByteArray& value);

private:
    struct Connection {
        QByteArray buffer;
        bool hanging = false;
    };

    void accept();
    void readFrom(QTcpSocket* socket);
    /// False when the connection must close or wait for more bytes.
    bool serveOne(QTcpSocket* socket, Connection& connection);
    void refuse(QTcpSocket* socket, int status);
    void send(QTcpSocket* socket, const Answer& answer, bool keepAlive);
    /// The faulty modes that write over time or break the protocol; false when `answer` is not one of them.
    bool sendFaulty(QTcpSocket* socket, const Answer& answer);
    void streamEndlessly(QTcpSocket* socket);
    void drip(QTcpSocket* socket, QByteArray body);
    Answer answer(const Request& request);

    QTcpServer* m_server;
    QHash<QTcpSocket*, Connection> m_connections;

    mutable QMutex m_mutex;
    QUrl m_url;
    std::chrono::milliseconds m_latency{0};
    QList<QPair<QString, Answer>> m_scripted;
    QList<QPair<QString, Answer>> m_faults;
    std::chrono::milliseconds m_dripInterval{200};
    bool m_userAgentChecked = true;
    int m_requestCount = 0;
    QHash<QString, int> m_pathCounts;
    QList<Request> m_log;
};

/// A fake serving from its own thread, for a caller that blocks (QProcess::waitForFinished, a benchmark).
template <typename Fake>
class FakeThread {
public:
    FakeThread()
        : m_context(new QObject)
    {
        m_thread.setObjectName(QStringLiteral("fake-server"));
        m_context->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            m_context, [this] { m_fake = new Fake; }, Qt::BlockingQueuedConnection);
    }
    ~FakeThread()
    {
        QMetaObject::invokeMethod(
            m_context, [this] { delete m_fake; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete m_context;
    }
    FakeThread(const FakeThread&) = delete;
    FakeThread& operator=(const FakeThread&) = delete;

    [[nodiscard]] Fake& fake() { return *m_fake; }

private:
    QThread m_thread;
    QObject* m_context;
    Fake* m_fake = nullptr;
};

} // namespace km::test
