#include "staticdata/StaticData.h"

#include "util/Csv.h"
#include "util/Logging.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <algorithm>
#include <functional>
#include <mutex>

namespace km {
namespace {

/// Calls `row` for each data record of `directory/file` (header skipped) that has at least `minFields` fields.
void forEachRecord(const QString& directory, const char* file, qsizetype minFields,
                   const std::function<void(const QList<QByteArray>&)>& row)
{
    QFile csvFile(directory + u'/' + QLatin1StringView(file));
    if (!csvFile.open(QIODevice::ReadOnly)) {
        qCCritical(lcStaticData) << "static data file missing:" << csvFile.fileName();
        return;
    }
    const QByteArray content = csvFile.readAll();
    qsizetype start = content.indexOf('\n') + 1; // skip the header
    while (start > 0 && start < content.size()) {
        qsizetype end = content.indexOf('\n', start);
        if (end < 0) {
            end = content.size();
        }
        const QList<QByteArray> fields = csv::splitRecord(QByteArrayView(content).sliced(start, end - start));
        if (fields.size() >= minFields) {
            row(fields);
        }
        start = end + 1;
    }
}

template <typename Key>
void loadNames(const QString& directory, const char* file, QHash<Key, QString>& names)
{
    forEachRecord(directory, file, 2, [&](const QList<QByteArray>& f) {
        names.insert(static_cast<Key>(f[0].toLongLong()), QString::fromUtf8(f[1]));
    });
}

std::mutex dataFolderMutex;
QString chosenDataFolder;

/// A folder of refreshed tables is used only when it holds every one of them.
bool holdsEveryTable(const QString& directory)
{
    const QDir folder(directory);
    return std::all_of(StaticData::tableFiles().cbegin(), StaticData::tableFiles().cend(),
                       [&folder](const QString& file) { return folder.exists(file); });
}

} // namespace

const QStringList& StaticData::tableFiles()
{
    static const QStringList files{QStringLiteral("types.csv"),
                                   QStringLiteral("groups.csv"),
                                   QStringLiteral("categories.csv"),
                                   QStringLiteral("solar_systems.csv"),
                                   QStringLiteral("regions.csv"),
                                   QStringLiteral("flags.csv"),
                                   QStringLiteral("npc_corporations.csv"),
                                   QStringLiteral("factions.csv"),
                                   QStringLiteral("blueprint_materials.csv")};
    return files;
}

void StaticData::useDataFolder(const QString& folder)
{
    const std::lock_guard lock(dataFolderMutex);
    chosenDataFolder = folder;
}

QString StaticData::dataFolder()
{
    const std::lock_guard lock(dataFolderMutex);
    if (chosenDataFolder.isEmpty()) {
        return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
            + QStringLiteral("/killmail-console");
    }
    return chosenDataFolder;
}

const StaticData& StaticData::bundled()
{
    static const StaticData data = [] {
        QStringList problems;
        StaticData loaded = ofDataFolder(dataFolder(), problems);
        for (const QString& problem : problems) {
            qCCritical(lcStaticData).noquote() << "hand-set prices:" << problem;
        }
        qCDebug(lcStaticData) << "static data from" << loaded.source();
        return loaded;
    }();
    return data;
}

StaticData StaticData::ofDataFolder(const QString& folder, QStringList& problems)
{
    const QString refreshed = folder + QStringLiteral("/sde");
    StaticData data = load(holdsEveryTable(refreshed) ? refreshed : QStringLiteral(":/sde"));
    data.setHandSetPrices(HandSetPrices::load(QStringLiteral(":/prices/hand_set_prices.csv"),
                                              folder + QStringLiteral("/hand_set_prices.csv"), problems));
    return data;
}

StaticData StaticData::load(const QString& directory)
{
    StaticData data;
    data.m_source = directory;
    forEachRecord(directory, "groups.csv", 3, [&](const QList<QByteArray>& f) {
        const int groupId = f[0].toInt();
        data.m_groupCategory.insert(groupId, f[1].toInt());
        data.m_groupNames.insert(groupId, QString::fromUtf8(f[2]));
    });
    data.m_types.reserve(50000);
    forEachRecord(directory, "types.csv", 3, [&](const QList<QByteArray>& f) {
        const int groupId = f[1].toInt();
        data.m_types.insert(f[0].toInt(),
                            TypeInfo{groupId, data.m_groupCategory.value(groupId), QString::fromUtf8(f[2])});
    });
    forEachRecord(directory, "solar_systems.csv", 5, [&](const QList<QByteArray>& f) {
        data.m_systems.insert(f[0].toInt(),
                              SolarSystemInfo{QString::fromUtf8(f[1]), f[2].toInt(), f[3].toInt(), f[4].toDouble()});
    });
    loadNames(directory, "categories.csv", data.m_categoryNames);
    loadNames(directory, "regions.csv", data.m_regionNames);
    loadNames(directory, "flags.csv", data.m_flagNames);
    loadNames(directory, "npc_corporations.csv", data.m_npcCorporationNames);
    loadNames(directory, "factions.csv", data.m_factionNames);
    data.loadBlueprints(directory);
    return data;
}

void StaticData::loadBlueprints(const QString& directory)
{
    // zKillboard keeps one blueprint per product, the last one listed; a blueprint's materials keep their order.
    forEachRecord(directory, "blueprint_materials.csv", 5, [&](const QList<QByteArray>& f) {
        const int blueprintTypeId = f[0].toInt();
        Blueprint& blueprint = m_blueprints[f[1].toInt()];
        if (blueprint.blueprintTypeId != blueprintTypeId) {
            blueprint = Blueprint{blueprintTypeId, f[2].toLongLong(), {}};
        }
        blueprint.materials.push_back({f[3].toInt(), f[4].toLongLong()});
    });
}

const Blueprint* StaticData::blueprintProducing(int typeId) const
{
    const auto it = m_blueprints.constFind(typeId);
    return it == m_blueprints.constEnd() ? nullptr : &it.value();
}

const TypeInfo* StaticData::type(int typeId) const
{
    const auto it = m_types.constFind(typeId);
    return it == m_types.constEnd() ? nullptr : &it.value();
}

std::optional<int> StaticData::groupOf(int typeId) const
{
    const TypeInfo* info = type(typeId);
    return info ? std::optional<int>(info->groupId) : std::nullopt;
}

std::optional<int> StaticData::categoryOf(int typeId) const
{
    const TypeInfo* info = type(typeId);
    return info ? std::optional<int>(info->categoryId) : std::nullopt;
}

std::optional<int> StaticData::categoryOfGroup(int groupId) const
{
    const auto it = m_groupCategory.constFind(groupId);
    return it == m_groupCategory.constEnd() ? std::nullopt : std::optional<int>(*it);
}

void StaticData::addTypes(const QHash<int, TypeInfo>& types)
{
    for (auto it = types.cbegin(); it != types.cend(); ++it) {
        if (m_types.contains(it.key())) {
            continue;
        }
        TypeInfo info = it.value();
        if (info.categoryId == 0) {
            info.categoryId = m_groupCategory.value(info.groupId);
        }
        m_types.insert(it.key(), info);
    }
}

const SolarSystemInfo* StaticData::solarSystem(int solarSystemId) const
{
    const auto it = m_systems.constFind(solarSystemId);
    return it == m_systems.constEnd() ? nullptr : &it.value();
}

QString StaticData::regionName(int regionId) const { return m_regionNames.value(regionId); }
QString StaticData::groupName(int groupId) const { return m_groupNames.value(groupId); }
QString StaticData::categoryName(int categoryId) const { return m_categoryNames.value(categoryId); }
QString StaticData::flagName(int flagId) const { return m_flagNames.value(flagId); }
QString StaticData::npcCorporationName(qint64 corporationId) const
{
    return m_npcCorporationNames.value(corporationId);
}
QString StaticData::factionName(qint64 factionId) const { return m_factionNames.value(factionId); }

} // namespace km
