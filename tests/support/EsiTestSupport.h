#pragma once

// What the ESI suites (tst_esi_*) share: a client of a FakeEsi, scripted answers, a clock moved by hand, a
// simulated bucket, and the spacing of requests as the fake recorded them.
#include "FakeEsi.h"
#include "Fixtures.h"
#include "esi/EsiClient.h"
#include "esi/EsiRateLimits.h"

#include <QList>
#include <QString>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>

namespace km::test::esi {

using namespace std::chrono_literals;
using TimePoint = EsiRateLimits::TimePoint;

inline QString name(KillmailFetch::Outcome outcome)
{
    switch (outcome) {
    case KillmailFetch::Outcome::Ok: return QStringLiteral("Ok");
    case KillmailFetch::Outcome::BadHash: return QStringLiteral("BadHash");
    case KillmailFetch::Outcome::Transient: return QStringLiteral("Transient");
    case KillmailFetch::Outcome::Failed: return QStringLiteral("Failed");
    }
    return {};
}

inline EsiSettings settingsFor(const FakeEsi& fake)
{
    EsiSettings settings;
    settings.baseUrl = fake.url();
    settings.contact = QStringLiteral("ops@example.org");
    settings.timeout = 5s;
    return settings;
}

/// A fake ESI serving one killmail, and a client of it with limits of its own.
struct ServedKillmail {
    explicit ServedKillmail(const EsiFixture& killmail)
    {
        fake.addKillmail(killmail.killmailId, killmail.hash, killmail.body);
    }

    FakeEsi fake;
    EsiSettings settings = settingsFor(fake);
    std::shared_ptr<EsiRateLimits> limits = std::make_shared<EsiRateLimits>(settings);
    EsiClient client{settings, limits};
};

inline FakeEsi::Scripted answer(int status, QByteArray body = {}, FakeEsi::Headers headers = {},
                                FakeEsi::Scripted::Mode mode = FakeEsi::Scripted::Normal)
{
    return {status, std::move(body), std::move(headers), mode};
}

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

inline EsiAnswerInfo bucketAnswer(int status, const QByteArray& limit, std::optional<int> remaining,
                                  std::optional<int> used)
{
    EsiAnswerInfo info;
    info.status = status;
    info.group = "killmail";
    info.limit = limit;
    info.remaining = remaining ? QByteArray::number(*remaining) : QByteArray();
    info.used = used ? QByteArray::number(*used) : QByteArray();
    return info;
}

inline const QString killmailPath = QStringLiteral("/killmails/1/abc");

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

/// The time from `earlier` to `later` reaching the fake, as it recorded them.
inline std::chrono::milliseconds gap(const FakeEsi::Request& earlier, const FakeEsi::Request& later)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(later.receivedAt - earlier.receivedAt);
}

/// The shortest time between two requests of `requests` (oldest first) that `counts` selects, from the first
/// selected onwards; max() when fewer than two are selected.
template <typename Selector>
std::chrono::milliseconds shortestGap(const QList<FakeEsi::Request>& requests, Selector counts)
{
    std::chrono::milliseconds shortest = std::chrono::milliseconds::max();
    const FakeEsi::Request* previous = nullptr;
    for (const FakeEsi::Request& request : requests) {
        if (!counts(request)) {
            continue;
        }
        if (previous) {
            shortest = std::min(shortest, gap(*previous, request));
        }
        previous = &request;
    }
    return shortest;
}

/// A clock granularity's margin for lower bounds on waits measured from the fake's timestamps.
constexpr std::chrono::milliseconds timerSlack{10};

} // namespace km::test::esi
