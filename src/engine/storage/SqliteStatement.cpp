#include "storage/SqliteStatement.h"

#include "storage/StorageError.h"

#include <QString>

#include <algorithm>

#include <sqlite3.h>

namespace km {

SqliteStatement::SqliteStatement(sqlite3* connection, QByteArrayView sql)
    : m_connection(connection)
{
    if (sqlite3_prepare_v3(connection, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr)
        != SQLITE_OK) {
        throw StorageError(QStringLiteral("cannot prepare '%1': %2")
                               .arg(QString::fromUtf8(sql.first(std::min<qsizetype>(sql.size(), 80))),
                                    QString::fromUtf8(sqlite3_errmsg(connection))));
    }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_statement); }

void SqliteStatement::bind(int index, const FieldValue& value)
{
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                sqlite3_bind_null(m_statement, index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                sqlite3_bind_int64(m_statement, index, v);
            } else if constexpr (std::is_same_v<T, double>) {
                sqlite3_bind_double(m_statement, index, v);
            } else if constexpr (std::is_same_v<T, Money>) {
                sqlite3_bind_double(m_statement, index, v.value);
            } else if constexpr (std::is_same_v<T, bool>) {
                sqlite3_bind_int(m_statement, index, v ? 1 : 0);
            } else {
                sqlite3_bind_text(m_statement, index, v.constData(), int(v.size()), SQLITE_TRANSIENT);
            }
        },
        value);
}

void SqliteStatement::execute(const char* what)
{
    const int status = sqlite3_step(m_statement);
    sqlite3_reset(m_statement);
    if (status != SQLITE_DONE) {
        fail(what);
    }
}

bool SqliteStatement::next(const char* what)
{
    const int status = sqlite3_step(m_statement);
    if (status == SQLITE_ROW) {
        return true;
    }
    sqlite3_reset(m_statement);
    if (status != SQLITE_DONE) {
        fail(what);
    }
    return false;
}

int SqliteStatement::columnInt(int column) const { return sqlite3_column_int(m_statement, column); }

double SqliteStatement::columnDouble(int column) const { return sqlite3_column_double(m_statement, column); }

QByteArrayView SqliteStatement::columnText(int column) const
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    return text ? QByteArrayView(text, sqlite3_column_bytes(m_statement, column)) : QByteArrayView();
}

void SqliteStatement::fail(const char* what) const
{
    const QString message = QStringLiteral("database error while trying to %1: %2")
                                .arg(QString::fromUtf8(what), QString::fromUtf8(sqlite3_errmsg(m_connection)));
    switch (sqlite3_errcode(m_connection)) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL: throw DatabaseUnavailable(message);
    default: throw StorageError(message);
    }
}

} // namespace km
