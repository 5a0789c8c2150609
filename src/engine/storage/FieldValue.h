#pragma once

#include <QByteArray>

#include <cstdint>
#include <variant>

namespace km {

/// An amount of ISK with cents, stored as NUMERIC(20,2).
struct Money {
    double value = 0;
};

/**
 * The most ISK one price or one killmail value may be, on both databases: ten quadrillion, several times the ISK
 * in the whole game, so anything beyond it is bad data. Well below NUMERIC(20,2)'s 10^18, and below 9.2e16 where
 * cents stop fitting 64 bits.
 */
constexpr double maxIskAmount = 1e16;

/// One column value on its way to either database; std::monostate is NULL.
using FieldValue = std::variant<std::monostate, std::int64_t, double, Money, bool, QByteArray>;

} // namespace km
