#pragma once

#include "storage/FieldValue.h"
#include "storage/Schema.h"

#include <QByteArray>

#include <array>
#include <span>
#include <vector>

namespace km::pg {

/**
 * Rows in PostgreSQL's binary COPY format. The server then takes every value as it is stored instead of parsing
 * its text, which is about a third of what a COPY into an unindexed table costs it. Each value is encoded as its
 * column's type in the schema (an INTEGER column gets 4 bytes, a TIMESTAMP microseconds since 2000, ...).
 */
class BinaryCopyBuffer {
public:
    /// The buffer of `COPY table (columns...)`; the columns' types come from the schema.
    BinaryCopyBuffer(const char* table, std::span<const char* const> columns);

    template <std::size_t N>
    void addRow(const std::array<FieldValue, N>& row)
    {
        addRow(std::span<const FieldValue>(row));
    }
    void addRow(std::span<const FieldValue> row);

    [[nodiscard]] bool isEmpty() const { return m_rows == 0; }
    /// The `COPY ... FROM STDIN (FORMAT binary)` statement for these rows.
    [[nodiscard]] const QByteArray& statement() const { return m_statement; }
    /// The whole stream: header, rows and trailer. The buffer takes no rows after this.
    [[nodiscard]] QByteArray finish();

private:
    void add(const FieldValue& value, ColumnType type, const char* column);
    void addInt16(std::int16_t value);
    void addInt32(std::int32_t value);
    void addInt64(std::int64_t value);
    void addNumeric(double value);
    void addTimestamp(const QByteArray& text, const char* column);

    QByteArray m_statement;
    std::vector<const char*> m_columns;
    std::vector<ColumnType> m_types;
    QByteArray m_data;
    qint64 m_rows = 0;
};

} // namespace km::pg
