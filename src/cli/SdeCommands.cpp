#include "SdeCommands.h"

#include "net/HttpClient.h"
#include "runtime/Engine.h"
#include "staticdata/SdeRefresher.h"
#include "staticdata/StaticData.h"

#include <QCoroTask>

namespace km::cli {

int SdeRefreshCommand::run(const QCommandLineParser& /*parser*/, Context& context)
{
    HttpClient http(publicHttpSettings(context.settings));
    SdeRefresher refresher(http, context.settings.staticData.sdeUrl, StaticData::dataFolder());
    context.out << QCoreApplication::translate(
                       "SdeRefreshCommand",
                       "Downloading the SDE build that %1/latest.jsonl names (a large download) "
                       "and converting it...\n")
                       .arg(context.settings.staticData.sdeUrl.toString(QUrl::StripTrailingSlash));
    context.out.flush();
    const SdeRefreshReport report = QCoro::waitFor(refresher.refresh());
    for (const QString& error : report.errors) {
        context.err << name() << ": " << error << "\n";
    }
    if (!report.errors.isEmpty()) {
        context.err << name() << ": "
                    << QCoreApplication::translate("SdeRefreshCommand", "the static data in use is unchanged") << "\n";
        return 1;
    }
    context.out << QCoreApplication::translate("SdeRefreshCommand",
                                               "SDE build %1 written to %2\n"
                                               "types: %3, groups: %4, blueprint materials: %5, solar systems: %6\n"
                                               "It is used from the next start; run prices:revalue to bring the "
                                               "stored killmails' values up to date.\n")
                       .arg(report.build, report.folder)
                       .arg(report.types)
                       .arg(report.groups)
                       .arg(report.blueprintMaterials)
                       .arg(report.solarSystems);
    return 0;
}

} // namespace km::cli
