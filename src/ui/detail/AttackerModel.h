#pragma once

#include "common/Names.h"
#include "model/Killmail.h"

#include <QAbstractTableModel>

#include <vector>

namespace km {
class StaticData;
}

namespace km::ui {

/// A killmail's attackers: who (IDs until names are known), their ship and weapon, damage, share, final blow.
class AttackerModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Attacker, Corporation, Ship, Weapon, Damage, Share, FinalBlow, ColumnCount };
    /// Numbers as numbers (damage, share in percent, final blow as a bool).
    static constexpr int SortRole = Qt::UserRole + 1;

    /// Names characters and corporations by `known` (which outlives the model) as far as it knows them.
    AttackerModel(const Killmail& killmail, const StaticData& staticData, const KnownNames& known,
                  QObject* parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// More names are known: the attackers and corporations are shown by them.
    void namesChanged();

private:
    struct Row {
        std::optional<EntityId> character;
        std::optional<EntityId> corporation;
        std::optional<EntityId> faction;
        QString ship;
        QString weapon;
        std::int64_t damage = 0;
        double share = 0;
        bool finalBlow = false;
    };
    const StaticData& m_staticData;
    const KnownNames& m_known;
    std::vector<Row> m_rows;
};

} // namespace km::ui
