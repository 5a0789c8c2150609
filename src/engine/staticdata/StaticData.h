#pragma once

#include "prices/HandSetPrices.h"

#include <QHash>
#include <QString>

#include <optional>
#include <vector>

namespace km {

struct TypeInfo {
    int groupId = 0;
    int categoryId = 0;
    QString name;
};

struct SolarSystemInfo {
    QString name;
    int constellationId = 0;
    int regionId = 0;
    /// True (unrounded) security status, as zKillboard's location labels use it.
    double security = 0;
};

struct BlueprintMaterial {
    int typeId = 0;
    qint64 quantity = 0;
};

/// The manufacturing activity of a blueprint: what one run takes and makes.
struct Blueprint {
    int blueprintTypeId = 0;
    qint64 productQuantity = 1;
    std::vector<BlueprintMaterial> materials;
};

/**
 * The game's static data (types, groups, categories, solar systems, regions, names) bundled from CCP's SDE.
 * Loaded once, read-only afterwards, safe to share between threads. With it, zKillboard's hand-set prices, which
 * change with the game as the static data does.
 */
class StaticData {
public:
    /**
     * The data in use, loaded on first use: the tables `sde:refresh` wrote to the data folder's sde/ when it has
     * them all, else those compiled in; the hand-set prices compiled in, with the data folder's
     * hand_set_prices.csv over them when there is one.
     */
    static const StaticData& bundled();
    /// What bundled() loads for a data folder; `problems` gets each reason the hand-set price override is not used.
    static StaticData ofDataFolder(const QString& folder, QStringList& problems);
    /// The data folder bundled() reads; call before its first use (the default: dataFolder()'s default).
    static void useDataFolder(const QString& folder);
    /// The data folder in use: by default the user's data location's killmail-console folder.
    static QString dataFolder();
    /// The static data tables, one CSV file each, that a refreshed folder must hold to be used.
    static const QStringList& tableFiles();

    [[nodiscard]] const TypeInfo* type(int typeId) const;
    [[nodiscard]] std::optional<int> groupOf(int typeId) const;
    [[nodiscard]] std::optional<int> categoryOf(int typeId) const;
    [[nodiscard]] std::optional<int> categoryOfGroup(int groupId) const;
    [[nodiscard]] const SolarSystemInfo* solarSystem(int solarSystemId) const;
    [[nodiscard]] QString regionName(int regionId) const;
    [[nodiscard]] QString groupName(int groupId) const;
    [[nodiscard]] QString categoryName(int categoryId) const;
    [[nodiscard]] QString flagName(int flagId) const;
    [[nodiscard]] QString npcCorporationName(qint64 corporationId) const;
    [[nodiscard]] QString factionName(qint64 factionId) const;
    [[nodiscard]] qsizetype typeCount() const { return m_types.size(); }
    [[nodiscard]] qsizetype solarSystemCount() const { return m_systems.size(); }
    /// The blueprint whose manufacturing makes the type (the last one listed when several do), or null.
    [[nodiscard]] const Blueprint* blueprintProducing(int typeId) const;
    [[nodiscard]] qsizetype blueprintCount() const { return m_blueprints.size(); }
    [[nodiscard]] const HandSetPrices& handSetPrices() const { return m_handSetPrices; }
    void setHandSetPrices(HandSetPrices prices) { m_handSetPrices = std::move(prices); }
    /// Where the tables were read from (":/sde" when compiled in).
    [[nodiscard]] const QString& source() const { return m_source; }

    /// Loads CSV files named like CCP's SDE tables from `directory` (a resource path or a folder).
    static StaticData load(const QString& directory);

    /// Adds types the SDE lacks (resolved from ESI since, see TypeResolver); a type already known is kept as it is.
    /// A type without a category (0) takes its group's when the group is known.
    void addTypes(const QHash<int, TypeInfo>& types);

private:
    void loadBlueprints(const QString& directory);

    QString m_source;
    QHash<int, TypeInfo> m_types;
    QHash<int, int> m_groupCategory;
    QHash<int, QString> m_groupNames;
    QHash<int, QString> m_categoryNames;
    QHash<int, SolarSystemInfo> m_systems;
    QHash<int, QString> m_regionNames;
    QHash<int, QString> m_flagNames;
    QHash<qint64, QString> m_npcCorporationNames;
    QHash<qint64, QString> m_factionNames;
    /// By product type.
    QHash<int, Blueprint> m_blueprints;
    HandSetPrices m_handSetPrices;
};

} // namespace km
