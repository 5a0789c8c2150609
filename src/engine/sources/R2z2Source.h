#pragma once

#include "sources/ZkbHistory.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QUrl>

#include <chrono>
#include <optional>

namespace km {

struct HttpReply;

/// How to follow R2Z2, zKillboard's live feed.
struct R2z2Settings {
    /// Serves /ephemeral/ (the feed) and /history/ (for repairing gaps).
    QUrl baseUrl{QStringLiteral("https://r2z2.zkillboard.com")};
    /// How long to wait when the next record is not published yet (404).
    std::chrono::milliseconds notPublishedWait{6000};
    /// The least time between the starts of two requests to the feed: it allows 20 per second per IP.
    std::chrono::milliseconds minRequestInterval{50};
    /// Waits after failures and refusals, growing from `backoffInitial` to `backoffMax` (a 429's Retry-After wins).
    std::chrono::milliseconds backoffInitial{1000};
    std::chrono::milliseconds backoffMax{std::chrono::minutes(2)};
    /**
     * How far sequence.json may be from the cursor while the next record is not found, before that record counts as
     * gone: expired while the source was away, never published, or (sequence.json far behind) the feed renumbered.
     * sequence.json lags the head by about 51 and a cache may answer a stale 404 for a moment, so a small lead is
     * normal.
     */
    qint64 gapThreshold = 500;
    /// A record whose answers are complete but unreadable is asked for this many times in all; then it is skipped,
    /// reported, and its days are repaired from the history.
    int malformedAttempts = 5;
    /// Gap repairs read the history from this long before the last kill seen: kills are published late.
    std::chrono::milliseconds repairLookBack{std::chrono::hours(24)};
    /// A day's history file counts as complete this long after the day ended; a repair that read it earlier reads it
    /// again then.
    std::chrono::milliseconds historySettle{std::chrono::hours(3)};
    HistoryDaySettings history;

    /// Why the source cannot run with these settings; empty when it can.
    [[nodiscard]] QString problem() const;
};

/**
 * Where R2Z2 is, saved as the source's cursor, a JSON object:
 * `{"sequence": 96112233, "seenUntil": "2026-11-20T12:34:56Z", "repair": {"next": "2026-11-19", "last": "2026-11-20"}}`
 * - `sequence`: the last record handed over; the next one asked for is sequence + 1.
 * - `seenUntil`: the latest killmail_time handed over (when the feed was joined from sequence.json: that moment);
 *   a gap found later is repaired from that day on.
 * - `repair` (only while one is due): the days still to read from the history, `next` to `last` (UTC).
 */
struct R2z2Cursor {
    struct Days {
        QDate next;
        QDate last;
    };

    qint64 sequence = 0;
    QDateTime seenUntil;
    std::optional<Days> repair;

    [[nodiscard]] QString toJson() const;
    /// nullopt with `problem` set when `text` is not such a cursor.
    static std::optional<R2z2Cursor> fromJson(const QString& text, QString& problem);
    /// Adds the days `from` to `to` to the repair that is due.
    void addRepair(QDate from, QDate to);
    /// `day` was repaired: the repair goes on with the next day, or is over.
    void repaired(QDate day);
};

/// One record of the feed, as far as the source needs it.
struct R2z2Record {
    qint64 sequence = 0;
    KillmailJob job;
    /// The kill's killmail_time; invalid when the body has none.
    QDateTime killmailTime;
    /// `sequence_updated`: the earlier record of the same kill that this one re-publishes.
    std::optional<qint64> republishes;

    /// The record in a 200 answer for `sequence`; nullopt with `problem` set (starting with `what`) when it is not a
    /// usable record: garbled JSON, killmail_id, hash or esi missing or wrong.
    static std::optional<R2z2Record> read(const HttpReply& reply, qint64 sequence, const QString& what,
                                          QString& problem);
};

/**
 * R2Z2, zKillboard's live feed: asks for record cursor + 1 (one request at a time, 20 per second at most) and queues
 * its kill at HIGH priority with the ESI body the record carries, moving the cursor in the same transaction.
 *
 * - 404: not published yet; waits `notPublishedWait` and asks again, unless sequence.json is more than
 *   `gapThreshold` away: then the record is gone (it expired while the source was away). The gap is reported, the
 *   source jumps to sequence.json's record, and the days from the last kill seen (`seenUntil`, less
 *   `repairLookBack`) through today are read from the history files alongside the feed, at NORMAL priority. The
 *   repair's progress is part of the cursor, so a restart goes on with it; a day read before its file was complete
 *   (`historySettle`) is read again once it is. A day the history keeps refusing is tried again after a growing
 *   wait; a complete day it has no file for is reported and passed.
 * - 429: waits its Retry-After (else backs off); 403: reports that zKillboard refused the User-Agent, backs off;
 *   no answer, a cut-off answer, 5xx and other refusals: backs off. Then asks for the same record again.
 * - A complete answer that is not a usable record (garbled JSON, no killmail_id, hash or esi object) is reported and
 *   asked for again, `malformedAttempts` times in all. It is the server's stored record, so asking forever would
 *   stop the feed for good: it is then skipped (reported) and, as its kill cannot be known, treated as a gap of one
 *   record, repaired from the history.
 * - A record with `sequence_updated` re-publishes an older kill: it is queued like any other (the queue knows it).
 */
class R2z2Source final : public ZkbHistorySource {
    Q_OBJECT
public:
    static inline const QString sourceName = QStringLiteral("r2z2");

    R2z2Source(R2z2Settings settings, SourceContext context, QObject* parent = nullptr);

protected:
    QCoro::Task<> run() override;

private:
    /// From the saved cursor, or else from sequence.json; false when stopped first.
    QCoro::Task<bool> findStart();
    QCoro::Task<> follow();
    /// The feed's answer for `path`, keeping requests apart; status 0 when stopped meanwhile.
    QCoro::Task<HttpReply> askFeed(const QString& path);
    /// Waits as a failed answer asks: its Retry-After, else the growing backoff.
    QCoro::Task<> waitAfter(const HttpReply& reply);
    /// sequence.json's number; nullopt when it failed (reported and waited for) or when stopped.
    QCoro::Task<std::optional<qint64>> publishedSequence();
    QCoro::Task<> notPublished();
    QCoro::Task<> handOver(const R2z2Record& record);
    QCoro::Task<> malformed(qint64 sequence, const QString& problem);
    /// Moves the cursor to `sequence` with nothing to queue and adds `repair` to the days to repair; false when
    /// stopped first.
    QCoro::Task<bool> skipTo(qint64 sequence, R2z2Cursor::Days repair);
    /// The days to repair when the feed lost track after `seenUntil`.
    [[nodiscard]] R2z2Cursor::Days gapDays() const;
    void repairInBackground();
    QCoro::Task<> repairGaps();
    /// False when stopped.
    QCoro::Task<bool> repairDay(QDate day);
    void showPosition();

    R2z2Settings m_settings;
    R2z2Cursor m_cursor;
    Backoff m_backoff;
    Backoff m_repairBackoff;
    QElapsedTimer m_sinceLastRequest;
    int m_malformedAnswers = 0;
    /// The gap repair runs next to the feed, on the same thread; its day while it reads one.
    QCoro::Task<> m_repair;
    bool m_repairing = false;
    QDate m_repairingDay;
};

} // namespace km
