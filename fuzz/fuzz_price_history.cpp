// EVE Ref market-history files (CSV, plain or compressed), imported into a SQLite database as `prices:import` does.
#include "FuzzSupport.h"

#include "prices/PriceHistoryImporter.h"
#include "storage/Database.h"
#include "storage/DatabaseUrl.h"
#include "storage/Migrator.h"

#include <QFileInfo>

using namespace km;

namespace {

Database& database()
{
    static Database* opened = [] {
        QString error;
        const QString path = QFileInfo(fuzz::writeInput({}, QStringLiteral("prices.db"))).absoluteFilePath();
        const std::optional<DatabaseUrl> url = DatabaseUrl::parse(QStringLiteral("sqlite://") + path, &error);
        fuzz::require(url.has_value(), "the fuzz database's URL parses", error);
        auto* database = new Database(*url);
        Migrator(*database).migrate();
        return database;
    }();
    return *opened;
}

} // namespace

KILLMAIL_FUZZ_TARGET(data, size)
{
    const QString path = fuzz::writeInput(fuzz::bytes(data, size), QStringLiteral("market-history-2024-06-15.csv"));
    const PriceImportResult result =
        PriceHistoryImporter(database(), PriceHistoryImporter::Options{true, nullptr}).importFiles({path});
    for (const PriceImportProblem& problem : result.failedFiles + result.badRows) {
        fuzz::require(!problem.reason.isEmpty(), "a refused file or row names what was wrong", problem.toString());
    }
    fuzz::require(result.files + result.failedFiles.size() == 1, "the file is imported or refused");
    return 0;
}
