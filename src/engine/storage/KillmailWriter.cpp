#include "storage/KillmailWriter.h"

#include "storage/Database.h"
#include "storage/PostgresKillmailWriter.h"
#include "storage/SqliteKillmailWriter.h"

namespace km {

std::unique_ptr<KillmailWriter> KillmailWriter::create(Database& database, const StaticData& staticData)
{
    if (database.backend() == Backend::Postgres) {
        return std::make_unique<PostgresKillmailWriter>(database, staticData);
    }
    return std::make_unique<SqliteKillmailWriter>(database, staticData);
}

} // namespace km
