#include "detail/AttackerModel.h"

#include "common/Names.h"
#include "common/Tables.h"

#include <QLocale>

#include <array>

namespace km::ui {

AttackerModel::AttackerModel(const Killmail& killmail, const StaticData& staticData, const KnownNames& known,
                             QObject* parent)
    : QAbstractTableModel(parent)
    , m_staticData(staticData)
    , m_known(known)
{
    std::int64_t totalDamage = 0;
    for (const km::Attacker& attacker : killmail.attackers) {
        totalDamage += attacker.damageDone;
    }
    for (const km::Attacker& attacker : killmail.attackers) {
        Row row;
        row.character = attacker.characterId;
        row.corporation = attacker.corporationId;
        row.faction = attacker.factionId;
        row.ship = attacker.shipTypeId ? typeText(staticData, *attacker.shipTypeId) : QString();
        row.weapon = attacker.weaponTypeId ? typeText(staticData, *attacker.weaponTypeId) : QString();
        row.damage = attacker.damageDone;
        row.share = totalDamage > 0 ? 100.0 * double(attacker.damageDone) / double(totalDamage) : 0.0;
        row.finalBlow = attacker.finalBlow;
        m_rows.push_back(row);
    }
}

void AttackerModel::namesChanged()
{
    if (!m_rows.empty()) {
        Q_EMIT dataChanged(index(0, Attacker), index(rowCount() - 1, Corporation));
    }
}

int AttackerModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int AttackerModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AttackerModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row& row = m_rows.at(std::size_t(index.row()));
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() == Damage || index.column() == Share;
        return numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    if (role != Qt::DisplayRole && role != SortRole) {
        return {};
    }
    const bool display = role == Qt::DisplayRole;
    switch (Column(index.column())) {
    case Attacker: return entityText(m_staticData, m_known, row.character, {}, row.faction);
    case Corporation: return row.corporation ? entityText(m_staticData, m_known, {}, row.corporation, {}) : QString();
    case Ship: return row.ship;
    case Weapon: return row.weapon;
    case Damage: return display ? QVariant(QLocale().toString(qint64(row.damage))) : QVariant(qint64(row.damage));
    case Share: return display ? QVariant(tr("%1%").arg(row.share, 0, 'f', 1)) : QVariant(row.share);
    case FinalBlow: return display ? QVariant(row.finalBlow ? tr("final blow") : QString()) : QVariant(row.finalBlow);
    case ColumnCount: break;
    }
    return {};
}

QVariant AttackerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Attacker"), QT_TR_NOOP("Corporation"), QT_TR_NOOP("Ship"),      QT_TR_NOOP("Weapon"),
        QT_TR_NOOP("Damage"),   QT_TR_NOOP("Share"),       QT_TR_NOOP("Final blow")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
