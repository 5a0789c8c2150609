#include "storage/PgBinaryCopy.h"

#include "storage/StorageError.h"

#include <QDate>
#include <QtEndian>

#include <bit>
#include <cmath>
#include <utility>

namespace km::pg {
namespace {

constexpr char signature[] = "PGCOPY\n\377\r\n"; // followed by its terminating zero byte, part of the signature
constexpr std::int64_t microsecondsPerSecond = 1'000'000;
constexpr std::int64_t secondsPerDay = 86'400;
/// PostgreSQL counts timestamps from 2000-01-01.
const std::int64_t postgresEpochJulianDay = QDate(2000, 1, 1).toJulianDay();

/// The digits of `text` from `position` on, as a number; -1 when one is not a digit.
int digitsAt(const QByteArray& text, qsizetype position, qsizetype count)
{
    int value = 0;
    for (qsizetype i = position; i < position + count; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

BinaryCopyBuffer::BinaryCopyBuffer(const char* table, std::span<const char* const> columns)
    : m_columns(columns.begin(), columns.end())
{
    QByteArray list;
    for (const char* column : columns) {
        m_types.push_back(columnType(table, column));
        list += (list.isEmpty() ? "\"" : ", \"") + QByteArray(column) + '"';
    }
    m_statement = QByteArray("COPY \"") + table + "\" (" + list + ") FROM STDIN (FORMAT binary)";
    m_data.append(signature, sizeof signature); // the signature's zero byte included
    addInt32(0); // flags: no OIDs
    addInt32(0); // no header extension
}

void BinaryCopyBuffer::addRow(std::span<const FieldValue> row)
{
    if (row.size() != m_types.size()) {
        throw StorageError(
            QStringLiteral("a COPY row has %1 values for %2 columns").arg(row.size()).arg(m_types.size()));
    }
    addInt16(std::int16_t(row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) {
        add(row[i], m_types[i], m_columns[i]);
    }
    ++m_rows;
}

QByteArray BinaryCopyBuffer::finish()
{
    addInt16(-1); // the trailer: a row of -1 fields
    return std::exchange(m_data, {});
}

void BinaryCopyBuffer::add(const FieldValue& value, ColumnType type, const char* column)
{
    const auto mismatch = [column] {
        throw StorageError(QStringLiteral("COPY: the value of column \"%1\" does not fit its type").arg(column));
    };
    if (std::holds_alternative<std::monostate>(value)) {
        addInt32(-1);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        switch (type) {
        case ColumnType::BigInt:
        case ColumnType::Identity:
            addInt32(8);
            addInt64(*integer);
            break;
        case ColumnType::Integer:
            addInt32(4);
            addInt32(std::int32_t(*integer));
            break;
        case ColumnType::SmallInt:
            addInt32(2);
            addInt16(std::int16_t(*integer));
            break;
        default: mismatch();
        }
    } else if (const auto* number = std::get_if<double>(&value)) {
        if (type != ColumnType::Double) {
            mismatch();
        }
        addInt32(8);
        addInt64(std::bit_cast<std::int64_t>(*number));
    } else if (const auto* money = std::get_if<Money>(&value)) {
        if (type != ColumnType::Money) {
            mismatch();
        }
        addNumeric(money->value);
    } else if (const auto* flag = std::get_if<bool>(&value)) {
        if (type != ColumnType::Boolean) {
            mismatch();
        }
        addInt32(1);
        m_data += char(*flag ? 1 : 0);
    } else {
        const auto& text = std::get<QByteArray>(value);
        if (type == ColumnType::Timestamp) {
            addTimestamp(text, column);
        } else if (type == ColumnType::Text || type == ColumnType::Document) {
            addInt32(std::int32_t(text.size()));
            m_data += text;
        } else {
            mismatch();
        }
    }
}

void BinaryCopyBuffer::addInt16(std::int16_t value)
{
    const std::int16_t big = qToBigEndian(value);
    m_data.append(reinterpret_cast<const char*>(&big), sizeof big);
}

void BinaryCopyBuffer::addInt32(std::int32_t value)
{
    const std::int32_t big = qToBigEndian(value);
    m_data.append(reinterpret_cast<const char*>(&big), sizeof big);
}

void BinaryCopyBuffer::addInt64(std::int64_t value)
{
    const std::int64_t big = qToBigEndian(value);
    m_data.append(reinterpret_cast<const char*>(&big), sizeof big);
}

/// NUMERIC(20,2): base-10000 digits, most significant first; `weight` is the power of 10000 of the first one.
/// Whole ISK and cents are split before rounding: cents of 9.2e16 ISK and more do not fit 64 bits.
void BinaryCopyBuffer::addNumeric(double value)
{
    constexpr double numericLimit = 1e18; // NUMERIC(20,2) holds 18 digits before the point
    if (!std::isfinite(value) || std::fabs(value) >= numericLimit) {
        throw StorageError(QStringLiteral("COPY: %1 does not fit NUMERIC(20,2)").arg(value, 0, 'g', 17));
    }
    const double magnitude = std::fabs(value);
    auto whole = std::uint64_t(magnitude);
    auto fraction = int(std::llround((magnitude - double(whole)) * 100));
    if (fraction == 100) {
        ++whole;
        fraction = 0;
    }
    const bool negative = value < 0 && (whole != 0 || fraction != 0);
    std::vector<std::int16_t> digits;
    for (; whole > 0; whole /= 10000) {
        digits.insert(digits.begin(), std::int16_t(whole % 10000));
    }
    const auto weight = std::int16_t(std::int16_t(digits.size()) - 1);
    if (fraction != 0) {
        digits.push_back(std::int16_t(fraction * 100)); // .05 is the first group 0500
    }
    addInt32(std::int32_t(8 + 2 * digits.size()));
    addInt16(std::int16_t(digits.size()));
    addInt16(digits.empty() ? 0 : weight);
    addInt16(negative ? std::int16_t(0x4000) : std::int16_t(0));
    addInt16(2); // display scale: two decimals
    for (const std::int16_t digit : digits) {
        addInt16(digit);
    }
}

/// The schema's text form "YYYY-MM-DD HH:MM:SS", as microseconds since 2000-01-01.
void BinaryCopyBuffer::addTimestamp(const QByteArray& text, const char* column)
{
    const bool shaped =
        text.size() == 19 && text[4] == '-' && text[7] == '-' && text[10] == ' ' && text[13] == ':' && text[16] == ':';
    const QDate date = shaped ? QDate(digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2)) : QDate();
    const int hour = shaped ? digitsAt(text, 11, 2) : -1;
    const int minute = shaped ? digitsAt(text, 14, 2) : -1;
    const int second = shaped ? digitsAt(text, 17, 2) : -1;
    if (!date.isValid() || hour < 0 || minute < 0 || second < 0) {
        throw StorageError(
            QStringLiteral("COPY: '%1' in column \"%2\" is not a timestamp").arg(QString::fromLatin1(text), column));
    }
    const std::int64_t seconds = (date.toJulianDay() - postgresEpochJulianDay) * secondsPerDay
        + std::int64_t(hour) * 3600 + std::int64_t(minute) * 60 + second;
    addInt32(8);
    addInt64(seconds * microsecondsPerSecond);
}

} // namespace km::pg
