#pragma once

#include <QHash>
#include <QString>

#include <optional>

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

/**
 * The game's static data (types, groups, categories, solar systems, regions, names) bundled from CCP's SDE.
 * Loaded once, read-only afterwards, safe to share between threads.
 */
class StaticData {
public:
    /// The bundled data, loaded on first use.
    static const StaticData& bundled();

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

    /// Loads CSV files named like CCP's SDE tables from `directory` (a resource path or a folder).
    static StaticData load(const QString& directory);

    /// Adds types the SDE lacks (resolved from ESI since, see TypeResolver); a type already known is kept as it is.
    /// A type without a category (0) takes its group's when the group is known.
    void addTypes(const QHash<int, TypeInfo>& types);

private:
    QHash<int, TypeInfo> m_types;
    QHash<int, int> m_groupCategory;
    QHash<int, QString> m_groupNames;
    QHash<int, QString> m_categoryNames;
    QHash<int, SolarSystemInfo> m_systems;
    QHash<int, QString> m_regionNames;
    QHash<int, QString> m_flagNames;
    QHash<qint64, QString> m_npcCorporationNames;
    QHash<qint64, QString> m_factionNames;
};

} // namespace km
