// The ESI client against the limits FakeEsi enforces (its bucket and 429, its error limit and 420),
// over loopback; spacing measured from the times the fake recorded the requests.
#include "CoroTest.h"
#include "EsiTestSupport.h"
#include <QEventLoop>
#include <QThread>

#include <QCoreApplication>
#include <QTest>

using namespace km;
using namespace km::test::esi;
using namespace std::chrono_literals;
using km::test::FakeEsi;
using Outcome = KillmailFetch::Outcome;

class TestEsiLimits : public QObject {
    Q_OBJECT

private:
    test::EsiFixture m_killmail = test::esiFixture(10622653);

private Q_SLOTS:
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
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
            const QList<FakeEsi::Request> requests = fake.requests();
            KM_CO_COMPARE(requests.size(), 2);
            KM_CO_VERIFY2(gap(requests[0], requests[1]) >= 1s - timerSlack,
                          qPrintable(QString::number(gap(requests[0], requests[1]).count())));
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
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Transient"));
            KM_CO_VERIFY2(fetch.status.message.contains(QLatin1String("429")), qPrintable(fetch.status.message));
            KM_CO_VERIFY(fetch.status.retryAfter == 0s);
            KM_CO_COMPARE(fake.requestCount(), 2);
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
            const EsiJson character = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(!character.status.good());
            KM_CO_VERIFY(character.status.transient());
            KM_CO_VERIFY(character.status.retryAfter == 1s);
            KM_CO_VERIFY2(character.status.message.contains(QLatin1String("420")),
                          qPrintable(character.status.message));
            // Another route, another group: it waits for the reset all the same.
            const KillmailFetch fetch = co_await client.fetchKillmail(m_killmail.killmailId, m_killmail.hash);
            KM_CO_COMPARE(name(fetch.outcome()), QStringLiteral("Ok"));
            KM_CO_COMPARE(fake.errorLimitedSent(), 1);
            const QList<FakeEsi::Request> requests = fake.requests();
            KM_CO_COMPARE(requests.size(), 2);
            KM_CO_VERIFY2(gap(requests[0], requests[1]) >= 1s - timerSlack,
                          qPrintable(QString::number(gap(requests[0], requests[1]).count())));
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
            EsiJson character = co_await client.getJson(QStringLiteral("/characters/90000001"));
            KM_CO_VERIFY(character.status.good());
            KM_CO_COMPARE(limits->counters().errorLimitRemain, 10);
            character = co_await client.getJson(QStringLiteral("/corporations/98000001"));
            KM_CO_VERIFY(character.status.good());
            const QList<FakeEsi::Request> requests = fake.requests();
            KM_CO_COMPARE(requests.size(), 2);
            KM_CO_VERIFY2(gap(requests[0], requests[1]) >= 1s - timerSlack,
                          qPrintable(QString::number(gap(requests[0], requests[1]).count())));
            KM_CO_VERIFY(limits->counters().waited > 0ms);
        };
        KM_CO_RUN(body());
    }

    void enforcedErrorLimitIsNeverReached()
    {
        // Every answer an error: the client stops at the reserve instead of provoking a 420.
        FakeEsi fake;
        const auto windowStart = std::chrono::steady_clock::now(); // the window starts a little after
        fake.enforceErrorLimit(14, 1s);
        fake.setUnknownIds({90000001});
        const EsiSettings settings = settingsFor(fake);
        auto limits = std::make_shared<EsiRateLimits>(settings);
        EsiClient client(settings, limits);
        auto body = [&]() -> QCoro::Task<> {
            int failures = 0;
            auto worker = [&]() -> QCoro::Task<> {
                for (int i = 0; i < 2; ++i) {
                    const EsiJson character = co_await client.getJson(QStringLiteral("/characters/90000001"));
                    failures += !character.status.good() && !character.status.transient() ? 1 : 0;
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
            // 4 errors take the limit down to the reserve (10); the rest wait for the next window.
            const QList<FakeEsi::Request> requests = fake.requests();
            KM_CO_COMPARE(requests.size(), 8);
            const auto fifth = requests[4].receivedAt - windowStart;
            KM_CO_VERIFY2(fifth >= 1s, qPrintable(QString::number(fifth / 1ms)));
        };
        KM_CO_RUN(body());
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
            int ok = 0;
            auto worker = [&](qint64 first) -> QCoro::Task<> {
                for (qint64 id = first; id < first + 6; ++id) {
                    const KillmailFetch fetch = co_await client.fetchKillmail(id, hash);
                    ok += fetch.outcome() == Outcome::Ok ? 1 : 0;
                    if (fetch.outcome() != Outcome::Ok) {
                        qWarning() << fetch.status.message;
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
            const QList<FakeEsi::Request> requests = fake.requests();
            const auto spread = gap(requests.constFirst(), requests.constLast());
            KM_CO_VERIFY2(spread >= 4s - timerSlack, qPrintable(QString::number(spread.count())));
            qInfo("60 fetches in %lld ms", qint64(spread.count()));
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
                        ok += fetch.outcome() == Outcome::Ok ? 1 : 0;
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
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    TestEsiLimits suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_esi_limits.moc"
