#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <chrono>
#include <optional>

namespace km {

/// A header's non-negative integer value; nullopt when absent, negative or garbage.
[[nodiscard]] std::optional<qint64> parseHeaderCount(QByteArrayView text);

/// No Retry-After (nor any reset header) may make anything wait longer than this.
inline constexpr std::chrono::seconds maxRetryAfter{900};

/// A Retry-After header's value: seconds or an HTTP date, capped to maxRetryAfter; nullopt when absent or garbage.
[[nodiscard]] std::optional<std::chrono::seconds> parseRetryAfter(QByteArrayView text);

} // namespace km
