#pragma once

#include "model/Killmail.h"

#include <QDate>

namespace km {

/**
 * When a unit price is asked for, as zKillboard's price functions receive it: a kill's time as "Y-m-d H:i", or a
 * day alone ("Y-m-d", midnight UTC) for the materials of a build. The two compare differently with a dated
 * hand-set price: "2023-12-01 05:00" <= "2023-12-01" is false, "2023-12-01" <= "2023-12-01" is true.
 */
class PriceMoment {
public:
    /// A kill's time, truncated to the minute as zKillboard's "Y-m-d H:i" is.
    static PriceMoment ofKill(UnixTime killTime);
    /// A day alone, as a build prices its materials.
    static PriceMoment ofDay(QDate day);

    /// The time given to market prices (PriceSource::unitPrice, PriceRule::priceDay).
    [[nodiscard]] UnixTime time() const { return m_time; }
    /// The UTC day written in the moment ("Y-m-d"): the day a build prices its materials for.
    [[nodiscard]] QDate day() const;
    /// zKillboard's `$date <= "day"`: true for a kill before `day`, and for a day alone up to `day` itself.
    [[nodiscard]] bool upTo(QDate day) const;

private:
    PriceMoment(UnixTime time, bool dayOnly);

    UnixTime m_time = 0;
    bool m_dayOnly = false;
};

} // namespace km
