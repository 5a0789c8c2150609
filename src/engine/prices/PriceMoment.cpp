#include "prices/PriceMoment.h"

#include "util/UtcTime.h"

namespace km {

PriceMoment::PriceMoment(UnixTime time, bool dayOnly)
    : m_time(time)
    , m_dayOnly(dayOnly)
{
}

PriceMoment PriceMoment::ofKill(UnixTime killTime)
{
    constexpr UnixTime minute = 60;
    return {killTime - ((killTime % minute) + minute) % minute, false};
}

PriceMoment PriceMoment::ofDay(QDate day) { return {utc::startOfDay(day), true}; }

QDate PriceMoment::day() const { return utc::dateOf(m_time); }

bool PriceMoment::upTo(QDate day) const { return m_dayOnly ? this->day() <= day : this->day() < day; }

} // namespace km
