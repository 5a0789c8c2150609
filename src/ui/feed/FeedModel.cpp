#include "feed/FeedModel.h"

#include "common/Colours.h"
#include "common/Isk.h"
#include "common/Names.h"
#include "common/Tables.h"
#include "processing/StoredKillmailReader.h"
#include "runtime/DatabaseThread.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailRows.h"
#include "storage/StorageError.h"

#include <QApplication>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>
#include <QPixmap>
#include <QStyle>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace km::ui {
namespace {

std::optional<EntityId> present(std::int64_t id) { return id != 0 ? std::optional<EntityId>(id) : std::nullopt; }

/// Security as the game shows it: one decimal, and a system above 0.0 never shows as 0.0.
double displayedSecurity(double security)
{
    return security > 0 && security < 0.05 ? 0.1 : std::round(security * 10.0) / 10.0;
}

/// The game's colour for a security level, from 1.0 (blue) through 0.5 (yellow) to 0.0 and below (red).
QColor securityColour(double security)
{
    static const std::array<QColor, 11> colours{
        QColor(0xF0, 0x00, 0x00), QColor(0xD7, 0x30, 0x00), QColor(0xF0, 0x48, 0x00), QColor(0xF0, 0x60, 0x00),
        QColor(0xD7, 0x77, 0x00), QColor(0xEF, 0xEF, 0x00), QColor(0x8F, 0xEF, 0x2F), QColor(0x00, 0xF0, 0x00),
        QColor(0x00, 0xEF, 0x47), QColor(0x48, 0xF0, 0xC0), QColor(0x2F, 0xEF, 0xEF)};
    const long step = std::lround(std::clamp(displayedSecurity(security), 0.0, 1.0) * 10.0);
    return colours[std::size_t(step)];
}

} // namespace

FeedModel::FeedModel(const StaticData& staticData, int limit, QObject* parent)
    : QAbstractTableModel(parent)
    , m_staticData(staticData)
    , m_limit(limit)
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(batchInterval);
    connect(&m_batchTimer, &QTimer::timeout, this, &FeedModel::insertPending);
    // Queued: a read that finished before fetchMore() attached its continuation runs it at once, inside fetchMore(),
    // which views call while they handle this model's signals.
    connect(this, &FeedModel::olderPageRead, this, &FeedModel::appendOlder, Qt::QueuedConnection);
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
    std::vector<StoredKillmail> fresh;
    for (StoredKillmail& killmail : m_pending) {
        if (!m_shownIds.contains(killmail.killmailId)) { // read back already, when stored before it was announced
            m_shownIds.insert(killmail.killmailId);
            fresh.push_back(std::move(killmail));
        }
    }
    m_pending.clear();
    if (fresh.empty()) {
        return;
    }
    const int rowsBefore = int(m_rows.size());
    const int count = int(fresh.size());
    beginInsertRows({}, 0, count - 1);
    for (const StoredKillmail& killmail : fresh) {
        m_rows.push_front(describe(killmail));
    }
    endInsertRows();
    // Up to `limit` rows; beyond it (rows read back), live kills push out as many as they add.
    removeOldest(int(m_rows.size()) - std::max(m_limit, rowsBefore));
    askForMissingNames();
}

void FeedModel::removeOldest(int count)
{
    if (count <= 0) {
        return;
    }
    const int first = int(m_rows.size()) - count;
    beginRemoveRows({}, first, int(m_rows.size()) - 1);
    for (auto row = m_rows.begin() + first; row != m_rows.end(); ++row) {
        m_shownIds.remove(row->kill.killmailId);
    }
    m_rows.erase(m_rows.begin() + first, m_rows.end());
    endRemoveRows();
    // Scrolling down again reads back what was removed; a page being read now would leave them out.
    m_readBackFrom.reset();
    m_noOlder = false;
    m_pageOutdated = m_reading;
}

bool FeedModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_database && !m_reading && !m_noOlder && rowCount() < maximumRows();
}

void FeedModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent)) {
        return;
    }
    std::optional<KillmailPosition> after = m_readBackFrom;
    if (!after && !m_rows.empty()) {
        after = m_rows.back().kill.position();
    }
    const int asked = std::min(m_pageSize, maximumRows() - rowCount());
    m_reading = true;
    const StaticData* staticData = &m_staticData;
    m_database->run<std::vector<StoredKillmail>>(
        [staticData, after, asked](Database& database) {
            return StoredKillmailReader(database, *staticData).older(after, asked);
        },
        this,
        [this, asked](QFuture<std::vector<StoredKillmail>> read) {
            try {
                Q_EMIT olderPageRead(read.result(), asked, QPrivateSignal());
            } catch (const StorageError& error) {
                m_reading = false;
                Q_EMIT olderRowsFailed(QString::fromUtf8(error.what()));
            }
        });
}

void FeedModel::appendOlder(const std::vector<StoredKillmail>& kills, int asked)
{
    m_reading = false;
    if (std::exchange(m_pageOutdated, false)) {
        fetchMore({});
        return;
    }
    m_noOlder = int(kills.size()) < asked;
    if (!kills.empty()) {
        m_readBackFrom = kills.back().position();
    }
    std::vector<const StoredKillmail*> fresh;
    for (const StoredKillmail& killmail : kills) {
        if (!m_shownIds.contains(killmail.killmailId) && rowCount() + int(fresh.size()) < maximumRows()) {
            fresh.push_back(&killmail);
        }
    }
    if (!fresh.empty()) {
        beginInsertRows({}, rowCount(), rowCount() + int(fresh.size()) - 1);
        for (const StoredKillmail* killmail : fresh) {
            m_shownIds.insert(killmail->killmailId);
            m_rows.push_back(describe(*killmail));
        }
        endInsertRows();
        askForMissingNames();
    }
    Q_EMIT olderRowsRead(int(fresh.size()));
    if (fresh.empty() && !kills.empty()) {
        fetchMore({}); // a page of kills shown already (live ones): the next one
    }
}

void FeedModel::askForMissingNames()
{
    QSet<EntityId> characters;
    QSet<EntityId> corporations;
    QSet<EntityId> alliances;
    // A character by its name; without one, a corporation that is not an NPC one by its name.
    const auto want = [&](std::optional<EntityId> character, std::optional<EntityId> corporation) {
        if (character) {
            if (!m_known.contains(EntityKind::Character, *character)) {
                characters.insert(*character);
            }
        } else if (corporation && !m_known.contains(EntityKind::Corporation, *corporation)
                   && m_staticData.npcCorporationName(*corporation).isEmpty()) {
            corporations.insert(*corporation);
        }
    };
    for (const Row& row : m_rows) {
        const StoredKillmail& kill = row.kill;
        want(present(kill.victimCharacterId), present(kill.victimCorporationId));
        want({}, present(kill.victimCorporationId)); // its own column
        if (kill.victimAllianceId != 0 && !m_known.contains(EntityKind::Alliance, kill.victimAllianceId)) {
            alliances.insert(kill.victimAllianceId);
        }
        if (const Attacker* finalBlow = kill.valued ? kill.valued->killmail.finalBlowAttacker() : nullptr) {
            want(finalBlow->characterId, finalBlow->corporationId);
        }
    }
    if (!characters.isEmpty()) {
        Q_EMIT namesWanted(EntityKind::Character, {characters.cbegin(), characters.cend()});
    }
    if (!corporations.isEmpty()) {
        Q_EMIT namesWanted(EntityKind::Corporation, {corporations.cbegin(), corporations.cend()});
    }
    if (!alliances.isEmpty()) {
        Q_EMIT namesWanted(EntityKind::Alliance, {alliances.cbegin(), alliances.cend()});
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
        QString victim = victimText(row.kill);
        QString victimGroup = victimGroupText(row.kill);
        QString finalBlow = finalBlowText(row.kill);
        if (victim != row.victim || victimGroup != row.victimGroup || finalBlow != row.finalBlow) {
            row.victim = std::move(victim);
            row.victimGroup = std::move(victimGroup);
            row.finalBlow = std::move(finalBlow);
            Q_EMIT dataChanged(index(int(position), Victim), index(int(position), FinalBlow));
        }
    }
}

QString FeedModel::victimText(const StoredKillmail& killmail) const
{
    return entityText(m_staticData, m_known, present(killmail.victimCharacterId), present(killmail.victimCorporationId),
                      {});
}

QString FeedModel::victimGroupText(const StoredKillmail& killmail) const
{
    QString text = entityText(m_staticData, m_known, {}, present(killmail.victimCorporationId), {});
    if (killmail.victimAllianceId != 0) {
        text += QStringLiteral(" / ") + allianceText(m_known, killmail.victimAllianceId);
    }
    return text;
}

QString FeedModel::finalBlowText(const StoredKillmail& killmail) const
{
    const Attacker* attacker = killmail.valued ? killmail.valued->killmail.finalBlowAttacker() : nullptr;
    return attacker
        ? entityText(m_staticData, m_known, attacker->characterId, attacker->corporationId, attacker->factionId)
        : QString();
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
    row.victimGroup = victimGroupText(killmail);
    row.finalBlow = finalBlowText(killmail);
    if (const SolarSystemInfo* system = m_staticData.solarSystem(killmail.solarSystemId)) {
        row.system = QStringLiteral("%1 (%2)").arg(system->name).arg(displayedSecurity(system->security), 0, 'f', 1);
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
            return tr("Security %1").arg(row.kill.security, 0, 'f', 3);
        }
        if (index.column() == Value) {
            return tr("%L1 ISK").arg(row.kill.totalValue, 0, 'f', 2);
        }
        return {};
    case Qt::DecorationRole:
        return index.column() == System ? QVariant(swatch(securityColour(row.kill.security))) : QVariant();
    case Qt::ForegroundRole: return foreground(row, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == Value || index.column() == Attackers ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                      : QVariant();
    case SortRole: return sortValue(row, index.column());
    case SearchTextRole: return searchText(row);
    case TotalValueRole: return row.kill.totalValue;
    case FlagsRole: return int(row.flagBits);
    case KillmailIdRole: return qint64(row.kill.killmailId);
    default: return {};
    }
}

QString FeedModel::searchText(const Row& row) const
{
    QStringList words{row.ship,
                      row.shipGroup,
                      row.victim,
                      row.victimGroup,
                      row.finalBlow,
                      row.system,
                      row.region,
                      display(row, Source).toString(),
                      QString::number(row.kill.killmailId)};
    // The entities by ID too, and the victim's corporation and alliance by name where known.
    const auto entity = [&](EntityKind kind, std::optional<EntityId> id) {
        if (id) {
            words << QString::number(*id) << m_known.find(kind, *id);
        }
    };
    entity(EntityKind::Character, present(row.kill.victimCharacterId));
    entity(EntityKind::Corporation, present(row.kill.victimCorporationId));
    entity(EntityKind::Alliance, present(row.kill.victimAllianceId));
    if (const Attacker* finalBlow = row.kill.valued ? row.kill.valued->killmail.finalBlowAttacker() : nullptr) {
        entity(EntityKind::Character, finalBlow->characterId);
        entity(EntityKind::Corporation, finalBlow->corporationId);
        entity(EntityKind::Alliance, finalBlow->allianceId);
    }
    return words.join(u'\n');
}

QVariant FeedModel::display(const Row& row, int column) const
{
    switch (Column(column)) {
    case Time: return row.time;
    case Ship: return row.ship;
    case Victim: return row.victim;
    case VictimGroup: return row.victimGroup;
    case FinalBlow: return row.finalBlow;
    case Attackers: return row.kill.attackerCount;
    case System: return row.system;
    case Region: return row.region;
    case Value: return shortIsk(row.kill.totalValue);
    case Flags: return row.flags;
    case Source: return row.kill.source.isEmpty() ? tr("database") : row.kill.source;
    case ColumnCount: break;
    }
    return {};
}

QVariant FeedModel::foreground(const Row& row, int column) const
{
    switch (column) {
    case System: return readable(securityColour(row.kill.security));
    case Flags:
        if (row.flagBits.testFlag(Awox)) {
            return readable(QColor(0xD0, 0x30, 0x30));
        }
        if (row.flagBits.testFlag(Solo)) {
            return readable(QColor(0x2E, 0x9E, 0x5B));
        }
        return row.flagBits.testFlag(Npc) ? readable(QColor(0x80, 0x80, 0x80)) : QVariant();
    case Value:
        if (row.kill.totalValue >= largeValue) {
            return readable(QColor(0xE0, 0x40, 0x40));
        }
        return row.kill.totalValue >= notableValue ? readable(QColor(0xE0, 0x90, 0x20)) : QVariant();
    default: return {};
    }
}

QColor FeedModel::readable(const QColor& colour) const
{
    const QPalette palette = QGuiApplication::palette();
    if (palette.cacheKey() != m_readablePalette) {
        m_readableColours.clear();
        m_readablePalette = palette.cacheKey();
    }
    const auto known = m_readableColours.constFind(colour.rgb());
    if (known != m_readableColours.cend()) {
        return *known;
    }
    return m_readableColours[colour.rgb()] = readableOn(colour, palette);
}

QIcon FeedModel::swatch(const QColor& colour) const
{
    const auto known = m_swatches.constFind(colour.rgb());
    if (known != m_swatches.cend()) {
        return *known;
    }
    const int size = QApplication::style()->pixelMetric(QStyle::PM_SmallIconSize);
    QPixmap pixmap(size, size);
    pixmap.fill(colour);
    return m_swatches[colour.rgb()] = QIcon(pixmap);
}

QVariant FeedModel::sortValue(const Row& row, int column) const
{
    switch (Column(column)) {
    case Time: return qint64(row.kill.killmailTime);
    case System: return row.kill.security;
    case Value: return row.kill.totalValue;
    case Flags: return int(row.flagBits);
    default: return display(row, column);
    }
}

QVariant FeedModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Time (UTC)"), QT_TR_NOOP("Ship"),      QT_TR_NOOP("Victim"), QT_TR_NOOP("Corporation / alliance"),
        QT_TR_NOOP("Final blow"), QT_TR_NOOP("Attackers"), QT_TR_NOOP("System"), QT_TR_NOOP("Region"),
        QT_TR_NOOP("Value"),      QT_TR_NOOP("Flags"),     QT_TR_NOOP("Source")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
