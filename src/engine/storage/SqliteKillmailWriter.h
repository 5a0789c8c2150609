#pragma once

#include "storage/KillmailWriter.h"

struct sqlite3_stmt;

namespace km {

/// Bulk writes through the sqlite3 API: prepared statements reused across a batch's single transaction.
class SqliteKillmailWriter final : public KillmailWriter {
public:
    SqliteKillmailWriter(Database& database, const StaticData& staticData);
    ~SqliteKillmailWriter() override;

    WriteResult write(const std::vector<ValuedKillmail>& batch) override;

private:
    sqlite3_stmt* prepare(const QByteArray& sql);
    void run(sqlite3_stmt* statement, const char* what);
    template <std::size_t N>
    void bindAll(sqlite3_stmt* statement, const std::array<FieldValue, N>& row);
    bool writeOne(const ValuedKillmail& valued);

    Database& m_database;
    const StaticData& m_staticData;
    sqlite3_stmt* m_insertKillmail = nullptr;
    sqlite3_stmt* m_insertAttacker = nullptr;
    sqlite3_stmt* m_insertItem = nullptr;
    sqlite3_stmt* m_insertUnknownType = nullptr;
};

} // namespace km
