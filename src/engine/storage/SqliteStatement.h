#pragma once

#include "storage/FieldValue.h"

#include <QByteArrayView>

struct sqlite3;
struct sqlite3_stmt;

namespace km {

/**
 * A prepared statement on an SQLite connection, kept for reuse (bulk writes bind and run it many times).
 * Every failure is thrown as StorageError with SQLite's message and what the statement was for.
 */
class SqliteStatement {
public:
    SqliteStatement(sqlite3* connection, QByteArrayView sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    /// Binds a value to the 1-based parameter `index`; text is copied, so temporaries are fine.
    void bind(int index, const FieldValue& value);
    /// Runs a statement that returns no rows and resets it for the next bindings.
    void execute(const char* what);
    /// Steps a query: true while a row is ready, false at its end (the statement is then reset).
    bool next(const char* what);

    [[nodiscard]] int columnInt(int column) const;
    [[nodiscard]] double columnDouble(int column) const;
    [[nodiscard]] QByteArrayView columnText(int column) const;

private:
    [[noreturn]] void fail(const char* what) const;

    sqlite3* m_connection;
    sqlite3_stmt* m_statement = nullptr;
};

} // namespace km
