// The live feed server's reading of a request head (readRequestHead, also fuzzed as fuzz_feed_request): real heads
// are read whole; a head that is not yet whole waits, one past the limit is refused, and a header line that is not
// "name: value" is refused instead of being read as some other header.
#include "feed/RequestHead.h"

#include <QFile>
#include <QTest>

using namespace km;

using Outcome = RequestHeadReading::Outcome;

namespace {

constexpr qsizetype limit = 16 * 1024;

} // namespace

class TestRequestHead : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsAWebSocketUpgrade()
    {
        const RequestHeadReading reading = readRequestHead(
            "GET /killmails?topics=all&token=s%33cret HTTP/1.1\r\nHost: 127.0.0.1:8765\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nAuthorization:\tBearer abc \r\n\r\n",
            limit);
        QCOMPARE(reading.outcome, Outcome::Complete);
        QVERIFY(reading.head);
        QCOMPARE(reading.head->method, QByteArray("GET"));
        QCOMPARE(reading.head->url.path(), QStringLiteral("/killmails"));
        QCOMPARE(reading.head->headers.value("upgrade"), QByteArray("websocket"));
        QCOMPARE(reading.head->headers.value("sec-websocket-key"), QByteArray("dGhlIHNhbXBsZSBub25jZQ=="));
        QCOMPARE(reading.head->headers.value("authorization"), QByteArray("Bearer abc"));
    }

    void waitsForTheRestAndRefusesAHeadPastTheLimit()
    {
        QCOMPARE(readRequestHead("GET /events HTTP/1.1\r\nHost: x\r\n", limit).outcome, Outcome::Incomplete);
        QCOMPARE(readRequestHead("GET /events HTTP/1.1\r\nX: " + QByteArray(limit, 'a'), limit).outcome,
                 Outcome::TooLong);
        QCOMPARE(readRequestHead("GET /events HTTP/2\r\n\r\n", limit).outcome, Outcome::Malformed);
        QCOMPARE(readRequestHead("GET /events\r\n\r\n", limit).outcome, Outcome::Malformed);
    }

    void refusesAHeaderLineThatIsNotNameColonValue_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("space before the colon") << QByteArray("Upgrade : websocket");
        QTest::newRow("space in the name") << QByteArray("Up grade: websocket");
        QTest::newRow("no name") << QByteArray(": websocket");
        QTest::newRow("a bare CR for a name") << QByteArray("\r :x");
        QTest::newRow("no colon") << QByteArray("Upgrade websocket");
        QTest::newRow("folded onto the line before") << QByteArray(" websocket");
        QTest::newRow("bare CR in the value") << QByteArray("Authorization: Bearer a\rX-Injected: 1");
        QTest::newRow("NUL in the value") << QByteArray("Authorization: Bearer a\0b", 25);
    }

    void refusesAHeaderLineThatIsNotNameColonValue()
    {
        QFETCH(QByteArray, line);
        const RequestHeadReading reading =
            readRequestHead("GET /killmails HTTP/1.1\r\nHost: x\r\n" + line + "\r\n\r\n", limit);
        QCOMPARE(reading.outcome, Outcome::Malformed);
        QVERIFY(!reading.head);
    }

    void refusesWhatTheFuzzerFound()
    {
        // fuzz_feed_request's first finding: "\r :" read as a header with an empty name.
        QFile found(QStringLiteral(KILLMAIL_FUZZ_CORPUS_DIR "/feed_request/regression-header-name-not-a-token"));
        QVERIFY(found.open(QIODevice::ReadOnly));
        QCOMPARE(readRequestHead(found.readAll(), limit).outcome, Outcome::Malformed);
    }
};

QTEST_GUILESS_MAIN(TestRequestHead)

#include "tst_request_head.moc"
