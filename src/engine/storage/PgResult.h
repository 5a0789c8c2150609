#pragma once

#include <QByteArray>
#include <QList>

#include <libpq-fe.h>

#include <memory>

namespace km::pg {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

/// True for an SQLSTATE of the server as a whole: connection (08), transaction rollback such as a deadlock (40),
/// insufficient resources such as a full disk (53), operator intervention (57), system error (58), read-only (25006).
bool isDatabaseWide(QByteArrayView sqlState);

/// Runs a statement with text parameters; throws StorageError naming `what` unless it succeeded.
Result exec(PGconn* connection, const QByteArray& sql, const QList<QByteArray>& parameters, const char* what);
/// Streams `data` (in the format the statement names) into `COPY ... FROM STDIN`.
void copyIn(PGconn* connection, const QByteArray& copyStatement, const QByteArray& data, const char* what);

/// Builds COPY text-format rows: tab-separated, `\N` for NULL, backslash escapes.
class CopyBuffer {
public:
    void addNull();
    void addInteger(std::int64_t value);
    void addDouble(double value);
    void addMoney(double value);
    void addBool(bool value);
    void addText(const QByteArray& value);
    void endRow();
    [[nodiscard]] const QByteArray& data() const { return m_data; }
    void clear()
    {
        m_data.clear();
        m_rowStarted = false;
    }

private:
    void separate();

    QByteArray m_data;
    bool m_rowStarted = false;
};

/// `{1,2,3}`: a PostgreSQL array literal for a text parameter.
template <typename Range, typename Format>
QByteArray arrayLiteral(const Range& values, Format&& format)
{
    QByteArray literal = "{";
    for (const auto& value : values) {
        if (literal.size() > 1) {
            literal += ',';
        }
        literal += format(value);
    }
    literal += '}';
    return literal;
}

} // namespace km::pg
