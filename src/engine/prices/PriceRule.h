#pragma once

#include "model/Killmail.h"

#include <QDate>

#include <optional>
#include <span>

namespace km {

/// One day of a type's market history in one region.
struct DailyAverage {
    QDate date;
    double average = 0;
};

/**
 * zKillboard's price of a type on a day (classes/Price.php), from that type's daily averages in The Forge.
 *
 * - Walk back day by day from `day` itself (included) and collect the averages that exist, until 34 are
 *   collected or no older entry is left. Entries after `day` are never used. An average of 0 counts as
 *   missing, as PHP's `$price != null` treats it.
 * - Sort them. With exactly 34 values drop the 2 lowest and the 2 highest; else with more than 6 drop the
 *   2 highest. Average the rest and round to cents.
 * - When `day`'s own average exists, is above 0 and is lower than that, it is the price instead.
 * - No value at all: no price (zKillboard then takes the build price, see UnitPricer).
 *
 * zKillboard bounds its walk by the number of entries it holds for the type, which depends on when it started
 * fetching them; walking back until the history is exhausted is what it does for any type with a history of
 * its own, and what ours can reproduce.
 */
class PriceRule {
public:
    static constexpr int maxValues = 34;

    /// `history` must be sorted by date, one entry per date at most.
    [[nodiscard]] static std::optional<double> price(std::span<const DailyAverage> history, QDate day);

    /// The day whose history prices a kill: zKillboard subtracts 3,601 seconds from the kill time as "Y-m-d H:i"
    /// (its "CREST cache" hour), so a kill up to 01:00:59 UTC is priced as of the day before.
    [[nodiscard]] static QDate priceDay(UnixTime killTime);
};

} // namespace km
