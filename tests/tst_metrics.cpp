// The monitoring endpoint's pieces: the Prometheus text builder, the HTTP server over real loopback sockets (well-
// and ill-behaved clients), and the failure-rate alert on explicit timestamps.
#include "monitoring/FailureRateAlert.h"
#include "monitoring/MetricsServer.h"
#include "monitoring/PrometheusText.h"
#include "monitoring/RateHistory.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTest>

#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include <sys/socket.h>

using namespace km;
using namespace std::chrono_literals;
using Type = PrometheusText::Type;

namespace {

/// Records what the monitoring classes log (category "killmail.monitoring"); other messages go on as usual.
class LogCapture {
public:
    LogCapture()
    {
        s_current = this;
        m_previous = qInstallMessageHandler(handle);
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        s_current = nullptr;
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    /// Messages of that level containing `text`.
    [[nodiscard]] int count(QtMsgType type, const QString& text = {}) const
    {
        return int(std::count_if(m_lines.cbegin(), m_lines.cend(),
                                 [&](const auto& line) { return line.first == type && line.second.contains(text); }));
    }
    [[nodiscard]] int total() const { return int(m_lines.size()); }

private:
    static void handle(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        if (QByteArrayView(context.category) == "killmail.monitoring") {
            s_current->m_lines.append({type, message});
        } else {
            s_current->m_previous(type, context, message);
        }
    }

    static inline LogCapture* s_current = nullptr;
    QtMessageHandler m_previous;
    QList<QPair<QtMsgType, QString>> m_lines;
};

/// One answer as the client received it.
struct Reply {
    QByteArray raw;
    /// The server closed the connection (within the time allowed).
    bool closed = false;

    [[nodiscard]] int status() const
    {
        if (!raw.startsWith("HTTP/1.1 ")) {
            return 0;
        }
        return raw.mid(9, 3).toInt();
    }
    [[nodiscard]] QByteArray header(QByteArrayView name) const
    {
        const QList<QByteArray> lines = raw.left(raw.indexOf("\r\n\r\n")).split('\n');
        for (const QByteArray& line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && QByteArrayView(line).first(colon).compare(name, Qt::CaseInsensitive) == 0) {
                return line.mid(colon + 1).trimmed();
            }
        }
        return {};
    }
    [[nodiscard]] QByteArray body() const
    {
        const qsizetype end = raw.indexOf("\r\n\r\n");
        return end < 0 ? QByteArray() : raw.mid(end + 4);
    }
};

/// A client socket that collects what it receives, on the test thread (so the server keeps serving meanwhile).
class Client {
public:
    explicit Client(quint16 port)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { m_received += m_socket.readAll(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }

    void send(const QByteArray& bytes) { m_socket.write(bytes); }
    [[nodiscard]] bool connected()
    {
        return QTest::qWaitFor([this] { return isConnected(); }, 5000);
    }
    [[nodiscard]] bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    [[nodiscard]] bool isClosed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    [[nodiscard]] bool waitClosed(int ms = 5000)
    {
        return QTest::qWaitFor([this] { return isClosed(); }, ms);
    }
    [[nodiscard]] QByteArray received() const { return m_received; }
    void abort() { m_socket.abort(); }
    [[nodiscard]] bool flush() { return m_socket.waitForBytesWritten(5000) || m_socket.bytesToWrite() == 0; }
    [[nodiscard]] qintptr descriptor() const { return m_socket.socketDescriptor(); }

    /// Waits for the server to close the connection and returns what it said.
    [[nodiscard]] Reply reply(int ms = 5000)
    {
        Reply reply;
        reply.closed = waitClosed(ms);
        m_received += m_socket.readAll();
        reply.raw = m_received;
        return reply;
    }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

MetricsServerSettings testSettings()
{
    MetricsServerSettings settings;
    settings.port = 0;
    settings.connectionTimeout = 3s;
    return settings;
}

/// A server on a free loopback port serving `page` and `health`, counting its scrapes.
class Endpoint {
public:
    explicit Endpoint(const MetricsServerSettings& settings = testSettings())
        : server(
            settings,
            [this] {
                ++scrapes;
                return page;
            },
            [this] { return health; })
    {
        QString error;
        if (!server.listen(error)) {
            qFatal("cannot listen: %s", qPrintable(error));
        }
    }

    [[nodiscard]] Reply exchange(const QByteArray& request)
    {
        Client client(server.port());
        client.send(request);
        return client.reply();
    }

    QByteArray page = "# HELP up Whether it runs.\n# TYPE up gauge\nup 1\n";
    Health health;
    int scrapes = 0;
    MetricsServer server;
};

/// A literal's bytes, NULs included.
template <std::size_t N>
QByteArray bytes(const char (&text)[N])
{
    return QByteArray(text, N - 1);
}

const QDateTime t0(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC);

QDateTime at(std::chrono::seconds offset) { return t0.addSecs(offset.count()); }

} // namespace

class MetricsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // --- PrometheusText ---

    void prometheusTextPage()
    {
        PrometheusText page;
        page.family("killmail_ingested_total", Type::Counter, QStringLiteral("Killmails stored, by \"source\"."))
            .sample(12, {{"source", QStringLiteral("redisq")}})
            .sample(3, {{"source", QStringLiteral("odd \"name\" \\ with\nnewline")}});
        page.family("killmail_queue_backlog", Type::Gauge, QStringLiteral("Jobs waiting.\nA \\ backslash."))
            .sample(qint64(0), {{"queue", QStringLiteral("killmail")}, {"state", QStringLiteral("waiting")}});
        // Declared again: its samples join the first ones, a series already there gets its new value.
        page.family("killmail_ingested_total", Type::Gauge, QStringLiteral("ignored"))
            .sample(5, {{"source", QStringLiteral("Jita – 4-4")}})
            .sample(13, {{"source", QStringLiteral("redisq")}});
        page.family("killmail_ingest_rate", Type::Gauge, QStringLiteral("Killmails per second.")).sample(2.5);

        const QByteArray expected = "# HELP killmail_ingested_total Killmails stored, by \"source\".\n"
                                    "# TYPE killmail_ingested_total counter\n"
                                    "killmail_ingested_total{source=\"redisq\"} 13\n"
                                    "killmail_ingested_total{source=\"odd \\\"name\\\" \\\\ with\\nnewline\"} 3\n"
                                    "killmail_ingested_total{source=\"Jita \xe2\x80\x93 4-4\"} 5\n"
                                    "# HELP killmail_queue_backlog Jobs waiting.\\nA \\\\ backslash.\n"
                                    "# TYPE killmail_queue_backlog gauge\n"
                                    "killmail_queue_backlog{queue=\"killmail\",state=\"waiting\"} 0\n"
                                    "# HELP killmail_ingest_rate Killmails per second.\n"
                                    "# TYPE killmail_ingest_rate gauge\n"
                                    "killmail_ingest_rate 2.5\n";
        QCOMPARE(page.text(), expected);
    }

    void prometheusTextSanitisesNames()
    {
        PrometheusText page;
        page.family("9 bad-name.x", Type::Gauge, QStringLiteral("h")).sample(1, {{"bad-label:x", QStringLiteral("v")}});
        page.family("job:rate_5m", Type::Gauge, QStringLiteral("h")).sample(1, {{"2nd", QStringLiteral("v")}});
        page.family("", Type::Counter, QStringLiteral("h")).sample(1);
        QCOMPARE(page.text(),
                 QByteArray("# HELP _9_bad_name_x h\n"
                            "# TYPE _9_bad_name_x gauge\n"
                            "_9_bad_name_x{bad_label_x=\"v\"} 1\n"
                            "# HELP job:rate_5m h\n"
                            "# TYPE job:rate_5m gauge\n"
                            "job:rate_5m{_2nd=\"v\"} 1\n"
                            "# HELP _ h\n"
                            "# TYPE _ counter\n"
                            "_ 1\n"));
    }

    void prometheusTextEmpty()
    {
        QCOMPARE(PrometheusText().text(), QByteArray());
        PrometheusText page;
        page.family("unused", Type::Gauge, QStringLiteral("No samples yet."));
        QCOMPARE(page.text(), QByteArray("# HELP unused No samples yet.\n# TYPE unused gauge\n"));
    }

    void prometheusNumbers_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("negative zero") << -0.0 << QByteArray("0");
        QTest::newRow("integral") << 42.0 << QByteArray("42");
        QTest::newRow("negative") << -3.0 << QByteArray("-3");
        QTest::newRow("million") << 1e6 << QByteArray("1000000");
        QTest::newRow("large integral") << 1234567890123.0 << QByteArray("1234567890123");
        QTest::newRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992");
        QTest::newRow("1e17") << 1e17 << QByteArray("1e+17");
        QTest::newRow("huge") << 1e300 << QByteArray("1e+300");
        QTest::newRow("quarter") << 0.25 << QByteArray("0.25");
        QTest::newRow("tenth") << 0.1 << QByteArray("0.1");
        QTest::newRow("third") << 1.0 / 3.0 << QByteArray("0.3333333333333333");
        QTest::newRow("small") << 1.5e-7 << QByteArray("1.5e-07");
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
        QTest::newRow("+Inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
        QTest::newRow("-Inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
    }

    void prometheusNumbers()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(PrometheusText::formatNumber(value), text);
        PrometheusText page;
        page.family("x", Type::Gauge, QStringLiteral("h")).sample(value);
        QVERIFY(page.text().endsWith("\nx " + text + '\n'));
        if (std::isfinite(value)) {
            QCOMPARE(text.toDouble(), value);
        }
    }

    void prometheusIntegers()
    {
        PrometheusText page;
        page.family("x", Type::Counter, QStringLiteral("h"))
            .sample(std::numeric_limits<qint64>::max(), {{"n", QStringLiteral("max")}})
            .sample(-7, {{"n", QStringLiteral("int")}})
            .sample(std::numeric_limits<quint64>::max(), {{"n", QStringLiteral("unsigned")}});
        QVERIFY(page.text().endsWith("x{n=\"max\"} 9223372036854775807\n"
                                     "x{n=\"int\"} -7\n"
                                     "x{n=\"unsigned\"} 18446744073709551615\n"));
    }

    // --- MetricsServer ---

    void servesMetrics()
    {
        Endpoint endpoint;
        const Reply reply = endpoint.exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
        QVERIFY(reply.closed);
        QCOMPARE(reply.status(), 200);
        QVERIFY(reply.raw.startsWith("HTTP/1.1 200 OK\r\n"));
        QCOMPARE(reply.header("Content-Type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        QCOMPARE(reply.header("Content-Length"), QByteArray::number(endpoint.page.size()));
        QCOMPARE(reply.header("Connection"), QByteArray("close"));
        QCOMPARE(reply.body(), endpoint.page);
        QCOMPARE(endpoint.scrapes, 1);

        // Every scrape asks the provider afresh; a query string is ignored; HTTP/1.0 and bare LFs are fine.
        endpoint.page = "# TYPE jobs counter\njobs 7\n";
        const Reply second = endpoint.exchange("GET /metrics?debug=1 HTTP/1.0\n\n");
        QCOMPARE(second.status(), 200);
        QCOMPARE(second.body(), endpoint.page);
        QCOMPARE(endpoint.scrapes, 2);
        QTRY_COMPARE(endpoint.server.connectionCount(), 0);
    }

    void servesAnHttpClient()
    {
        Endpoint endpoint;
        endpoint.health = {false, QStringLiteral("database unreachable")};
        QNetworkAccessManager manager;
        std::unique_ptr<QNetworkReply> metrics(
            manager.get(QNetworkRequest(endpoint.server.url().resolved(QUrl(QStringLiteral("/metrics"))))));
        QVERIFY(QTest::qWaitFor([&] { return metrics->isFinished(); }, 5000));
        QCOMPARE(metrics->error(), QNetworkReply::NoError);
        QCOMPARE(metrics->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(metrics->header(QNetworkRequest::ContentTypeHeader).toString(),
                 QStringLiteral("text/plain; version=0.0.4; charset=utf-8"));
        QCOMPARE(metrics->readAll(), endpoint.page);

        std::unique_ptr<QNetworkReply> health(
            manager.get(QNetworkRequest(endpoint.server.url().resolved(QUrl(QStringLiteral("/healthz"))))));
        QVERIFY(QTest::qWaitFor([&] { return health->isFinished(); }, 5000));
        QCOMPARE(health->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
        QCOMPARE(health->readAll(), QByteArray("database unreachable\n"));
    }

    void servesHealth()
    {
        Endpoint endpoint;
        const Reply healthy = endpoint.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(healthy.status(), 200);
        QCOMPARE(healthy.header("Content-Type"), QByteArray("text/plain; charset=utf-8"));
        QCOMPARE(healthy.body(), QByteArray("ok\n"));

        endpoint.health = {false, QStringLiteral("failure rate alert: 12% of jobs failed")};
        const Reply unhealthy = endpoint.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(unhealthy.raw.startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
        QCOMPARE(unhealthy.body(), QByteArray("failure rate alert: 12% of jobs failed\n"));

        endpoint.health = {false, QString()};
        QCOMPARE(endpoint.exchange("GET /healthz HTTP/1.1\r\n\r\n").body(), QByteArray("unhealthy\n"));
        QCOMPARE(endpoint.scrapes, 0);
    }

    void answersHead()
    {
        Endpoint endpoint;
        const Reply metrics = endpoint.exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(metrics.closed);
        QCOMPARE(metrics.status(), 200);
        QCOMPARE(metrics.header("Content-Length"), QByteArray::number(endpoint.page.size()));
        QVERIFY(metrics.raw.endsWith("\r\n\r\n"));
        QCOMPARE(metrics.body(), QByteArray());

        endpoint.health = {false, QStringLiteral("stopping")};
        const Reply health = endpoint.exchange("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(health.status(), 503);
        QCOMPARE(health.header("Content-Length"), QByteArray("9"));
        QCOMPARE(health.body(), QByteArray());
    }

    void answersOtherPathsAndMethods_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::newRow("root") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 404;
        QTest::newRow("trailing slash") << QByteArray("GET /metrics/ HTTP/1.1\r\n\r\n") << 404;
        QTest::newRow("longer name") << QByteArray("GET /metricsx HTTP/1.1\r\n\r\n") << 404;
        QTest::newRow("other case") << QByteArray("GET /Metrics HTTP/1.1\r\n\r\n") << 404;
        QTest::newRow("HEAD elsewhere") << QByteArray("HEAD /favicon.ico HTTP/1.1\r\n\r\n") << 404;
        QTest::newRow("POST") << QByteArray("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello") << 405;
        QTest::newRow("DELETE") << QByteArray("DELETE /healthz HTTP/1.1\r\n\r\n") << 405;
        QTest::newRow("OPTIONS") << QByteArray("OPTIONS /metrics HTTP/1.1\r\n\r\n") << 405;
        QTest::newRow("lower-case method") << QByteArray("get /metrics HTTP/1.1\r\n\r\n") << 405;
    }

    void answersOtherPathsAndMethods()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        Endpoint endpoint;
        const Reply reply = endpoint.exchange(request);
        QVERIFY(reply.closed);
        QCOMPARE(reply.status(), status);
        QCOMPARE(reply.header("Allow"), status == 405 ? QByteArray("GET, HEAD") : QByteArray());
        QCOMPARE(endpoint.scrapes, 0);
    }

    void rejectsMalformedRequests_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::newRow("one word") << QByteArray("GARBAGE\r\n\r\n") << 400;
        QTest::newRow("method only") << QByteArray("GET\r\n\r\n") << 400;
        QTest::newRow("no version") << QByteArray("GET /metrics\r\n\r\n") << 400;
        QTest::newRow("four parts") << QByteArray("GET /metrics HTTP/1.1 extra\r\n\r\n") << 400;
        QTest::newRow("space in path") << QByteArray("GET /met rics HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("double space") << QByteArray("GET  /metrics HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("relative target") << QByteArray("GET metrics HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("absolute target") << QByteArray("GET http://x/metrics HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("non-ASCII target") << QByteArray("GET /metrics\xff HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("bad method") << QByteArray("G(E)T /metrics HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("lower-case version") << QByteArray("GET /metrics http/1.1\r\n\r\n") << 400;
        QTest::newRow("bad version") << QByteArray("GET /metrics HTTP/1.1x\r\n\r\n") << 400;
        QTest::newRow("HTTP/2") << QByteArray("GET /metrics HTTP/2.0\r\n\r\n") << 505;
        QTest::newRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400;
        QTest::newRow("header without colon") << QByteArray("GET /metrics HTTP/1.1\r\nNo colon\r\n\r\n") << 400;
        QTest::newRow("empty header name") << QByteArray("GET /metrics HTTP/1.1\r\n: x\r\n\r\n") << 400;
        QTest::newRow("space in header name") << QByteArray("GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n") << 400;
        QTest::newRow("folded header") << QByteArray("GET /metrics HTTP/1.1\r\nA: b\r\n c\r\n\r\n") << 400;
        QTest::newRow("NUL in header") << bytes("GET /metrics HTTP/1.1\r\nA: b\0c\r\n\r\n") << 400;
        QTest::newRow("binary") << bytes("\x00\x01\x02\xfe\xff\r\n\r\n") << 400;
        QTest::newRow("blank line first") << QByteArray("\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n") << 400;
    }

    void rejectsMalformedRequests()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        Endpoint endpoint;
        LogCapture log;
        const Reply reply = endpoint.exchange(request);
        QVERIFY(reply.closed);
        QCOMPARE(reply.status(), status);
        QCOMPARE(reply.header("Connection"), QByteArray("close"));
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("with %1:").arg(status)), 1);
        QCOMPARE(endpoint.scrapes, 0);
        // Still serving.
        QCOMPARE(endpoint.exchange("GET /metrics HTTP/1.1\r\n\r\n").status(), 200);
    }

    void readsRequestsInPieces()
    {
        Endpoint endpoint;
        Client client(endpoint.server.port());
        QVERIFY(client.connected());
        for (const char c : QByteArray("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")) {
            client.send(QByteArray(1, c));
            QTest::qWait(2);
        }
        const Reply reply = client.reply();
        QCOMPARE(reply.status(), 200);
        QCOMPARE(reply.body(), endpoint.page);
    }

    void answersAClientThatHalfCloses()
    {
        Endpoint endpoint;
        Client client(endpoint.server.port());
        QVERIFY(client.connected());
        client.send("GET /metrics HTTP/1.0\r\n\r\n");
        QVERIFY(client.flush());
        QCOMPARE(::shutdown(int(client.descriptor()), SHUT_WR), 0); // as `nc -N` does: request sent, no more to say
        const Reply reply = client.reply();
        QCOMPARE(reply.status(), 200);
        QCOMPARE(reply.body(), endpoint.page);
    }

    void answersOnlyTheFirstOfPipelinedRequests()
    {
        Endpoint endpoint;
        const Reply reply = endpoint.exchange("GET /metrics HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
        QVERIFY(reply.closed);
        QCOMPARE(reply.raw.count("HTTP/1.1 "), 1);
        QCOMPARE(reply.body(), endpoint.page);
    }

    void rejectsOversizedRequests()
    {
        MetricsServerSettings settings = testSettings();
        settings.maxRequestBytes = 1024;
        Endpoint endpoint(settings);
        LogCapture log;

        // Headers that never end.
        const Reply endless = endpoint.exchange("GET /metrics HTTP/1.1\r\nX-Filler: " + QByteArray(1100, 'a'));
        QVERIFY(endless.closed);
        QCOMPARE(endless.status(), 431);
        // Complete, but too long.
        const Reply tooLong =
            endpoint.exchange("GET /metrics HTTP/1.1\r\nX-Filler: " + QByteArray(1100, 'a') + "\r\n\r\n");
        QCOMPARE(tooLong.status(), 431);
        // The limit counts the whole head, blank line included.
        QByteArray fits = "GET /metrics HTTP/1.1\r\nX-Filler: ";
        fits += QByteArray(1024 - fits.size() - 4, 'a') + "\r\n\r\n";
        QCOMPARE(fits.size(), 1024);
        QCOMPARE(endpoint.exchange(fits).status(), 200);
        QCOMPARE(endpoint.exchange(fits.insert(30, 'a')).status(), 431);
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("with 431: request head longer than 1024 bytes")), 3);
        QCOMPARE(endpoint.scrapes, 1);
    }

    void dropsSilentClients()
    {
        MetricsServerSettings settings = testSettings();
        settings.connectionTimeout = 300ms;
        Endpoint endpoint(settings);
        Client client(endpoint.server.port());
        QVERIFY(client.connected());
        QTRY_COMPARE(endpoint.server.connectionCount(), 1);
        QElapsedTimer elapsed;
        elapsed.start();
        QVERIFY(client.waitClosed(30000));
        QVERIFY2(elapsed.elapsed() >= 200, qPrintable(QString::number(elapsed.elapsed())));
        QCOMPARE(client.received(), QByteArray());
        QTRY_COMPARE(endpoint.server.connectionCount(), 0);
        QCOMPARE(endpoint.exchange("GET /metrics HTTP/1.1\r\n\r\n").status(), 200);
    }

    void dropsSlowClients()
    {
        MetricsServerSettings settings = testSettings();
        settings.connectionTimeout = 300ms;
        Endpoint endpoint(settings);
        Client client(endpoint.server.port());
        QVERIFY(client.connected());
        client.send("GET /metrics HTTP/1.1\r\n");
        // A byte every 30 ms keeps the connection busy, never complete: the deadline counts from the accept, so the
        // server cuts it while the bytes still come (were each byte to extend it, the connection would stay open).
        QVERIFY(QTest::qWaitFor(
            [&] {
                client.send("X");
                QTest::qWait(30);
                return client.isClosed();
            },
            60000));
        QCOMPARE(client.received(), QByteArray());
        QCOMPARE(endpoint.scrapes, 0);
        QTRY_COMPARE(endpoint.server.connectionCount(), 0);
    }

    void limitsConnections()
    {
        MetricsServerSettings settings = testSettings();
        settings.maxConnections = 3;
        settings.connectionTimeout = 10s;
        Endpoint endpoint(settings);
        LogCapture log;
        std::vector<std::unique_ptr<Client>> idle;
        for (int i = 0; i < 3; ++i) {
            idle.push_back(std::make_unique<Client>(endpoint.server.port()));
            QVERIFY(idle.back()->connected());
        }
        QTRY_COMPARE(endpoint.server.connectionCount(), 3);

        // Over the limit: closed at once, long before the connection timeout, twice but logged once.
        for (int i = 0; i < 2; ++i) {
            Client extra(endpoint.server.port());
            extra.send("GET /metrics HTTP/1.1\r\n\r\n");
            const Reply refused = extra.reply(2000);
            QVERIFY(refused.closed);
            QCOMPARE(refused.raw, QByteArray());
        }
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("3 connections open")), 1);
        QCOMPARE(endpoint.server.connectionCount(), 3);
        QCOMPARE(endpoint.scrapes, 0);

        idle.front()->abort();
        QTRY_COMPARE(endpoint.server.connectionCount(), 2);
        QCOMPARE(endpoint.exchange("GET /metrics HTTP/1.1\r\n\r\n").status(), 200);
        QCOMPARE(log.count(QtInfoMsg, QStringLiteral("accepting connections again")), 1);
    }

    void servesManyConnectionsAtOnce()
    {
        MetricsServerSettings settings = testSettings();
        settings.maxConnections = 200;
        Endpoint endpoint(settings);
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < 150; ++i) {
            clients.push_back(std::make_unique<Client>(endpoint.server.port()));
            clients.back()->send(i % 2 == 0 ? "GET /metrics HTTP/1.1\r\n\r\n" : "GET /healthz HTTP/1.1\r\n\r\n");
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            const Reply reply = clients[i]->reply();
            QVERIFY(reply.closed);
            QCOMPARE(reply.status(), 200);
            QCOMPARE(reply.body(), i % 2 == 0 ? endpoint.page : QByteArray("ok\n"));
        }
        QCOMPARE(endpoint.scrapes, 75);
        QTRY_COMPARE(endpoint.server.connectionCount(), 0);
    }

    void reportsProvidersThatThrow()
    {
        LogCapture log;
        MetricsServer server(
            testSettings(), []() -> QByteArray { throw std::runtime_error("queue table missing"); },
            []() -> Health { throw std::runtime_error("no database"); });
        QString error;
        QVERIFY(server.listen(error));
        Client metricsClient(server.port());
        metricsClient.send("GET /metrics HTTP/1.1\r\n\r\n");
        const Reply metrics = metricsClient.reply();
        QCOMPARE(metrics.status(), 500);
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("queue table missing")), 1);
        Client healthClient(server.port());
        healthClient.send("GET /healthz HTTP/1.1\r\n\r\n");
        const Reply health = healthClient.reply();
        QCOMPARE(health.status(), 503);
        QCOMPARE(health.body(), QByteArray("health could not be checked: no database\n"));
    }

    void listensOnLoopbackByDefault()
    {
        const MetricsServerSettings defaults;
        QCOMPARE(defaults.address, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(defaults.port, quint16(9464));
        Endpoint endpoint;
        QVERIFY(endpoint.server.port() != 0);
        QCOMPARE(endpoint.server.url(), QUrl(QStringLiteral("http://127.0.0.1:%1").arg(endpoint.server.port())));
    }

    void reportsAPortInUse()
    {
        Endpoint first;
        MetricsServerSettings settings = testSettings();
        settings.port = first.server.port();
        MetricsServer second(
            settings, [] { return QByteArray(); }, [] { return Health{}; });
        QString error;
        QVERIFY(!second.listen(error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot listen on 127.0.0.1 port %1: ").arg(settings.port)),
                 qPrintable(error));
        QVERIFY2(error.size() > QStringLiteral("cannot listen on 127.0.0.1 port %1: ").arg(settings.port).size(),
                 qPrintable(error));
        QCOMPARE(second.port(), quint16(0));
        QCOMPARE(first.exchange("GET /metrics HTTP/1.1\r\n\r\n").status(), 200);
    }

    void closesConnectionsWhenDestroyed()
    {
        auto endpoint = std::make_unique<Endpoint>();
        Client silent(endpoint->server.port());
        Client halfway(endpoint->server.port());
        QVERIFY(silent.connected());
        QVERIFY(halfway.connected());
        halfway.send("GET /metr");
        QTRY_COMPARE(endpoint->server.connectionCount(), 2);
        endpoint.reset();
        QVERIFY(silent.waitClosed());
        QVERIFY(halfway.waitClosed());
        QTest::qWait(50); // any event left behind by the destroyed server runs here
    }

    // --- FailureRateAlert ---

    void alertNeedsTheMinimumOfJobs()
    {
        LogCapture log;
        FailureRateAlert alert;
        alert.sample(0, 0, at(0s));
        alert.sample(0, 19, at(60s));
        QCOMPARE(alert.jobs(), qint64(19));
        QCOMPARE(alert.rate(), 1.0);
        QVERIFY(!alert.alerting());
        QCOMPARE(alert.reason(), QString());
        QCOMPARE(log.total(), 0);

        alert.sample(0, 20, at(120s));
        QVERIFY(alert.alerting());
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("failure rate alert:")), 1);
    }

    void alertRaisesOnceAndClearsWithHysteresis()
    {
        LogCapture log;
        FailureRateAlert alert;
        alert.sample(0, 0, at(0s));
        QCOMPARE(alert.rate(), 0.0);
        alert.sample(96, 4, at(60s)); // 4%
        QVERIFY(!alert.alerting());
        alert.sample(95, 5, at(90s)); // impossible in practice (completed went down): starts over
        QCOMPARE(alert.jobs(), qint64(0));
        QVERIFY(!alert.alerting());

        alert.sample(190, 10, at(120s)); // 5 of 100 since 90 s: 5%, the threshold
        QCOMPARE(alert.failures(), qint64(5));
        QCOMPARE(alert.jobs(), qint64(100));
        QCOMPARE(alert.rate(), 0.05);
        QVERIFY(alert.alerting());
        QCOMPARE(alert.reason(), QStringLiteral("5% of jobs failed in the last 10 min (5 of 100); alert threshold 5%"));
        QCOMPARE(log.count(QtWarningMsg,
                           QStringLiteral("failure rate alert: 5% of jobs failed in the last 10 min (5 of 100)")),
                 1);

        alert.sample(400, 20, at(180s)); // 15 of 320: 4.7%, between the clear level and the threshold
        QVERIFY(alert.alerting());
        QVERIFY(alert.reason().startsWith(QStringLiteral("4.69% of jobs failed")));
        alert.sample(500, 30, at(240s)); // 25 of 430: 5.8%, still on, not raised again
        QVERIFY(alert.alerting());
        QCOMPARE(log.count(QtWarningMsg), 1);

        alert.sample(1000, 30, at(300s)); // 25 of 930: 2.7%
        QVERIFY(!alert.alerting());
        QCOMPARE(alert.reason(), QString());
        QCOMPARE(log.count(QtInfoMsg, QStringLiteral("failure rate alert cleared: 2.69% of jobs failed")), 1);

        alert.sample(1020, 70, at(360s)); // 65 of 990: 6.6%, raised again
        QVERIFY(alert.alerting());
        QCOMPARE(log.count(QtWarningMsg), 2);
    }

    void alertWindowSlides()
    {
        LogCapture log;
        FailureRateAlertSettings settings;
        settings.window = 10min;
        FailureRateAlert alert(settings);
        alert.sample(0, 0, at(0s));
        alert.sample(0, 30, at(60s));
        QVERIFY(alert.alerting());
        alert.sample(0, 30, at(300s));
        alert.sample(0, 30, at(659s)); // the window reaches back to the sample at 0 s
        QCOMPARE(alert.failures(), qint64(30));
        QVERIFY(alert.alerting());
        alert.sample(0, 30, at(660s)); // now it starts at the sample at 60 s: the failures are out of it
        QCOMPARE(alert.jobs(), qint64(0));
        QVERIFY(!alert.alerting());
        QCOMPARE(log.count(QtInfoMsg, QStringLiteral("0 jobs in the last 10 min, fewer than the 20 needed")), 1);

        alert.sample(200, 30, at(720s));
        QCOMPARE(alert.jobs(), qint64(200));
        QCOMPARE(alert.rate(), 0.0);
        QVERIFY(!alert.alerting());

        // Sparse samples: the window starts at the latest sample at least a window old.
        alert.sample(200, 60, at(3000s));
        QCOMPARE(alert.failures(), qint64(30));
        QCOMPARE(alert.jobs(), qint64(30));
        QVERIFY(alert.alerting());
    }

    void alertSettingsAndResets()
    {
        LogCapture log;
        FailureRateAlertSettings settings;
        settings.window = 90s;
        settings.minimumJobs = 4;
        settings.threshold = 0.5;
        settings.clearFraction = 1.0;
        FailureRateAlert alert(settings);
        alert.sample(10, 10, at(0s));
        alert.sample(12, 12, at(30s)); // 2 of 4
        QVERIFY(alert.alerting());
        QCOMPARE(alert.reason(), QStringLiteral("50% of jobs failed in the last 90 s (2 of 4); alert threshold 50%"));
        alert.sample(13, 12, at(40s)); // 2 of 5: below 50%, no hysteresis
        QVERIFY(!alert.alerting());
        alert.sample(13, 16, at(50s)); // 6 of 9
        QVERIFY(alert.alerting());

        // A clock that goes back starts the window over: no jobs in it, the alert clears.
        alert.sample(13, 16, at(20s));
        QCOMPARE(alert.jobs(), qint64(0));
        QVERIFY(!alert.alerting());
        QCOMPARE(log.count(QtInfoMsg, QStringLiteral("starts over")), 1);
        // Counters reset (a restart): the same.
        alert.sample(0, 0, at(60s));
        QCOMPARE(log.count(QtInfoMsg, QStringLiteral("starts over")), 2);
        alert.sample(0, 4, at(70s));
        QVERIFY(alert.alerting());
        QCOMPARE(alert.failures(), qint64(4));
    }

    // --- RateHistory ---

    void rateHistoryGivesEachIntervalsRate()
    {
        RateHistory history;
        QVERIFY(history.points(5min, 100).empty());
        history.sample(100, 0);
        QVERIFY(history.points(5min, 100).empty()); // one total is no rate yet
        history.sample(110, 1000);
        history.sample(110, 2000);
        history.sample(140, 4000);
        const std::vector<RatePoint> points = history.points(5min, 100);
        QCOMPARE(points.size(), std::size_t(3));
        QCOMPARE(points[0].msecsSinceEpoch, qint64(1000));
        QCOMPARE(points[0].perSecond, 10.0);
        QCOMPARE(points[1].perSecond, 0.0);
        QCOMPARE(points[2].msecsSinceEpoch, qint64(4000));
        QCOMPARE(points[2].perSecond, 15.0);
        QCOMPARE(history.newestMsecs(), qint64(4000));
        // Only what ended within the window before the newest sample.
        QCOMPARE(history.points(2000ms, 100).size(), std::size_t(1));
    }

    void rateHistoryMergesIntoFewerPointsFromTheNewest()
    {
        RateHistory history;
        for (qint64 second = 0; second <= 10; ++second) {
            history.sample(second * second, second * 1000); // 1, 3, 5, ... per second
        }
        const std::vector<RatePoint> points = history.points(1h, 4);
        QCOMPARE(points.size(), std::size_t(4));
        // Buckets of three from the newest: the oldest holds the one left over.
        QCOMPARE(points[0].msecsSinceEpoch, qint64(1000));
        QCOMPARE(points[0].perSecond, 1.0);
        QCOMPARE(points[1].msecsSinceEpoch, qint64(4000));
        QCOMPARE(points[1].perSecond, (16.0 - 1.0) / 3.0);
        QCOMPARE(points[3].msecsSinceEpoch, qint64(10000));
        QCOMPARE(points[3].perSecond, (100.0 - 49.0) / 3.0);
    }

    void rateHistoryForgetsWhatIsOlderThanItsSpanAndStartsOverOnAReset()
    {
        RateHistory history(10s);
        for (qint64 second = 0; second <= 30; ++second) {
            history.sample(second, second * 1000);
        }
        QCOMPARE(history.points(1h, 100).size(), std::size_t(10));
        history.sample(5, 31000); // the counter was reset: no negative rate
        QVERIFY(history.points(1h, 100).empty());
        history.sample(7, 32000);
        QCOMPARE(history.points(1h, 100).size(), std::size_t(1));
        QCOMPARE(history.points(1h, 100).front().perSecond, 2.0);
        history.sample(9, 31500); // a clock that went back: the same
        QVERIFY(history.points(1h, 100).empty());
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    MetricsTest suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_metrics.moc"
