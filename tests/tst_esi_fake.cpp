// FakeEsi itself: it survives rude clients and is as strict as ESI (bucket, error limit) without being asked.
#include "CoroTest.h"
#include "EsiTestSupport.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QTest>

using namespace km;
using namespace km::test::esi;
using namespace std::chrono_literals;
using km::test::FakeEsi;

namespace {

/// Sends `requests` in one write (pipelined, as HTTP/1.1 allows) and returns the status and headers of each answer.
QList<QPair<int, QByteArray>> exchange(const QUrl& url, const QList<QByteArray>& requests)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(url.port()));
    if (!socket.waitForConnected(10000)) {
        return {};
    }
    QByteArray all;
    for (const QByteArray& request : requests) {
        all += request;
    }
    socket.write(all);
    QByteArray received;
    while (received.count("HTTP/1.1 ") < requests.size() && socket.waitForReadyRead(30000)) {
        received += socket.readAll();
    }
    QList<QPair<int, QByteArray>> answers;
    for (qsizetype at = received.indexOf("HTTP/1.1 "); at >= 0; at = received.indexOf("HTTP/1.1 ", at + 1)) {
        const qsizetype headEnd = received.indexOf("\r\n\r\n", at);
        answers.append({received.mid(at + 9, 3).toInt(), received.mid(at, headEnd < 0 ? -1 : headEnd - at)});
    }
    return answers;
}

/// The User-Agent header the fakes require (they answer 403 without one).
const QByteArray userAgentHeader = "User-Agent: " + test::userAgent.toUtf8() + "\r\n";

QByteArray get(const QString& path)
{
    return "GET " + path.toLatin1() + " HTTP/1.1\r\nHost: esi\r\n" + userAgentHeader + "\r\n";
}

/// The value of header `name` in an answer's head (empty when none).
QByteArray headerOf(const QByteArray& head, const QByteArray& name)
{
    for (const QByteArray& line : head.split('\n')) {
        if (line.toLower().startsWith(name.toLower() + ':')) {
            return line.mid(name.size() + 1).trimmed();
        }
    }
    return {};
}

} // namespace

class TestEsiFake : public QObject {
    Q_OBJECT

private:
    test::EsiFixture m_killmail = test::esiFixture(10622653);

private Q_SLOTS:
    void enforcesTheKillmailBucketWithoutBeingAsked()
    {
        // 3600 tokens per 15 minutes: 720 errors (5 tokens each) spend them all, and the next request gets a 429
        // telling it to come back when the first tokens return, a window later.
        test::FakeEsiThread server;
        QList<QByteArray> requests;
        for (int i = 0; i < 721; ++i) {
            requests.append(get(QStringLiteral("/killmails/%1/%2").arg(i + 1).arg(QString(40, QLatin1Char('a')))));
        }
        const auto answers = exchange(server.fake().url(), requests);
        QCOMPARE(answers.size(), 721);
        for (int i = 0; i < 720; ++i) {
            QCOMPARE(answers[i].first, 422);
        }
        QCOMPARE(headerOf(answers[719].second, "X-Ratelimit-Remaining"), QByteArray("0"));
        QCOMPARE(answers[720].first, 429);
        const int retryAfter = headerOf(answers[720].second, "Retry-After").toInt();
        QVERIFY2(retryAfter > 800 && retryAfter <= 900, headerOf(answers[720].second, "Retry-After").constData());
        QCOMPARE(headerOf(answers[720].second, "X-Ratelimit-Limit"), QByteArray("3600/15m"));
        QCOMPARE(server.fake().tooManyRequestsSent(), 1);
    }

    void enforcesTheErrorLimitWithoutBeingAsked()
    {
        // 100 errors in a minute: everything gets 420 until the minute is over, killmails included.
        test::FakeEsiThread server;
        server.fake().addKillmail(m_killmail.killmailId, m_killmail.hash, m_killmail.body);
        server.fake().setUnknownIds({90000666});
        QList<QByteArray> requests;
        for (int i = 0; i < 100; ++i) {
            requests.append(get(QStringLiteral("/characters/90000666")));
        }
        requests.append(get(QStringLiteral("/characters/90000001")));
        requests.append(get(QStringLiteral("/killmails/%1/%2").arg(m_killmail.killmailId).arg(m_killmail.hash)));
        const auto answers = exchange(server.fake().url(), requests);
        QCOMPARE(answers.size(), 102);
        QCOMPARE(answers[0].first, 404);
        QCOMPARE(headerOf(answers[0].second, "X-ESI-Error-Limit-Remain"), QByteArray("99"));
        QCOMPARE(answers[99].first, 404);
        QCOMPARE(headerOf(answers[99].second, "X-ESI-Error-Limit-Remain"), QByteArray("0"));
        const int reset = headerOf(answers[99].second, "X-ESI-Error-Limit-Reset").toInt();
        QVERIFY(reset > 0 && reset <= 60);
        QCOMPARE(answers[100].first, 420);
        QCOMPARE(answers[101].first, 420);
        QCOMPARE(server.fake().errorLimitedSent(), 2);
    }

    void fakeSurvivesRudeClients()
    {
        test::FakeEsiThread server; // its own thread, so that this one may block on sockets
        server.fake().addKillmail(m_killmail.killmailId, m_killmail.hash, m_killmail.body);
        const QUrl url = server.fake().url();
        const auto connectTo = [&](QTcpSocket& socket) {
            socket.connectToHost(QHostAddress::LocalHost, quint16(url.port()));
            return socket.waitForConnected(5000);
        };
        const auto readAnswer = [](QTcpSocket& socket, int answers) {
            QByteArray all;
            while (all.count("HTTP/1.1 ") < answers || !all.contains("\r\n\r\n")) {
                if (!socket.waitForReadyRead(5000)) {
                    break;
                }
                all += socket.readAll();
            }
            return all;
        };
        {
            QTcpSocket socket; // gone in the middle of its body
            QVERIFY(connectTo(socket));
            socket.write("POST /universe/names HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[1,");
            QVERIFY(socket.waitForBytesWritten(5000));
            socket.abort();
        }
        {
            QTcpSocket socket; // not HTTP at all
            QVERIFY(connectTo(socket));
            socket.write(QByteArray("\x00\x01\x02 garbage\r\n\r\n", 15));
            QVERIFY(readAnswer(socket, 1).startsWith("HTTP/1.1 400"));
        }
        {
            QTcpSocket socket; // an endless header
            QVERIFY(connectTo(socket));
            socket.write("GET / HTTP/1.1\r\nX-Long: " + QByteArray(70000, 'a'));
            // The refusal may be lost to the reset of a connection closed with data unread.
            const QByteArray refusal = readAnswer(socket, 1);
            QVERIFY2(refusal.isEmpty() || refusal.startsWith("HTTP/1.1 431"), refusal.left(100).constData());
        }
        {
            QTcpSocket socket; // two requests in one write, then Connection: close
            QVERIFY(connectTo(socket));
            const QByteArray path =
                QStringLiteral("/killmails/%1/%2").arg(m_killmail.killmailId).arg(m_killmail.hash).toLatin1();
            socket.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + userAgentHeader + "\r\nGET " + path
                         + " HTTP/1.1\r\nHost: x\r\n" + userAgentHeader + "Connection: close\r\n\r\n");
            const QByteArray answers = readAnswer(socket, 2);
            QCOMPARE(answers.count("HTTP/1.1 200 OK"), 2);
            QVERIFY(socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(5000));
        }
        {
            QTcpSocket socket; // a negative length
            QVERIFY(connectTo(socket));
            socket.write("POST /universe/names HTTP/1.1\r\nContent-Length: -5\r\n\r\n");
            QVERIFY(readAnswer(socket, 1).startsWith("HTTP/1.1 400"));
        }
        // Still serving.
        QTcpSocket socket;
        QVERIFY(connectTo(socket));
        socket.write("GET /characters/90000001 HTTP/1.1\r\nHost: x\r\n" + userAgentHeader + "\r\n");
        const QByteArray reply = readAnswer(socket, 1);
        QVERIFY(reply.startsWith("HTTP/1.1 200 OK"));
        QVERIFY(reply.contains("X-ESI-Error-Limit-Remain: "));
        QVERIFY(server.fake().requestCount() >= 3);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    TestEsiFake suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_esi_fake.moc"
