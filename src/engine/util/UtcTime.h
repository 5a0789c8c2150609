#pragma once

#include "model/Killmail.h"

#include <QByteArray>
#include <QDate>
#include <QStringView>

#include <optional>

namespace km::utc {

/// Parses ISO 8601 times as ESI writes them ("2024-01-31T12:34:56Z", optional fraction, Z or +00:00).
std::optional<UnixTime> parseIso8601(QStringView text);
/// "YYYY-MM-DD HH:MM:SS", the form both databases store and compare as text.
QByteArray toSqlTimestamp(UnixTime time);
std::optional<UnixTime> fromSqlTimestamp(QStringView text);
QDate dateOf(UnixTime time);
UnixTime startOfDay(QDate date);
/// The first day of the month that holds `time`.
QDate monthOf(UnixTime time);

} // namespace km::utc
