#pragma once

#include <QByteArray>

#include <cstdint>
#include <variant>

namespace km {

/// An amount of ISK with cents, stored as NUMERIC(20,2).
struct Money {
    double value = 0;
};

/// One column value on its way to either database; std::monostate is NULL.
using FieldValue = std::variant<std::monostate, std::int64_t, double, Money, bool, QByteArray>;

} // namespace km
