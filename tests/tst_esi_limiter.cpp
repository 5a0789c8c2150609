// EsiRateLimits alone, on a clock moved by hand: the bucket ledger, pacing, the error limit, 420 and 429.
#include "CoroTest.h"
#include "EsiTestSupport.h"
#include <QMutex>

#include <thread>

#include <QCoreApplication>
#include <QTest>

using namespace km;
using namespace km::test::esi;
using namespace std::chrono_literals;
using km::test::FakeEsi;

class TestEsiLimiter : public QObject {
    Q_OBJECT

private:
    test::EsiFixture m_killmail = test::esiFixture(10622653);

private Q_SLOTS:
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
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    TestEsiLimiter suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_esi_limiter.moc"
