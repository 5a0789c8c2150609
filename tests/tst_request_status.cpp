// One status for every outside request: each HTTP status and each way of getting no answer has its code, whether
// asking again may help follows from the code alone, and the HTTP and ESI clients report what really happened (the
// status, the Retry-After, a message naming the request); the killmail and history outcomes follow from the status.
#include "CoroTest.h"
#include "EsiTestSupport.h"
#include "FakeZkillboard.h"
#include "esi/EsiClient.h"
#include "net/HttpClient.h"
#include "net/RequestStatus.h"
#include "sources/ZkbHistory.h"

#include <QTcpServer>
#include <QTest>

using namespace km;
using namespace std::chrono_literals;

using Code = RequestStatus::Code;
using Answer = test::FakeHttpServer::Answer;

namespace {

const QString userAgent = QStringLiteral("killmail-console-tests/1.0 (tests@example.org)");

/// Every code, with whether a request that ended so is worth asking again.
const QList<std::pair<Code, bool>>& everyCode()
{
    static const QList<std::pair<Code, bool>> codes{
        {Code::Success, false},    {Code::NetworkError, true},      {Code::Timeout, true},
        {Code::Aborted, true},     {Code::TooLarge, true},          {Code::TooManyRedirects, true},
        {Code::Redirect, true},    {Code::FileError, true},         {Code::ContentAccessError, false},
        {Code::NotFound, false},   {Code::IncorrectRequest, false}, {Code::TooManyRequests, true},
        {Code::RateLimited, true}, {Code::ServerError, true},       {Code::IncorrectResponse, true},
    };
    return codes;
}

RequestStatus failure(Code code, int httpStatus = 0)
{
    return {code, httpStatus, QStringLiteral("GET https://example.org/x: failed"), std::nullopt};
}

HttpSettings httpSettings()
{
    HttpSettings settings;
    settings.userAgent = userAgent;
    return settings;
}

} // namespace

class RequestStatusTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachHttpStatusHasItsCode_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("transient");
        const auto row = [](int httpStatus, Code code, bool transient) {
            QTest::addRow("%d", httpStatus) << httpStatus << int(code) << transient;
        };
        row(0, Code::NetworkError, true);
        row(101, Code::NetworkError, true);
        row(200, Code::Success, false);
        row(204, Code::Success, false);
        row(299, Code::Success, false);
        row(301, Code::Redirect, true);
        row(304, Code::Redirect, true);
        row(400, Code::IncorrectRequest, false);
        row(401, Code::ContentAccessError, false);
        row(403, Code::ContentAccessError, false);
        row(404, Code::NotFound, false);
        row(408, Code::Timeout, true);
        row(410, Code::IncorrectRequest, false);
        row(420, Code::RateLimited, true);
        row(422, Code::IncorrectRequest, false);
        row(429, Code::TooManyRequests, true);
        row(500, Code::ServerError, true);
        row(503, Code::ServerError, true);
        row(504, Code::ServerError, true);
    }

    void eachHttpStatusHasItsCode()
    {
        QFETCH(int, httpStatus);
        QFETCH(int, code);
        QFETCH(bool, transient);
        const RequestStatus status = RequestStatus::ofAnswer(httpStatus, QStringLiteral("GET x: failed"), 7s);
        QCOMPARE(int(status.code), code);
        QCOMPARE(status.httpStatus, httpStatus);
        QCOMPARE(status.good(), code == int(Code::Success));
        QCOMPARE(status.transient(), transient);
        QCOMPARE(status.retryAfter, std::optional(7s));
    }

    void onlySuccessIsGoodAndEachCodeSaysWhetherToAskAgain()
    {
        for (const auto& [code, transient] : everyCode()) {
            const RequestStatus status = failure(code);
            QCOMPARE(status.good(), code == Code::Success);
            QVERIFY2(status.transient() == transient, qPrintable(QString::number(int(code))));
        }
        QVERIFY(RequestStatus().good());
        QVERIFY(!RequestStatus().transient());
    }

    void httpClientReportsWhatTheServerAnswered_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("expectedRetryAfter"); // seconds; -1: none
        QTest::addRow("200") << 200 << QByteArray() << int(Code::Success) << -1;
        QTest::addRow("404") << 404 << QByteArray() << int(Code::NotFound) << -1;
        QTest::addRow("403") << 403 << QByteArray() << int(Code::ContentAccessError) << -1;
        QTest::addRow("429 in 7 s") << 429 << QByteArrayLiteral("7") << int(Code::TooManyRequests) << 7;
        QTest::addRow("503 in 2 s") << 503 << QByteArrayLiteral("2") << int(Code::ServerError) << 2;
        QTest::addRow("420") << 420 << QByteArray() << int(Code::RateLimited) << -1;
    }

    void httpClientReportsWhatTheServerAnswered()
    {
        QFETCH(int, httpStatus);
        QFETCH(QByteArray, retryAfter);
        QFETCH(int, code);
        QFETCH(int, expectedRetryAfter);
        test::FakeZkillboard fake;
        test::FakeHttpServer::Headers headers;
        if (!retryAfter.isEmpty()) {
            headers.append({QByteArrayLiteral("Retry-After"), retryAfter});
        }
        fake.script(QStringLiteral("/asked"),
                    {httpStatus, test::FakeHttpServer::errorBody(QStringLiteral("the fake says no")), headers});
        HttpClient http(httpSettings());
        const QUrl url = joinUrl(fake.url(), QStringLiteral("asked"));
        auto body = [&]() -> QCoro::Task<> {
            const HttpReply reply = co_await http.get(url);
            KM_CO_COMPARE(int(reply.status.code), code);
            KM_CO_COMPARE(reply.status.httpStatus, httpStatus);
            KM_CO_COMPARE(reply.status.retryAfter.value_or(-1s).count(), qint64(expectedRetryAfter));
            if (reply.status.good()) {
                KM_CO_VERIFY(reply.status.message.isEmpty());
            } else {
                KM_CO_VERIFY2(reply.status.message.startsWith(
                                  QStringLiteral("GET %1: %2").arg(url.toDisplayString()).arg(httpStatus)),
                              qPrintable(reply.status.message));
                KM_CO_VERIFY2(reply.status.message.contains(QLatin1String("the fake says no")),
                              qPrintable(reply.status.message));
            }
        };
        KM_CO_RUN(body());
    }

    void httpClientSaysWhyNoAnswerCame()
    {
        test::FakeZkillboard fake;
        HttpSettings settings = httpSettings();
        settings.timeout = 300ms;
        settings.maxRedirects = 2;
        settings.answer.maxBytes = 1000;
        HttpClient http(settings);
        const auto url = [&fake](const QString& path) { return joinUrl(fake.url(), path); };
        fake.script(QStringLiteral("/hang"), {200, {}, {}, Answer::Hang});
        fake.script(QStringLiteral("/large"), {200, QByteArray(5000, 'x'), {}});
        fake.setFault(QStringLiteral("/loop"), {302, {}, {}, Answer::RedirectLoop});
        fake.script(QStringLiteral("/dropped"), {200, QByteArray(800, 'x'), {}, Answer::DropMidBody});
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QUrl refused(QStringLiteral("http://127.0.0.1:%1/nobody").arg(closed.serverPort()));
        closed.close();
        auto body = [&]() -> QCoro::Task<> {
            const auto expect = [](const HttpReply& reply, Code code, const QString& says) {
                return int(reply.status.code) == int(code) && reply.status.transient()
                    && reply.status.message.contains(says);
            };
            HttpReply reply = co_await http.get(url(QStringLiteral("hang")));
            KM_CO_VERIFY2(expect(reply, Code::Timeout, QStringLiteral("(timeout)")), qPrintable(reply.status.message));
            KM_CO_COMPARE(reply.status.httpStatus, 0);
            reply = co_await http.get(url(QStringLiteral("large")));
            KM_CO_VERIFY2(expect(reply, Code::TooLarge, QStringLiteral("larger than 1000 bytes")),
                          qPrintable(reply.status.message));
            KM_CO_VERIFY(reply.body.isEmpty());
            reply = co_await http.get(url(QStringLiteral("loop")));
            KM_CO_VERIFY2(expect(reply, Code::TooManyRedirects, QStringLiteral("more than 2 redirects")),
                          qPrintable(reply.status.message));
            reply = co_await http.get(url(QStringLiteral("dropped")));
            KM_CO_VERIFY2(expect(reply, Code::NetworkError, QStringLiteral("cut off")),
                          qPrintable(reply.status.message));
            KM_CO_COMPARE(reply.status.httpStatus, 200);
            reply = co_await http.get(refused);
            KM_CO_VERIFY2(expect(reply, Code::NetworkError, QStringLiteral("network error")),
                          qPrintable(reply.status.message));
            KM_CO_COMPARE(reply.status.httpStatus, 0);
            http.shutDown();
            reply = co_await http.get(url(QStringLiteral("asked")));
            KM_CO_VERIFY2(expect(reply, Code::Aborted, QStringLiteral(": aborted")), qPrintable(reply.status.message));
        };
        KM_CO_RUN(body());
    }

    void esiClientSaysWhatEsiAnswered()
    {
        test::FakeEsi fake;
        fake.script(QStringLiteral("/characters/1/"), test::esi::answer(200, "{\"name\": \"cut"));
        fake.script(QStringLiteral("/characters/2/"), test::esi::answer(404, R"({"error":"Character not found"})"));
        fake.script(QStringLiteral("/characters/3/"),
                    test::esi::answer(420, R"({"error":"error limited"})", {{"X-ESI-Error-Limit-Reset", "2"}}));
        const EsiSettings settings = test::esi::settingsFor(fake);
        EsiClient esi(settings, std::make_shared<EsiRateLimits>(settings));
        auto body = [&]() -> QCoro::Task<> {
            EsiJson json = co_await esi.getJson(QStringLiteral("/characters/1/"));
            KM_CO_COMPARE(int(json.status.code), int(Code::IncorrectResponse));
            KM_CO_COMPARE(json.status.httpStatus, 200);
            KM_CO_VERIFY(json.status.transient());
            KM_CO_VERIFY2(
                json.status.message.startsWith(QLatin1String("ESI GET /characters/1/: truncated or malformed")),
                qPrintable(json.status.message));
            json = co_await esi.getJson(QStringLiteral("/characters/2/"));
            KM_CO_COMPARE(int(json.status.code), int(Code::NotFound));
            KM_CO_VERIFY(!json.status.transient());
            KM_CO_VERIFY2(json.status.message.contains(QLatin1String("Character not found")),
                          qPrintable(json.status.message));
            json = co_await esi.getJson(QStringLiteral("/characters/3/"));
            KM_CO_COMPARE(int(json.status.code), int(Code::RateLimited));
            KM_CO_COMPARE(json.status.retryAfter, std::optional(2s)); // the error limit's reset
        };
        KM_CO_RUN(body());
    }

    void aKillmailFetchOutcomeFollowsItsStatus()
    {
        using Outcome = KillmailFetch::Outcome;
        const auto outcome = [](RequestStatus status) { return KillmailFetch{std::move(status), {}}.outcome(); };
        QCOMPARE(outcome(RequestStatus::ofAnswer(200)), Outcome::Ok);
        QCOMPARE(outcome(failure(Code::NotFound, 404)), Outcome::BadHash);
        QCOMPARE(outcome(failure(Code::NotFound)), Outcome::BadHash); // an id and hash not worth asking about
        QCOMPARE(outcome(RequestStatus::ofAnswer(422, QStringLiteral("x"))), Outcome::BadHash);
        QCOMPARE(outcome(RequestStatus::ofAnswer(400, QStringLiteral("x"))), Outcome::Failed);
        QCOMPARE(outcome(RequestStatus::ofAnswer(403, QStringLiteral("x"))), Outcome::Failed);
        QCOMPARE(outcome(RequestStatus::ofAnswer(503, QStringLiteral("x"))), Outcome::Transient);
        QCOMPARE(outcome(failure(Code::IncorrectResponse, 200)), Outcome::Transient);
        QCOMPARE(outcome(failure(Code::Timeout)), Outcome::Transient);
    }

    void aHistoryOutcomeFollowsItsStatus()
    {
        using Outcome = HistoryAnswer::Outcome;
        const auto outcome = [](RequestStatus status) { return HistoryAnswer{std::move(status)}.outcome(); };
        QCOMPARE(outcome(RequestStatus::ofAnswer(200)), Outcome::Ok);
        QCOMPARE(outcome(RequestStatus::ofAnswer(404, QStringLiteral("x"))), Outcome::Missing);
        QCOMPARE(outcome(failure(Code::IncorrectResponse, 200)), Outcome::Malformed);
        QCOMPARE(outcome(RequestStatus::ofAnswer(403, QStringLiteral("x"))), Outcome::Failed);
        QCOMPARE(outcome(RequestStatus::ofAnswer(429, QStringLiteral("x"))), Outcome::Failed);
        QCOMPARE(outcome(failure(Code::NetworkError, 200)), Outcome::Failed);
    }
};

QTEST_GUILESS_MAIN(RequestStatusTest)
#include "tst_request_status.moc"
