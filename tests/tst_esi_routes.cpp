// The ESI client against FakeEsi over loopback: its routes, bodies, headers and failures.
#include "CoroTest.h"
#include "EsiTestSupport.h"
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <QCoreApplication>
#include <QTest>

using namespace km;
using namespace km::test::esi;
using namespace std::chrono_literals;
using km::test::FakeEsi;
using Outcome = KillmailFetch::Outcome;

class TestEsiRoutes : public QObject {
    Q_OBJECT

private:
    test::EsiFixture m_killmail = test::esiFixture(10622653);

private Q_SLOTS:
    void fetchesARealKillmail()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        EsiClient& client = served.client;
        const std::shared_ptr<EsiRateLimits>& limits = served.limits;
        auto body = [&]() -> QCoro::Task<> {
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
            KM_CO_COMPARE(fetch.body, m_killmail.body);
            KM_CO_VERIFY(fetch.status.message.isEmpty());

            const FakeEsi::Request request = fake.requests().constFirst();
            KM_CO_COMPARE(request.method, QByteArray("GET"));
            KM_CO_COMPARE(request.path,
                          QStringLiteral("/killmails/%1/%2").arg(m_killmail.killmailId).arg(m_killmail.hash));
            KM_CO_VERIFY(request.header("User-Agent").contains("ops@example.org"));
            KM_CO_VERIFY(request.header("User-Agent").startsWith("killmail-console/"));
            KM_CO_COMPARE(request.header("X-Compatibility-Date"), QByteArray("2025-08-26"));
            KM_CO_COMPARE(request.header("Accept"), QByteArray("application/json"));
            KM_CO_VERIFY(request.header("Accept-Encoding").contains("gzip"));
            KM_CO_VERIFY(request.header("If-None-Match").isEmpty());

            KM_CO_COMPARE(limits->groupOf(killmailPath), QStringLiteral("killmail"));
            KM_CO_COMPARE(limits->tokensLeft(QStringLiteral("killmail")), 3598);
            const EsiCounters counters = limits->counters();
            KM_CO_COMPARE(counters.requests, qint64(1));
            KM_CO_COMPARE(counters.byStatus.value(200), qint64(1));

            // The legacy form of the route is served too.
            const EsiReply legacy = co_await client.get(
                QStringLiteral("/latest/killmails/%1/%2/").arg(m_killmail.killmailId).arg(m_killmail.hash));
            KM_CO_COMPARE(legacy.status.httpStatus, 200);
            KM_CO_COMPARE(legacy.body, m_killmail.body);
            // Killmails never change: no ETag revalidation for them.
            co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_VERIFY(fake.requests().constLast().header("If-None-Match").isEmpty());
        };
        KM_CO_RUN(body());
    }

    void badHashIsNotRetried()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        EsiClient& client = served.client;
        auto body = [&]() -> QCoro::Task<> {
            const QString wrongHash(40, QLatin1Char('a'));
            KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, wrongHash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("BadHash"));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("Invalid killmail_id and/or killmail_hash")),
                          qPrintable(fetch.status.message));
            KM_CO_COMPARE(fake.requestCount(), 1);

            fetch = co_await client.fetchKillmail(12345, wrongHash); // unknown id: 422 as well
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("BadHash"));
            KM_CO_COMPARE(fake.requestCount(), 2);

            fake.script(QStringLiteral("/killmails/"), answer(404, R"({"error":"Not found"})"));
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("BadHash"));
            KM_CO_COMPARE(fake.requestCount(), 3);

            fetch = co_await client.fetchKillmail(m_killmail.killmailId, QStringLiteral("../../characters/1"));
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("BadHash"));
            KM_CO_COMPARE(fake.requestCount(), 3); // not even asked
        };
        KM_CO_RUN(body());
    }

    void serverErrorsAreTransient_data()
    {
        QTest::addColumn<int>("status");
        for (int status : {500, 502, 503, 504}) {
            QTest::addRow("%d", status) << status;
        }
    }

    void serverErrorsAreTransient()
    {
        QFETCH(int, status);
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        fake.script(QStringLiteral("/killmails/"),
                    answer(status, R"({"error":"The upstream is down"})", {{"Retry-After", "7"}}));
        EsiClient& client = served.client;
        auto body = [&]() -> QCoro::Task<> {
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.status.message.contains(QString::number(status)), qPrintable(fetch.status.message));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("/killmails/")),
                          qPrintable(fetch.status.message));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("The upstream is down")),
                          qPrintable(fetch.status.message));
            KM_CO_VERIFY(fetch.status.retryAfter == 7s);
            KM_CO_COMPARE(fake.requestCount(), 1); // the job queue retries, not the client
        };
        KM_CO_RUN(body());
    }

    void timeoutIsTransientAndNamesTheRoute()
    {
        FakeEsi fake;
        fake.addKillmail(m_killmail.killmailId, m_killmail.hash, m_killmail.body);
        fake.script(QStringLiteral("/killmails/"), answer(200, {}, {}, FakeEsi::Scripted::Hang));
        EsiSettings settings = settingsFor(fake);
        settings.timeout = 300ms;
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            QElapsedTimer timer;
            timer.start();
            KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY2(
                fetch.status.message.contains(QStringLiteral("GET /killmails/%1/").arg(m_killmail.killmailId)),
                qPrintable(fetch.status.message));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("timeout")), qPrintable(fetch.status.message));
            KM_CO_VERIFY2(timer.elapsed() >= 290, qPrintable(QString::number(timer.elapsed())));
            KM_CO_COMPARE(limits->counters().timeouts, qint64(1));
            // The client carries on.
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
        };
        KM_CO_RUN(body());
    }

    void truncatedAndMalformedBodiesAreTransient()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        EsiClient& client = served.client;
        auto body = [&]() -> QCoro::Task<> {
            const QString prefix = QStringLiteral("/killmails/");
            // Announced longer than sent, then closed.
            fake.script(prefix, answer(200, m_killmail.body.left(100), {}, FakeEsi::Scripted::Truncate));
            KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("truncated")), qPrintable(fetch.status.message));
            KM_CO_VERIFY2(fetch.status.message.contains(prefix), qPrintable(fetch.status.message));
            KM_CO_COMPARE(fake.requestCount(), 1);
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));

            for (const QByteArray& bad : {m_killmail.body.left(m_killmail.body.size() / 2),
                                          QByteArray("{\"killmail_id\": 1,"), QByteArray("<html>Bad gateway</html>")}) {
                fake.script(prefix, answer(200, bad));
                fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
                KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
                KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("truncated or malformed")),
                              qPrintable(fetch.status.message));
            }
            fake.script(prefix, answer(200, {}));
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("empty body")), qPrintable(fetch.status.message));
            fake.script(prefix, answer(200, "[1, 2]"));
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
        };
        KM_CO_RUN(body());
    }

    void gzipAnswerIsDecoded()
    {
        FakeEsi fake;
        fake.script(QStringLiteral("/killmails/"), answer(200, m_killmail.body, {}, FakeEsi::Scripted::Gzip));
        fake.script(QStringLiteral("/markets/prices"),
                    answer(200, R"([{"type_id":587,"average_price":1.5}])", {}, FakeEsi::Scripted::Gzip));
        const EsiSettings settings = settingsFor(fake);
        EsiClient client(settings, std::make_shared<EsiRateLimits>(settings));
        auto body = [&]() -> QCoro::Task<> {
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
            KM_CO_COMPARE(fetch.body, m_killmail.body);
            const EsiJson prices = co_await client.getJson(QStringLiteral("/markets/prices"));
            KM_CO_VERIFY(prices.status.good());
            KM_CO_COMPARE(prices.json.array().at(0).toObject().value(QLatin1String("type_id")).toInt(), 587);
        };
        KM_CO_RUN(body());
    }

    void etagAnswersAreRevalidated()
    {
        FakeEsi fake;
        const EsiSettings settings = settingsFor(fake);
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            const QString path = QStringLiteral("/corporations/98000001");
            const EsiReply first = co_await client.get(path);
            KM_CO_COMPARE(first.status.httpStatus, 200);
            const EsiReply second = co_await client.get(path);
            KM_CO_COMPARE(second.status.httpStatus, 200);
            KM_CO_COMPARE(second.body, first.body);
            const QList<FakeEsi::Request> requests = fake.requests();
            KM_CO_COMPARE(requests.size(), 2);
            KM_CO_VERIFY(requests[0].header("If-None-Match").isEmpty());
            KM_CO_VERIFY(!requests[1].header("If-None-Match").isEmpty());
            KM_CO_COMPARE(requests[1].status, 304);
            const EsiCounters counters = limits->counters();
            KM_CO_COMPARE(counters.notModified, qint64(1));
            KM_CO_COMPARE(counters.byStatus.value(304), qint64(1));

            const EsiJson corporation = co_await client.getJson(path);
            KM_CO_VERIFY(corporation.status.good());
            KM_CO_COMPARE(corporation.json.object().value(QLatin1String("name")).toString(),
                          QStringLiteral("Corporation 98000001"));
            KM_CO_COMPARE(corporation.json.object().value(QLatin1String("ticker")).toString(), QStringLiteral("C0001"));
            KM_CO_COMPARE(limits->counters().notModified, qint64(2));
        };
        KM_CO_RUN(body());
    }

    void jsonRoutes()
    {
        FakeEsi fake;
        fake.setUnknownIds({90000666});
        const EsiSettings settings = settingsFor(fake);
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            EsiJson json = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(json.status.good());
            KM_CO_COMPARE(json.json.object().value(QLatin1String("name")).toString(),
                          QStringLiteral("Character 90000001"));
            KM_CO_VERIFY(json.json.object().value(QLatin1String("corporation_id")).toInteger() > 0);
            json = co_await client.getJson(QStringLiteral("/alliances/99000001"));
            KM_CO_COMPARE(json.json.object().value(QLatin1String("name")).toString(),
                          QStringLiteral("Alliance 99000001"));
            json = co_await client.getJson(QStringLiteral("/universe/types/587"));
            KM_CO_COMPARE(json.json.object().value(QLatin1String("type_id")).toInt(), 587);
            json = co_await client.getJson(QStringLiteral("/markets/prices"));
            KM_CO_VERIFY(json.status.good());
            KM_CO_VERIFY(json.json.isArray() && json.json.array().size() > 0);
            KM_CO_VERIFY(limits->groupOf(QStringLiteral("/characters/1")).isEmpty());
            KM_CO_COMPARE(limits->counters().errorLimitRemain, 100);

            json = co_await client.getJson(QStringLiteral("/characters/90000666"));
            KM_CO_VERIFY(!json.status.good());
            KM_CO_VERIFY(!json.status.transient()); // a plain 404 is permanent
            KM_CO_VERIFY2(json.status.message.contains(QLatin1String("/characters/90000666")),
                          qPrintable(json.status.message));
            KM_CO_COMPARE(limits->counters().errorLimitRemain, 99);
        };
        KM_CO_RUN(body());
    }

    void namesSplitAroundUnknownIds()
    {
        FakeEsi fake;
        fake.setUnknownIds({90000005, 90000013});
        const EsiSettings settings = settingsFor(fake);
        EsiClient client(settings, std::make_shared<EsiRateLimits>(settings));
        auto body = [&]() -> QCoro::Task<> {
            QList<qint64> ids;
            for (qint64 id = 90000001; id <= 90000020; ++id) {
                ids << id << id; // duplicates go once
            }
            EsiJson names = co_await client.names(ids);
            KM_CO_VERIFY2(names.status.good(), qPrintable(names.status.message));
            const QJsonArray resolved = names.json.array();
            KM_CO_COMPARE(resolved.size(), 18);
            QSet<qint64> seen;
            for (const QJsonValue& entry : resolved) {
                const qint64 id = entry.toObject().value(QLatin1String("id")).toInteger();
                seen.insert(id);
                KM_CO_COMPARE(entry.toObject().value(QLatin1String("name")).toString(),
                              QStringLiteral("Character %1").arg(id));
                KM_CO_COMPARE(entry.toObject().value(QLatin1String("category")).toString(),
                              QStringLiteral("character"));
            }
            KM_CO_COMPARE(seen.size(), 18);
            KM_CO_VERIFY(!seen.contains(90000005) && !seen.contains(90000013));
            KM_CO_VERIFY(fake.requestCount() > 2);
            for (const FakeEsi::Request& request : fake.requests()) {
                KM_CO_COMPARE(request.method, QByteArray("POST"));
                KM_CO_COMPARE(request.header("Content-Type"), QByteArray("application/json"));
            }

            // Chunks of 1000.
            fake.clearLog();
            ids.clear();
            for (qint64 id = 98000000; id < 98002500; ++id) {
                ids << id;
            }
            names = co_await client.names(ids);
            KM_CO_VERIFY2(names.status.good(), qPrintable(names.status.message));
            KM_CO_COMPARE(names.json.array().size(), 2500);
            KM_CO_COMPARE(fake.requestCount(), 3);

            names = co_await client.names({});
            KM_CO_VERIFY(names.status.good() && names.json.array().isEmpty());
            KM_CO_COMPARE(fake.requestCount(), 3);
        };
        KM_CO_RUN(body());
    }

    void affiliationInChunks()
    {
        FakeEsi fake;
        const EsiSettings settings = settingsFor(fake);
        EsiClient client(settings, std::make_shared<EsiRateLimits>(settings));
        auto body = [&]() -> QCoro::Task<> {
            QList<qint64> ids;
            for (qint64 id = 90000000; id < 90001500; ++id) {
                ids << id;
            }
            const EsiJson affiliations = co_await client.affiliation(ids);
            KM_CO_VERIFY2(affiliations.status.good(), qPrintable(affiliations.status.message));
            KM_CO_COMPARE(affiliations.json.array().size(), 1500);
            KM_CO_VERIFY(affiliations.json.array().at(0).toObject().value(QLatin1String("corporation_id")).toInteger()
                         > 0);
            KM_CO_COMPARE(fake.requestsTo(QStringLiteral("/characters/affiliation")), 2);
        };
        KM_CO_RUN(body());
    }

    void garbageHeadersDoNotCrash()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        const QString prefix = QStringLiteral("/killmails/");
        fake.script(prefix,
                    answer(200, m_killmail.body,
                           {{"X-Ratelimit-Limit", "abc/15m"},
                            {"X-Ratelimit-Remaining", "lots"},
                            {"X-Ratelimit-Used", "-3"},
                            {"X-ESI-Error-Limit-Remain", "-5"},
                            {"X-ESI-Error-Limit-Reset", "soon"}}));
        fake.script(prefix,
                    answer(200, m_killmail.body,
                           {{"X-Ratelimit-Limit", "10/xyz"},
                            {"X-Ratelimit-Remaining", "99999999999999999999999"},
                            {"X-Ratelimit-Group", "\tkill mail\t"}}));
        fake.script(prefix,
                    answer(200, m_killmail.body,
                           {{"X-Ratelimit-Limit", "99999999999/1s"},
                            {"X-Ratelimit-Remaining", ""},
                            {"X-Ratelimit-Used", "99999999999999"}}));
        fake.script(prefix, answer(503, {}, {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}));
        fake.script(QStringLiteral("/characters/"), answer(200, {}, {{"Content-Type", "text/html"}}));
        fake.script(QStringLiteral("/characters/"), answer(204, {}));
        EsiClient& client = served.client;
        const std::shared_ptr<EsiRateLimits>& limits = served.limits;
        auto body = [&]() -> QCoro::Task<> {
            for (int i = 0; i < 3; ++i) {
                const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
                KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
            }
            KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY(fetch.status.retryAfter == 0s); // a date in the past
            EsiJson json = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(!json.status.good() && json.status.transient());
            json = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(!json.status.good());
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
            KM_CO_VERIFY(limits->tokensLeft(QStringLiteral("killmail")) >= 0);
        };
        KM_CO_RUN(body());

        // A huge Retry-After is capped at 15 minutes.
        fake.script(prefix, answer(429, {}, {{"Retry-After", "99999999999"}}));
        EsiSettings noRetries = served.settings;
        noRetries.max429Retries = 0;
        auto capped = std::make_shared<EsiRateLimits>(noRetries);
        EsiClient impatient(noRetries, capped);
        auto tooMany = [&]() -> QCoro::Task<> {
            const KillmailFetch fetch = co_await impatient.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY(fetch.status.retryAfter == 900s);
            const auto wait = capped->reserve(killmailPath).wait;
            KM_CO_VERIFY2(wait > 890s && wait <= 900s, qPrintable(QString::number(wait.count())));
        };
        KM_CO_RUN(tooMany());
    }

    void settingsFromTheEnvironment()
    {
        qputenv("KILLMAIL_ESI_URL", "http://127.0.0.1:1234/esi");
        qputenv("KILLMAIL_ESI_CONTACT", "ops@example.org\r\nX-Injected: 1");
        const EsiSettings settings = EsiSettings::fromEnvironment();
        qunsetenv("KILLMAIL_ESI_URL");
        qunsetenv("KILLMAIL_ESI_CONTACT");
        QCOMPARE(settings.baseUrl, QUrl(QStringLiteral("http://127.0.0.1:1234/esi")));
        QVERIFY(
            settings.userAgent().startsWith(QStringLiteral("killmail-console/" KILLMAIL_VERSION " (ops@example.org")));
        QVERIFY(!settings.userAgent().contains(QLatin1Char('\n')));
        QCOMPARE(EsiSettings::fromEnvironment().baseUrl, QUrl(QStringLiteral("https://esi.evetech.net")));
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    TestEsiRoutes suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_esi_routes.moc"
