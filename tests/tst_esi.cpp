// The ESI client against FakeEsi over loopback, EsiRateLimits on a fake clock, and FakeEsi itself.
#include "CoroTest.h"
#include "FakeEsi.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "esi/EsiClient.h"
#include "esi/EsiRateLimits.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <atomic>
#include <deque>
#include <thread>

using namespace km;
using namespace std::chrono_literals;
using km::test::FakeEsi;
using Outcome = KillmailFetch::Outcome;
using TimePoint = EsiRateLimits::TimePoint;

namespace {

QString name(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Ok: return QStringLiteral("Ok");
    case Outcome::BadHash: return QStringLiteral("BadHash");
    case Outcome::Transient: return QStringLiteral("Transient");
    case Outcome::Failed: return QStringLiteral("Failed");
    }
    return {};
}

EsiSettings settingsFor(const FakeEsi& fake)
{
    EsiSettings settings;
    settings.baseUrl = fake.url();
    settings.contact = QStringLiteral("ops@example.org");
    settings.timeout = 5s;
    return settings;
}

/// A fake ESI serving one killmail, and a client of it with limits of its own.
struct ServedKillmail {
    explicit ServedKillmail(const test::EsiFixture& killmail)
    {
        fake.addKillmail(killmail.killmailId, killmail.hash, killmail.body);
    }

    FakeEsi fake;
    EsiSettings settings = settingsFor(fake);
    std::shared_ptr<EsiRateLimits> limits = std::make_shared<EsiRateLimits>(settings);
    EsiClient client{settings, limits};
};

FakeEsi::Scripted answer(int status, QByteArray body = {}, FakeEsi::Headers headers = {},
                         FakeEsi::Scripted::Mode mode = FakeEsi::Scripted::Normal)
{
    return {status, std::move(body), std::move(headers), mode};
}

qint64 msSince(const QElapsedTimer& timer) { return timer.elapsed(); }

/// A clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::atomic<qint64>> nanoseconds = std::make_shared<std::atomic<qint64>>(3600'000'000'000);

    TimePoint now() const { return TimePoint(std::chrono::nanoseconds(nanoseconds->load())); }
    void advance(std::chrono::nanoseconds by) const { nanoseconds->fetch_add(by.count()); }
    EsiRateLimits::Clock function() const
    {
        return [counter = nanoseconds] { return TimePoint(std::chrono::nanoseconds(counter->load())); };
    }
};

EsiAnswerInfo bucketAnswer(int status, const QByteArray& limit, std::optional<int> remaining, std::optional<int> used)
{
    EsiAnswerInfo info;
    info.status = status;
    info.group = "killmail";
    info.limit = limit;
    info.remaining = remaining ? QByteArray::number(*remaining) : QByteArray();
    info.used = used ? QByteArray::number(*used) : QByteArray();
    return info;
}

const QString killmailPath = QStringLiteral("/killmails/1/abc");

/// A floating-window bucket as the server keeps it, for simulations.
struct SimulatedBucket {
    int tokens;
    std::chrono::milliseconds window;
    std::deque<std::pair<TimePoint, int>> spent;

    int spentAt(TimePoint now)
    {
        while (!spent.empty() && spent.front().first + window <= now) {
            spent.pop_front();
        }
        int total = 0;
        for (const auto& entry : spent) {
            total += entry.second;
        }
        return total;
    }
    /// The answer's status (200, or 429 when it does not fit) and the Remaining after it.
    std::pair<int, int> charge(TimePoint now)
    {
        const int total = spentAt(now);
        if (total + 2 > tokens) {
            return {429, tokens - total};
        }
        spent.emplace_back(now, 2);
        return {200, tokens - total - 2};
    }
};

} // namespace

class TestEsi : public QObject {
    Q_OBJECT

private:
    test::EsiFixture m_killmail = test::esiFixture(10622653);

private Q_SLOTS:
    // --- The client against the fake, over loopback ---

    void fetchesARealKillmail()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        EsiClient& client = served.client;
        const std::shared_ptr<EsiRateLimits>& limits = served.limits;
        auto body = [&]() -> QCoro::Task<> {
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
            KM_CO_COMPARE(fetch.body, m_killmail.body);
            KM_CO_VERIFY(fetch.error.isEmpty());

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
            KM_CO_COMPARE(legacy.status, 200);
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
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("BadHash"));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("Invalid killmail_id and/or killmail_hash")),
                          qPrintable(fetch.error));
            KM_CO_COMPARE(fake.requestCount(), 1);

            fetch = co_await client.fetchKillmail(12345, wrongHash); // unknown id: 422 as well
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("BadHash"));
            KM_CO_COMPARE(fake.requestCount(), 2);

            fake.script(QStringLiteral("/killmails/"), answer(404, R"({"error":"Not found"})"));
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("BadHash"));
            KM_CO_COMPARE(fake.requestCount(), 3);

            fetch = co_await client.fetchKillmail(m_killmail.killmailId, QStringLiteral("../../characters/1"));
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("BadHash"));
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
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.error.contains(QString::number(status)), qPrintable(fetch.error));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("/killmails/")), qPrintable(fetch.error));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("The upstream is down")), qPrintable(fetch.error));
            KM_CO_VERIFY(fetch.retryAfter == 7s);
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
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.error.contains(QStringLiteral("GET /killmails/%1/").arg(m_killmail.killmailId)),
                          qPrintable(fetch.error));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("timeout")), qPrintable(fetch.error));
            KM_CO_VERIFY2(msSince(timer) >= 290 && msSince(timer) < 3000, qPrintable(QString::number(msSince(timer))));
            KM_CO_COMPARE(limits->counters().timeouts, qint64(1));
            // The client carries on.
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
        };
        KM_CO_RUN(body());
    }

    void waitsOutA429AndRetries()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        fake.script(
            QStringLiteral("/killmails/"),
            answer(429, R"({"error":"Too many requests"})", {{"Retry-After", "1"}, {"X-Ratelimit-Group", "killmail"}}));
        EsiClient& client = served.client;
        const std::shared_ptr<EsiRateLimits>& limits = served.limits;
        auto body = [&]() -> QCoro::Task<> {
            QElapsedTimer timer;
            timer.start();
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
            KM_CO_VERIFY2(msSince(timer) >= 1000, qPrintable(QString::number(msSince(timer))));
            KM_CO_COMPARE(fake.requestsTo(QStringLiteral("/killmails/")), 2);
            const EsiCounters counters = limits->counters();
            KM_CO_COMPARE(counters.byStatus.value(429), qint64(1));
            KM_CO_VERIFY(counters.waited >= 900ms);
        };
        KM_CO_RUN(body());
    }

    void givesUpOn429AfterTheRetries()
    {
        FakeEsi fake;
        fake.addKillmail(m_killmail.killmailId, m_killmail.hash, m_killmail.body);
        for (int i = 0; i < 3; ++i) {
            fake.script(QStringLiteral("/killmails/"), answer(429, {}, {{"Retry-After", "0"}}));
        }
        EsiSettings settings = settingsFor(fake);
        settings.max429Retries = 1;
        EsiClient client(settings, std::make_shared<EsiRateLimits>(settings));
        auto body = [&]() -> QCoro::Task<> {
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("429")), qPrintable(fetch.error));
            KM_CO_VERIFY(fetch.retryAfter == 0s);
            KM_CO_COMPARE(fake.requestCount(), 2);
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
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("truncated")), qPrintable(fetch.error));
            KM_CO_VERIFY2(fetch.error.contains(prefix), qPrintable(fetch.error));
            KM_CO_COMPARE(fake.requestCount(), 1);
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));

            for (const QByteArray& bad : {m_killmail.body.left(m_killmail.body.size() / 2),
                                          QByteArray("{\"killmail_id\": 1,"), QByteArray("<html>Bad gateway</html>")}) {
                fake.script(prefix, answer(200, bad));
                fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
                KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
                KM_CO_VERIFY2(fetch.error.contains(QLatin1String("truncated or malformed")), qPrintable(fetch.error));
            }
            fake.script(prefix, answer(200, {}));
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.error.contains(QLatin1String("empty body")), qPrintable(fetch.error));
            fake.script(prefix, answer(200, "[1, 2]"));
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
        };
        KM_CO_RUN(body());
    }

    void error420BlocksEveryRequest()
    {
        ServedKillmail served(m_killmail);
        FakeEsi& fake = served.fake;
        fake.script(QStringLiteral("/characters/"),
                    answer(420, R"({"error":"This software has exceeded the error limit for ESI."})",
                           {{"X-ESI-Error-Limit-Remain", "0"}, {"X-ESI-Error-Limit-Reset", "1"}}));
        EsiClient& client = served.client;
        auto body = [&]() -> QCoro::Task<> {
            QElapsedTimer timer;
            timer.start();
            const EsiJson character = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(!character.ok);
            KM_CO_VERIFY(character.transient);
            KM_CO_VERIFY(character.retryAfter == 1s);
            KM_CO_VERIFY2(character.error.contains(QLatin1String("420")), qPrintable(character.error));
            // Another route, another group: it waits for the reset all the same.
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
            KM_CO_VERIFY2(msSince(timer) >= 1000, qPrintable(QString::number(msSince(timer))));
            KM_CO_COMPARE(fake.errorLimitedSent(), 1);
            KM_CO_COMPARE(fake.requestCount(), 2);
        };
        KM_CO_RUN(body());
    }

    void errorLimitAtTheReserveWaitsForTheReset()
    {
        FakeEsi fake;
        fake.script(QStringLiteral("/characters/"),
                    answer(200, R"({"name":"Character 90000001"})",
                           {{"X-ESI-Error-Limit-Remain", "10"}, {"X-ESI-Error-Limit-Reset", "1"}}));
        const EsiSettings settings = settingsFor(fake);
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            QElapsedTimer timer;
            timer.start();
            EsiJson character = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(character.ok);
            KM_CO_COMPARE(limits->counters().errorLimitRemain, 10);
            KM_CO_VERIFY(msSince(timer) < 900);
            character = co_await client.getJson(QStringLiteral("/corporations/98000001"));
            KM_CO_VERIFY(character.ok);
            KM_CO_VERIFY2(msSince(timer) >= 1000, qPrintable(QString::number(msSince(timer))));
            KM_CO_VERIFY(limits->counters().waited >= 900ms);
        };
        KM_CO_RUN(body());
    }

    void enforcedErrorLimitIsNeverReached()
    {
        // Every answer an error: the client stops at the reserve instead of provoking a 420.
        FakeEsi fake;
        fake.enforceErrorLimit(14, 1s);
        fake.setUnknownIds({90000001});
        const EsiSettings settings = settingsFor(fake);
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            QElapsedTimer timer;
            timer.start();
            int failures = 0;
            auto worker = [&]() -> QCoro::Task<> {
                for (int i = 0; i < 2; ++i) {
                    const EsiJson character = co_await client.getJson(QStringLiteral("/characters/90000001"));
                    failures += !character.ok && !character.transient ? 1 : 0;
                }
            };
            std::vector<QCoro::Task<>> workers;
            for (int i = 0; i < 4; ++i) {
                workers.push_back(worker());
            }
            for (auto& task : workers) {
                co_await task;
            }
            KM_CO_COMPARE(failures, 8);
            KM_CO_COMPARE(fake.errorLimitedSent(), 0);
            KM_CO_VERIFY2(msSince(timer) >= 1000, qPrintable(QString::number(msSince(timer))));
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
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
            KM_CO_COMPARE(fetch.body, m_killmail.body);
            const EsiJson prices = co_await client.getJson(QStringLiteral("/markets/prices"));
            KM_CO_VERIFY(prices.ok);
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
            KM_CO_COMPARE(first.status, 200);
            const EsiReply second = co_await client.get(path);
            KM_CO_COMPARE(second.status, 200);
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
            KM_CO_VERIFY(corporation.ok);
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
            KM_CO_VERIFY(json.ok);
            KM_CO_COMPARE(json.json.object().value(QLatin1String("name")).toString(),
                          QStringLiteral("Character 90000001"));
            KM_CO_VERIFY(json.json.object().value(QLatin1String("corporation_id")).toInteger() > 0);
            json = co_await client.getJson(QStringLiteral("/alliances/99000001"));
            KM_CO_COMPARE(json.json.object().value(QLatin1String("name")).toString(),
                          QStringLiteral("Alliance 99000001"));
            json = co_await client.getJson(QStringLiteral("/universe/types/587"));
            KM_CO_COMPARE(json.json.object().value(QLatin1String("type_id")).toInt(), 587);
            json = co_await client.getJson(QStringLiteral("/markets/prices"));
            KM_CO_VERIFY(json.ok);
            KM_CO_VERIFY(json.json.isArray() && json.json.array().size() > 0);
            KM_CO_VERIFY(limits->groupOf(QStringLiteral("/characters/1")).isEmpty());
            KM_CO_COMPARE(limits->counters().errorLimitRemain, 100);

            json = co_await client.getJson(QStringLiteral("/characters/90000666"));
            KM_CO_VERIFY(!json.ok);
            KM_CO_VERIFY(!json.transient); // a plain 404 is permanent
            KM_CO_VERIFY2(json.error.contains(QLatin1String("/characters/90000666")), qPrintable(json.error));
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
            KM_CO_VERIFY2(names.ok, qPrintable(names.error));
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
            KM_CO_VERIFY2(names.ok, qPrintable(names.error));
            KM_CO_COMPARE(names.json.array().size(), 2500);
            KM_CO_COMPARE(fake.requestCount(), 3);

            names = co_await client.names({});
            KM_CO_VERIFY(names.ok && names.json.array().isEmpty());
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
            KM_CO_VERIFY2(affiliations.ok, qPrintable(affiliations.error));
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
                KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
            }
            KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY(fetch.retryAfter == 0s); // a date in the past
            EsiJson json = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(!json.ok && json.transient);
            json = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(!json.ok);
            fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Ok"));
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
            KM_CO_COMPARE(name(fetch.outcome), QStringLiteral("Transient"));
            KM_CO_VERIFY(fetch.retryAfter == 900s);
            const auto wait = capped->reserve(killmailPath).wait;
            KM_CO_VERIFY2(wait > 890s && wait <= 900s, qPrintable(QString::number(wait.count())));
        };
        KM_CO_RUN(tooMany());
    }

    void enforcedBucketIsNeverOverrun()
    {
        // 60 fetches from 10 coroutines at once against a bucket of 40 tokens per 2 s: they must wait, never
        // hit the wall.
        FakeEsi fake;
        fake.enforceBucket(40, 2s);
        const QString hash(40, QLatin1Char('f'));
        for (qint64 id = 1; id <= 60; ++id) {
            fake.addKillmail(id, hash, m_killmail.body);
        }
        const EsiSettings settings = settingsFor(fake);
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            QElapsedTimer timer;
            timer.start();
            int ok = 0;
            auto worker = [&](qint64 first) -> QCoro::Task<> {
                for (qint64 id = first; id < first + 6; ++id) {
                    const KillmailFetch fetch = co_await client.fetchKillmail(id, hash);
                    ok += fetch.outcome == Outcome::Ok ? 1 : 0;
                    if (fetch.outcome != Outcome::Ok) {
                        qWarning() << fetch.error;
                    }
                }
            };
            std::vector<QCoro::Task<>> workers;
            for (qint64 first = 1; first <= 60; first += 6) {
                workers.push_back(worker(first));
            }
            for (auto& task : workers) {
                co_await task;
            }
            KM_CO_COMPARE(ok, 60);
            KM_CO_COMPARE(fake.tooManyRequestsSent(), 0);
            KM_CO_COMPARE(fake.errorLimitedSent(), 0);
            KM_CO_COMPARE(fake.requestsTo(QStringLiteral("/killmails/")), 60);
            // 120 tokens at 40 per 2 s: at least two windows after the first burst.
            KM_CO_VERIFY2(msSince(timer) >= 4000, qPrintable(QString::number(msSince(timer))));
            qInfo("60 fetches in %lld ms", msSince(timer));
        };
        KM_CO_RUN(body());
    }

    void clientsInSeveralThreadsShareTheLimits()
    {
        // One client per thread, one limiter for the process: together they stay inside the bucket.
        test::FakeEsiThread server;
        server.fake().enforceBucket(40, 1s);
        const QString hash(40, QLatin1Char('e'));
        for (qint64 id = 1; id <= 30; ++id) {
            server.fake().addKillmail(id, hash, m_killmail.body);
        }
        const EsiSettings settings = settingsFor(server.fake());
        auto limits = std::make_shared<EsiRateLimits>(settings);
        std::atomic<int> ok = 0;
        std::vector<std::unique_ptr<QThread>> threads;
        for (qint64 first = 1; first <= 30; first += 10) {
            threads.emplace_back(QThread::create([&, first] {
                EsiClient client(settings, limits);
                QEventLoop loop;
                auto fetchAll = [&]() -> QCoro::Task<> {
                    for (qint64 id = first; id < first + 10; ++id) {
                        const KillmailFetch fetch = co_await client.fetchKillmail(id, hash);
                        ok += fetch.outcome == Outcome::Ok ? 1 : 0;
                    }
                    loop.quit();
                };
                const QCoro::Task<> task = fetchAll();
                if (!task.isReady()) {
                    loop.exec();
                }
            }));
            threads.back()->start();
        }
        for (auto& thread : threads) {
            QVERIFY(thread->wait(30000));
        }
        QCOMPARE(ok.load(), 30);
        QCOMPARE(server.fake().tooManyRequestsSent(), 0);
        QCOMPARE(server.fake().requestCount(), 30);
        QCOMPARE(limits->counters().byStatus.value(200), qint64(30));
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

    // --- The limiter alone, on a clock moved by hand ---

    void parsesLimitsAndRoutes()
    {
        using Limit = std::optional<std::pair<int, std::chrono::milliseconds>>;
        QCOMPARE(EsiRateLimits::parseLimit("3600/15m"), Limit(std::pair{3600, std::chrono::milliseconds(15min)}));
        QCOMPARE(EsiRateLimits::parseLimit(" 60/3s "), Limit(std::pair{60, std::chrono::milliseconds(3s)}));
        QCOMPARE(EsiRateLimits::parseLimit("10/1h"), Limit(std::pair{10, std::chrono::milliseconds(1h)}));
        for (const char* garbage : {"abc/15m", "10/xyz", "10/", "/15m", "0/15m", "10/0m", "-5/15m", "10/15", "",
                                    "10/15mm", "99999999999/1s", "10/-1m", "10//15m"}) {
            QVERIFY2(!EsiRateLimits::parseLimit(garbage), garbage);
        }
        QCOMPARE(EsiRateLimits::parseRetryAfter("5"), std::optional(5s));
        QCOMPARE(EsiRateLimits::parseRetryAfter("99999999999999"), std::optional(900s));
        QVERIFY(!EsiRateLimits::parseRetryAfter("-1"));
        QVERIFY(!EsiRateLimits::parseRetryAfter("soon"));
        QVERIFY(!EsiRateLimits::parseRetryAfter(""));

        QCOMPARE(EsiRateLimits::routeKey(QStringLiteral("/killmails/1/abc")), QStringLiteral("/killmails/"));
        QCOMPARE(EsiRateLimits::routeKey(QStringLiteral("/latest/killmails/1/abc/")), QStringLiteral("/killmails/"));
        QCOMPARE(EsiRateLimits::routeKey(QStringLiteral("/characters/90000001")), QStringLiteral("/characters/"));
        QCOMPARE(EsiRateLimits::routeKey(QStringLiteral("/characters/affiliation")),
                 QStringLiteral("/characters/affiliation/"));
        QCOMPARE(EsiRateLimits::routeKey(QStringLiteral("/universe/types/587")), QStringLiteral("/universe/types/"));
        QCOMPARE(EsiRateLimits::routeKey(QStringLiteral("/markets/prices?page=2")), QStringLiteral("/markets/prices/"));

        QCOMPARE(EsiRateLimits::costOf(200), 2);
        QCOMPARE(EsiRateLimits::costOf(304), 1);
        QCOMPARE(EsiRateLimits::costOf(422), 5);
        QCOMPARE(EsiRateLimits::costOf(503), 0);
    }

    void learnsTheGroupFromTheFirstAnswer()
    {
        ManualClock clock;
        EsiRateLimits limits({}, clock.function());
        const auto probe = limits.reserve(killmailPath);
        QVERIFY(probe.admitted());
        QVERIFY(probe.probe);
        QCOMPARE(probe.booked, 0);
        // Until the first answer tells the group, the route goes one request at a time.
        const auto second = limits.reserve(QStringLiteral("/killmails/2/def"));
        QVERIFY(!second.admitted());
        QVERIFY(limits.reserve(QStringLiteral("/characters/1")).admitted()); // another route is not held up
        limits.settle(probe, bucketAnswer(200, "3600/15m", 3598, 2));
        QCOMPARE(limits.groupOf(QStringLiteral("/killmails/2/def")), QStringLiteral("killmail"));
        const auto third = limits.reserve(QStringLiteral("/killmails/2/def"));
        QVERIFY(third.admitted());
        QCOMPARE(third.group, QStringLiteral("killmail"));
        QCOMPARE(third.booked, EsiRateLimits::worstCaseCost);
    }

    void tokensReturnExactlyOneWindowLater()
    {
        ManualClock clock;
        EsiSettings settings;
        settings.bucketReserveFraction = 0;
        EsiRateLimits limits(settings, clock.function());
        const auto probe = limits.reserve(killmailPath);
        limits.settle(probe, bucketAnswer(200, "10/1m", 8, 2));
        clock.advance(10s);
        const auto second = limits.reserve(killmailPath);
        QVERIFY(second.admitted());
        limits.settle(second, bucketAnswer(200, "10/1m", 6, 2));
        clock.advance(10s);
        const auto third = limits.reserve(killmailPath);
        QVERIFY(third.admitted());
        limits.settle(third, bucketAnswer(200, "10/1m", 4, 2));
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 4);
        // 4 left, 5 needed: the probe's 2 tokens come back 60 s after it, 40 s from now.
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(40s));
        clock.advance(40s - 1ms);
        QCOMPARE(limits.reserve(killmailPath).wait, 1ms);
        clock.advance(1ms);
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 6);
        const auto fourth = limits.reserve(killmailPath);
        QVERIFY(fourth.admitted());
        // An error costs 5: what the ledger books is the real cost, not the booking.
        limits.settle(fourth, bucketAnswer(422, "10/1m", std::nullopt, std::nullopt));
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 1);
        clock.advance(10s);
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 3);
        clock.advance(10s);
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 5);
        clock.advance(40s);
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 10);
    }

    void reservationsNeverOverspend()
    {
        ManualClock clock;
        EsiSettings settings;
        settings.bucketReserveFraction = 0;
        EsiRateLimits limits(settings, clock.function());
        limits.settle(limits.reserve(killmailPath), bucketAnswer(200, "20/1m", 18, 2));
        // Callers in flight at once: each holds the worst case until its answer.
        QList<EsiRateLimits::Reservation> inFlight;
        for (int i = 0; i < 10; ++i) {
            const auto reservation = limits.reserve(killmailPath);
            if (reservation.admitted()) {
                inFlight.append(reservation);
            }
        }
        QCOMPARE(inFlight.size(), 3); // 18 tokens, 5 each
        limits.settle(inFlight.takeFirst(), bucketAnswer(200, "20/1m", 16, 2));
        QVERIFY(limits.reserve(killmailPath).admitted()); // 18 - 2 - 2 x 5 = 6 left for one more
        QVERIFY(!limits.reserve(killmailPath).admitted());
    }

    void concurrentThreadsNeverOverspend()
    {
        // Eight threads share one limiter in front of a server that enforces the bucket exactly.
        ManualClock clock;
        EsiRateLimits limits({}, clock.function());
        QMutex serverMutex;
        SimulatedBucket server{50, 2s, {}};
        std::atomic<int> successes = 0;
        std::atomic<int> rejected = 0;
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 3000; ++i) {
                    const auto reservation = limits.reserve(killmailPath);
                    if (!reservation.admitted()) {
                        clock.advance(std::min<std::chrono::nanoseconds>(reservation.wait, 5ms));
                        continue;
                    }
                    std::pair<int, int> answer;
                    {
                        QMutexLocker lock(&serverMutex);
                        answer = server.charge(clock.now());
                    }
                    clock.advance(1ms);
                    limits.settle(reservation,
                                  bucketAnswer(answer.first, "50/2s", answer.second, answer.first == 200 ? 2 : 0));
                    (answer.first == 200 ? successes : rejected)++;
                }
            });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        QCOMPARE(rejected.load(), 0);
        QVERIFY(successes.load() > 100);
    }

    void sustainsTheBucketRate()
    {
        // Eight workers with 300 ms round trips against ESI's 3600 tokens per 15 minutes, for 12 windows: after
        // the first window, at least 95% of the 1,800 requests a window allows, and not one 429.
        ManualClock clock;
        EsiRateLimits limits({}, clock.function());
        SimulatedBucket server{3600, 15min, {}};
        struct Worker {
            TimePoint readyAt;
            std::optional<EsiRateLimits::Reservation> inFlight;
            std::pair<int, int> answer;
            TimePoint answerAt;
        };
        std::vector<Worker> workers(8, Worker{clock.now(), std::nullopt, {}, {}});
        const TimePoint start = clock.now();
        const TimePoint end = start + 12 * 15min;
        int rejected = 0;
        int laterSuccesses = 0;
        while (clock.now() < end) {
            Worker* next = &workers.front();
            for (Worker& worker : workers) {
                const TimePoint at = worker.inFlight ? worker.answerAt : worker.readyAt;
                if (at < (next->inFlight ? next->answerAt : next->readyAt)) {
                    next = &worker;
                }
            }
            const TimePoint at = next->inFlight ? next->answerAt : next->readyAt;
            clock.advance(at - clock.now());
            if (next->inFlight) {
                limits.settle(*next->inFlight,
                              bucketAnswer(next->answer.first, "3600/15m", next->answer.second,
                                           next->answer.first == 200 ? 2 : 0));
                rejected += next->answer.first == 429 ? 1 : 0;
                laterSuccesses += next->answer.first == 200 && clock.now() >= start + 15min ? 1 : 0;
                next->inFlight.reset();
                next->readyAt = clock.now();
                continue;
            }
            const auto reservation = limits.reserve(killmailPath);
            if (!reservation.admitted()) {
                next->readyAt = clock.now() + reservation.wait;
                continue;
            }
            next->inFlight = reservation;
            next->answer = server.charge(clock.now() + 150ms); // charged on arrival, half way
            next->answerAt = clock.now() + 300ms;
        }
        QCOMPARE(rejected, 0);
        const int allowed = 11 * 1800;
        QVERIFY2(laterSuccesses >= allowed * 95 / 100,
                 qPrintable(QStringLiteral("%1 of %2 (%3%)")
                                .arg(laterSuccesses)
                                .arg(allowed)
                                .arg(100.0 * laterSuccesses / allowed, 0, 'f', 1)));
        qInfo("sustained %.1f%% of the bucket's rate", 100.0 * laterSuccesses / allowed);
    }

    void spreadsRequestsNearTheBottom()
    {
        ManualClock clock;
        EsiSettings settings;
        settings.bucketReserveFraction = 0.1; // 10 of 100 tokens
        EsiRateLimits limits(settings, clock.function());
        int remaining = 98;
        limits.settle(limits.reserve(killmailPath), bucketAnswer(200, "100/100s", remaining, 2));
        int burst = 0;
        for (;;) {
            const auto reservation = limits.reserve(killmailPath);
            if (!reservation.admitted()) {
                // Spread at the sustained rate: 2 tokens per 100 s / 100 tokens = one request per 2 s.
                QCOMPARE(reservation.wait, std::chrono::milliseconds(2s));
                break;
            }
            remaining -= 2;
            limits.settle(reservation, bucketAnswer(200, "100/100s", remaining, 2));
            ++burst;
        }
        QCOMPARE(remaining, 14); // the burst stops where the next booking would dip into the reserve
        QCOMPARE(burst, 42);
        clock.advance(2s);
        const auto paced = limits.reserve(killmailPath);
        QVERIFY(paced.admitted());
        remaining -= 2;
        limits.settle(paced, bucketAnswer(200, "100/100s", remaining, 2));
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(2s));
    }

    void serverRemainingWinsWhenLower()
    {
        ManualClock clock;
        EsiRateLimits limits({}, clock.function());
        // Another process on this IP spent most of the bucket: the server says 3 left, our ledger 98.
        limits.settle(limits.reserve(killmailPath), bucketAnswer(200, "100/1m", 3, 2));
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 3);
        // Those tokens were spent at the latest now: they are all back one window later.
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(1min));
        clock.advance(1min);
        QCOMPARE(limits.tokensLeft(QStringLiteral("killmail")), 100);
        QVERIFY(limits.reserve(killmailPath).admitted());
    }

    void errorLimitAnd420AndRetryAfter()
    {
        ManualClock clock;
        EsiRateLimits limits({}, clock.function());
        const QString character = QStringLiteral("/characters/90000001");
        EsiAnswerInfo ok{200, false, {}, {}, {}, {}, "11", "30", {}};
        limits.settle(limits.reserve(character), ok);
        QVERIFY(limits.reserve(character).admitted()); // 11 > the reserve of 10
        EsiAnswerInfo low{404, false, {}, {}, {}, {}, "10", "30", {}};
        limits.settle({}, low);
        // At the reserve every route waits for the reset, bucket routes too.
        QCOMPARE(limits.reserve(character).wait, std::chrono::milliseconds(30s));
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(30s));
        clock.advance(30s);
        QVERIFY(limits.reserve(killmailPath).admitted());
        QCOMPARE(limits.counters().errorLimitRemain, -1);

        limits.settle({}, EsiAnswerInfo{420, false, {}, {}, {}, {}, "0", "7", {}});
        QCOMPARE(limits.reserve(character).wait, std::chrono::milliseconds(7s));
        clock.advance(7s);
        limits.settle({}, EsiAnswerInfo{420, false, {}, {}, {}, {}, {}, {}, {}});
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(60s));
        clock.advance(60s);
        limits.settle({}, EsiAnswerInfo{420, false, {}, {}, {}, {}, {}, {}, "12"});
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(12s));
        clock.advance(12s);

        // A 429 holds back its own group only.
        EsiAnswerInfo tooMany = bucketAnswer(429, "3600/15m", std::nullopt, 0);
        tooMany.retryAfter = "3";
        EsiRateLimits::Reservation probe;
        probe.route = QStringLiteral("/killmails/");
        limits.settle(probe, tooMany);
        QCOMPARE(limits.reserve(killmailPath).wait, std::chrono::milliseconds(3s));
        QVERIFY(limits.reserve(character).admitted());
        clock.advance(3s);
        QVERIFY(limits.reserve(killmailPath).admitted());
    }

    // --- FakeEsi itself ---

    void fakeSurvivesRudeClients()
    {
        test::FakeEsiThread server; // its own thread, so that this one may block on sockets
        const QByteArray agent =
            "User-Agent: tests/1.0 (tests@example.org)\r\n"; // the fakes refuse a request without one
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
            socket.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + agent + "\r\nGET " + path
                         + " HTTP/1.1\r\nHost: x\r\n" + agent + "Connection: close\r\n\r\n");
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
        socket.write("GET /characters/90000001 HTTP/1.1\r\nHost: x\r\n" + agent + "\r\n");
        const QByteArray reply = readAnswer(socket, 1);
        QVERIFY(reply.startsWith("HTTP/1.1 200 OK"));
        QVERIFY(reply.contains("X-ESI-Error-Limit-Remain: "));
        QVERIFY(server.fake().requestCount() >= 3);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    TestEsi suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_esi.moc"
