#include "sources/Backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace km {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum)
    : m_initial(std::max(std::chrono::milliseconds(1), initial))
    , m_maximum(std::max(m_initial, maximum))
{
}

std::chrono::milliseconds Backoff::next()
{
    const int doublings = std::min(m_failures, 30);
    ++m_failures;
    const double base = std::min(double(m_maximum.count()), double(m_initial.count()) * double(1LL << doublings));
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    return std::chrono::milliseconds(qint64(std::min(double(m_maximum.count()), base * jitter)));
}

} // namespace km
