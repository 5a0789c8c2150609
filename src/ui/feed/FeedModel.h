#pragma once

#include "common/Names.h"
#include "processing/StoredKillmail.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QIcon>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <deque>

namespace km {
class DatabaseThread;
class StaticData;
} // namespace km

namespace km::ui {

/**
 * The live feed: the last `limit` killmails the engine stored, newest on top. Kills are taken one by one from
 * the engine's announcements and inserted in batches (one beginInsertRows per batchInterval), so a backfill storing
 * hundreds of kills a second costs the view one insertion a quarter second. While paused, kills wait (the newest
 * `limit` of them) and are inserted on resume. Victims show as IDs until their names are found (namesWanted(), then
 * setNames()); the names still missing are asked for again every nameRetryInterval, as the entity updates resolve them.
 *
 * Live kills push the oldest rows out at the bottom once `limit` rows are shown. With a database (setDatabase()),
 * older kills are read back a page at a time when a view scrolls to the bottom (canFetchMore(), fetchMore()): the
 * stored kills after the bottom row, newest first (by time, then ID), skipping those shown, on the database's thread.
 * Rows read back may take the feed up to maximumRows(); live kills then push out as many rows as they add.
 * Coloured text (security, badges, large values) is made readable on the application's palette, dark ones included.
 */
class FeedModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Time,
        Ship,
        Victim,
        VictimGroup,
        FinalBlow,
        Attackers,
        System,
        Region,
        Value,
        Flags,
        Source,
        ColumnCount
    };
    enum Role {
        /// The value a column sorts by (times and amounts as numbers, flags as a bit mask).
        SortRole = Qt::UserRole + 1,
        /// Ship, group, victim, final blow, system, region, source, killmail ID and the entities' IDs (and names)
        /// together,
        /// for text filters.
        SearchTextRole,
        /// The total value in ISK (every column).
        TotalValueRole,
        /// KillFlag bits (every column).
        FlagsRole,
        KillmailIdRole,
    };
    enum KillFlag { Solo = 1, Npc = 2, Awox = 4 };
    Q_DECLARE_FLAGS(KillFlags, KillFlag)

    static constexpr std::chrono::milliseconds batchInterval{250};
    static constexpr int defaultLimit = 2000;
    static constexpr std::chrono::milliseconds defaultNameRetryInterval{15000};
    static constexpr int defaultPageSize = 200;
    /// Values from which the value column is coloured.
    static constexpr double notableValue = 1e9;
    static constexpr double largeValue = 10e9;

    explicit FeedModel(const StaticData& staticData, int limit = defaultLimit, QObject* parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    /// Where older kills are read back from; without one (the default), the feed holds only what was announced.
    void setDatabase(DatabaseThread* database) { m_database = database; }
    void setPageSize(int rows) { m_pageSize = rows; }
    /// The most rows shown: `limit` from the live feed, and as many again read back.
    [[nodiscard]] int maximumRows() const { return 2 * m_limit; }
    /// A page of older kills is being read.
    [[nodiscard]] bool isReadingOlder() const { return m_reading; }

    /// The stored killmail shown in `row`.
    [[nodiscard]] const StoredKillmail& killmail(int row) const;
    /// Kills announced but not inserted yet (the next batch, or those held while paused).
    [[nodiscard]] int pendingCount() const { return int(m_pending.size()); }
    [[nodiscard]] bool isPaused() const { return m_paused; }
    void setNameRetryInterval(std::chrono::milliseconds interval) { m_nameRetryTimer.setInterval(interval); }

public Q_SLOTS:
    void add(const km::StoredKillmail& killmail);
    void setPaused(bool paused);
    /// Names found for victims: rows showing these IDs show the names from now on.
    void setNames(km::EntityKind kind, const QHash<km::EntityId, km::EntityName>& names);

Q_SIGNALS:
    void pausedChanged(bool paused);
    /// A page of older kills was read back; `added` of them were not shown yet.
    void olderRowsRead(int added);
    void olderRowsFailed(const QString& error);
    /// A page read back, for appendOlder() from the event loop.
    void olderPageRead(const std::vector<km::StoredKillmail>& kills, int asked, QPrivateSignal);
    /// The victims shown whose names are not known yet.
    void namesWanted(km::EntityKind kind, const std::vector<km::EntityId>& ids);

private:
    struct Row {
        StoredKillmail kill;
        QString time;
        QString ship;
        QString shipGroup;
        QString victim;
        QString victimGroup;
        QString finalBlow;
        QString system;
        QString region;
        QString flags;
        KillFlags flagBits;
    };
    [[nodiscard]] Row describe(const StoredKillmail& killmail) const;
    /// The victim as shown: the character's name, else the corporation's, else their IDs.
    [[nodiscard]] QString victimText(const StoredKillmail& killmail) const;
    /// The victim's corporation and alliance ("Corp / Alliance"), named as known, by ID until then.
    [[nodiscard]] QString victimGroupText(const StoredKillmail& killmail) const;
    /// Who dealt the final blow, named the same way (an NPC by its corporation or faction).
    [[nodiscard]] QString finalBlowText(const StoredKillmail& killmail) const;
    /// Asks for the names of the victims shown that have none yet.
    void askForMissingNames();
    [[nodiscard]] QVariant display(const Row& row, int column) const;
    /// What the text filter searches: the row's words, the entities' IDs, the victim's corporation and alliance.
    [[nodiscard]] QString searchText(const Row& row) const;
    [[nodiscard]] QVariant sortValue(const Row& row, int column) const;
    void insertPending();
    void appendOlder(const std::vector<StoredKillmail>& kills, int asked);
    /// Removes `count` rows from the bottom.
    void removeOldest(int count);
    [[nodiscard]] QVariant foreground(const Row& row, int column) const;
    /// `colour` readable on the application's palette (remembered until the palette changes).
    [[nodiscard]] QColor readable(const QColor& colour) const;
    /**
     * A square of `colour` as a decoration, one icon per colour, kept. A QColor as the decoration makes the delegate
     * paint a new pixmap for each cell it draws, and QIcon keeps each one in the application's QPixmapCache under a
     * key of its own, so the feed's repaints filled that cache (10 MB) with squares of the same 11 colours.
     */
    [[nodiscard]] QIcon swatch(const QColor& colour) const;

    const StaticData& m_staticData;
    int m_limit;
    int m_pageSize = defaultPageSize;
    bool m_paused = false;
    DatabaseThread* m_database = nullptr;
    bool m_reading = false;
    /// Rows were removed at the bottom while the page being read was asked for: it is read again from the new bottom.
    bool m_pageOutdated = false;
    /// No stored kill is older than the bottom row (until rows are removed there).
    bool m_noOlder = false;
    /// Where the next page read back starts: after the last kill read back, or else after the bottom row.
    std::optional<KillmailPosition> m_readBackFrom;
    QSet<KillmailId> m_shownIds;
    /// Newest first, as shown.
    std::deque<Row> m_rows;
    /// Oldest first, as announced.
    std::deque<StoredKillmail> m_pending;
    QTimer m_batchTimer;
    QTimer m_nameRetryTimer;
    KnownNames m_known;
    mutable QHash<QRgb, QColor> m_readableColours;
    mutable qint64 m_readablePalette = 0;
    mutable QHash<QRgb, QIcon> m_swatches;
};

} // namespace km::ui

Q_DECLARE_OPERATORS_FOR_FLAGS(km::ui::FeedModel::KillFlags)
