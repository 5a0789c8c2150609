#include "feed/FeedModel.h"

#include "common/Isk.h"
#include "common/Names.h"
#include "common/Tables.h"
#include "staticdata/StaticData.h"

#include <QDateTime>
#include <QSet>

#include <array>

namespace km::ui {

FeedModel::FeedModel(const StaticData& staticData, int limit, QObject* parent)
    : QAbstractTableModel(parent)
    , m_staticData(staticData)
    , m_limit(limit)
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(batchInterval);
    connect(&m_batchTimer, &QTimer::timeout, this, &FeedModel::insertPending);
    m_nameRetryTimer.setInterval(defaultNameRetryInterval);
    connect(&m_nameRetryTimer, &QTimer::timeout, this, &FeedModel::askForMissingNames);
    m_nameRetryTimer.start();
}

int FeedModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int FeedModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

const StoredKillmail& FeedModel::killmail(int row) const { return m_rows.at(std::size_t(row)).kill; }

void FeedModel::add(const StoredKillmail& killmail)
{
    m_pending.push_back(killmail);
    if (int(m_pending.size()) > m_limit) {
        m_pending.pop_front(); // it would be pushed out of the view by the newer ones anyway
    }
    if (!m_paused && !m_batchTimer.isActive()) {
        m_batchTimer.start();
    }
}

void FeedModel::setPaused(bool paused)
{
    if (paused == m_paused) {
        return;
    }
    m_paused = paused;
    Q_EMIT pausedChanged(m_paused);
    if (m_paused) {
        m_batchTimer.stop();
    } else if (!m_pending.empty()) {
        insertPending();
    }
}

void FeedModel::insertPending()
{
    if (m_pending.empty()) {
        return;
    }
    const int count = int(m_pending.size());
    beginInsertRows({}, 0, count - 1);
    for (const StoredKillmail& killmail : m_pending) {
        m_rows.push_front(describe(killmail));
    }
    m_pending.clear();
    endInsertRows();
    if (int(m_rows.size()) > m_limit) {
        beginRemoveRows({}, m_limit, int(m_rows.size()) - 1);
        m_rows.resize(std::size_t(m_limit));
        endRemoveRows();
    }
    askForMissingNames();
}

void FeedModel::askForMissingNames()
{
    QSet<EntityId> characters;
    QSet<EntityId> corporations;
    for (const Row& row : m_rows) {
        const StoredKillmail& kill = row.kill;
        if (kill.victimCharacterId != 0) {
            if (!m_known.contains(EntityKind::Character, kill.victimCharacterId)) {
                characters.insert(kill.victimCharacterId);
            }
        } else if (kill.victimCorporationId != 0 && !m_known.contains(EntityKind::Corporation, kill.victimCorporationId)
                   && m_staticData.npcCorporationName(kill.victimCorporationId).isEmpty()) {
            corporations.insert(kill.victimCorporationId);
        }
    }
    if (!characters.isEmpty()) {
        Q_EMIT namesWanted(EntityKind::Character, {characters.cbegin(), characters.cend()});
    }
    if (!corporations.isEmpty()) {
        Q_EMIT namesWanted(EntityKind::Corporation, {corporations.cbegin(), corporations.cend()});
    }
}

void FeedModel::setNames(EntityKind kind, const QHash<EntityId, EntityName>& names)
{
    if (m_known.size() > qsizetype(m_limit) * 10) {
        m_known.clear(); // names of victims long scrolled out
    }
    m_known.add(kind, names);
    for (std::size_t position = 0; position < m_rows.size(); ++position) {
        Row& row = m_rows[position];
        const QString victim = victimText(row.kill);
        if (victim != row.victim) {
            row.victim = victim;
            const QModelIndex changed = index(int(position), Victim);
            Q_EMIT dataChanged(changed, changed);
        }
    }
}

QString FeedModel::victimText(const StoredKillmail& killmail) const
{
    const auto present = [](std::int64_t id) { return id != 0 ? std::optional<EntityId>(id) : std::nullopt; };
    return entityText(m_staticData, m_known, present(killmail.victimCharacterId), present(killmail.victimCorporationId),
                      {});
}

FeedModel::Row FeedModel::describe(const StoredKillmail& killmail) const
{
    Row row;
    row.kill = killmail;
    row.time =
        QDateTime::fromSecsSinceEpoch(killmail.killmailTime, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    row.ship = typeText(m_staticData, killmail.victimShipTypeId);
    if (const std::optional<int> group = m_staticData.groupOf(killmail.victimShipTypeId)) {
        row.shipGroup = m_staticData.groupName(*group);
    }
    row.victim = victimText(killmail);
    if (const SolarSystemInfo* system = m_staticData.solarSystem(killmail.solarSystemId)) {
        row.system = system->name;
        row.region = m_staticData.regionName(system->regionId);
    } else {
        row.system = tr("System %1").arg(killmail.solarSystemId);
    }
    QStringList badges;
    if (killmail.isSolo) {
        row.flagBits |= Solo;
        badges << tr("solo");
    }
    if (killmail.isNPC) {
        row.flagBits |= Npc;
        badges << tr("npc");
    }
    if (killmail.isAwoxing) {
        row.flagBits |= Awox;
        badges << tr("awox");
    }
    row.flags = badges.join(u' ');
    return row;
}

QVariant FeedModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row& row = m_rows.at(std::size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole: return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Ship) {
            return row.shipGroup;
        }
        if (index.column() == System) {
            return tr("%1, %2 (security %3)").arg(row.system, row.region).arg(row.kill.security, 0, 'f', 2);
        }
        if (index.column() == Value) {
            return tr("%L1 ISK").arg(row.kill.totalValue, 0, 'f', 2);
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Value ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole: return sortValue(row, index.column());
    case SearchTextRole:
        return QStringList{row.ship,
                           row.shipGroup,
                           row.victim,
                           row.system,
                           row.region,
                           row.kill.source,
                           QString::number(row.kill.killmailId)}
            .join(u'\n');
    case TotalValueRole: return row.kill.totalValue;
    case FlagsRole: return int(row.flagBits);
    case KillmailIdRole: return qint64(row.kill.killmailId);
    default: return {};
    }
}

QVariant FeedModel::display(const Row& row, int column) const
{
    switch (Column(column)) {
    case Time: return row.time;
    case Ship: return row.ship;
    case Victim: return row.victim;
    case System: return row.system;
    case Value: return shortIsk(row.kill.totalValue);
    case Flags: return row.flags;
    case Source: return row.kill.source;
    case ColumnCount: break;
    }
    return {};
}

QVariant FeedModel::sortValue(const Row& row, int column) const
{
    switch (Column(column)) {
    case Time: return qint64(row.kill.killmailTime);
    case Value: return row.kill.totalValue;
    case Flags: return int(row.flagBits);
    default: return display(row, column);
    }
}

QVariant FeedModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Time (UTC)"), QT_TR_NOOP("Ship"),  QT_TR_NOOP("Victim"), QT_TR_NOOP("System"),
        QT_TR_NOOP("Value"),      QT_TR_NOOP("Flags"), QT_TR_NOOP("Source")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
