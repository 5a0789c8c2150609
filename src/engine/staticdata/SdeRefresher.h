#pragma once

#include <QCoroTask>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace km {

class HttpClient;

struct SdeRefreshReport {
    /// CCP's SDE build number that was read.
    QString build;
    qsizetype types = 0;
    qsizetype groups = 0;
    /// Rows of blueprint_materials.csv: one per material of a blueprint.
    qsizetype blueprintMaterials = 0;
    qsizetype solarSystems = 0;
    /// Where the tables were written (`<data folder>/sde`).
    QString folder;
    /// Empty when the tables were replaced; otherwise why nothing was (the tables in use stay as they were).
    QStringList errors;
};

/**
 * Refreshes the static data tables (types, groups, categories, blueprints, solar systems, regions) from CCP's
 * current SDE export in JSON Lines: `<url>/latest.jsonl` names the build (the record whose `_key` is "sde"), then
 * `<url>/eve-online-static-data-<build>-jsonl.zip` holds types.jsonl, groups.jsonl, categories.jsonl,
 * blueprints.jsonl, mapSolarSystems.jsonl and mapRegions.jsonl. They are written, in the compact CSV form of
 * resources/sde, to `<data folder>/sde`, which StaticData then reads instead of the compiled-in copy (from the next
 * start). The tables not in the export's scope (flags, NPC corporations, factions) are copied from the data in use.
 * The folder is replaced whole and only once every table was read: a failure leaves the previous one in place.
 */
class SdeRefresher {
public:
    SdeRefresher(HttpClient& http, QUrl baseUrl, QString dataFolder);

    /// Never throws: every failure is in the report.
    QCoro::Task<SdeRefreshReport> refresh();

private:
    HttpClient& m_http;
    QUrl m_baseUrl;
    QString m_dataFolder;
};

} // namespace km
