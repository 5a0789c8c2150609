#pragma once

#include <QString>

#include <optional>

namespace km::ui {

/// An ISK amount in zKillboard's short units: "950", "12.5k", "350m", "1.2b", "3.41t".
QString shortIsk(double isk);
/// Reads an amount typed as shortIsk() writes it ("1.2b", "350m", "500000", "2 k"); nullopt when it is not one.
std::optional<double> parseShortIsk(const QString& text);

} // namespace km::ui
