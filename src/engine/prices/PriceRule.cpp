#include "prices/PriceRule.h"

#include "prices/PriceMoment.h"
#include "util/UtcTime.h"
#include "valuation/Valuation.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace km {
namespace {

constexpr UnixTime zkillboardCacheDelay = 3601;
constexpr int dropWhenFull = 2;
constexpr int keepAllUpTo = 6;

} // namespace

std::optional<double> PriceRule::price(std::span<const DailyAverage> history, QDate day)
{
    const auto after = std::upper_bound(history.begin(), history.end(), day,
                                        [](QDate date, const DailyAverage& entry) { return date < entry.date; });
    std::vector<double> values;
    values.reserve(maxValues);
    std::optional<double> dayAverage;
    for (auto it = after; it != history.begin() && int(values.size()) < maxValues;) {
        --it;
        if (it->average == 0) {
            continue;
        }
        if (it->date == day) {
            dayAverage = it->average;
        }
        values.push_back(it->average);
    }
    if (values.empty()) {
        return std::nullopt;
    }
    std::sort(values.begin(), values.end());
    auto first = values.begin();
    auto last = values.end();
    if (values.size() == std::size_t(maxValues)) {
        first += dropWhenFull;
        last -= dropWhenFull;
    } else if (values.size() > std::size_t(keepAllUpTo)) {
        last -= dropWhenFull;
    }
    const double average = Valuator::roundToCents(std::accumulate(first, last, 0.0) / double(last - first));
    if (dayAverage && *dayAverage > 0 && *dayAverage < average) {
        return dayAverage;
    }
    return average;
}

QDate PriceRule::priceDay(UnixTime killTime)
{
    return utc::dateOf(PriceMoment::ofKill(killTime).time() - zkillboardCacheDelay);
}

} // namespace km
