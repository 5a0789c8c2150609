#pragma once

#include "FakeHttpServer.h"
#include "Fixtures.h"

#include "queue/KillmailJobs.h"
#include "sources/R2z2Source.h"

#include <QDate>
#include <QHash>
#include <QMap>
#include <QSet>

#include <optional>

namespace km {
class Database;
}

namespace km::test {

/// A job of the killmail queue as the `jobs` table holds it: what a source handed over.
struct QueuedKillmail {
    KillmailJob job;
    Priority priority = Priority::Normal;
};
/// Every job of the killmail queue, by killmail ID.
QMap<KillmailId, QueuedKillmail> queuedKillmails(Database& database);

/**
 * zKillboard's r2z2 host over real HTTP/1.1 (see FakeHttpServer), serving:
 * - the live feed: GET /ephemeral/sequence.json (`{"sequence": N}`) and /ephemeral/<N>.json (one record, with `esi`,
 *   `zkb`, `uploaded_at`, `sequence_id` and, for a re-published kill, `sequence_updated`); 404 for a record not
 *   published yet or expired;
 * - the history: GET /history/totals.json, /history/YYYYMMDD.json (`{"<id>": "<hash>"}`) and
 *   /history/raw/YYYYMMDD.json (`{"<id>": {ESI body}}`) for every day up to today (days without kills are `{}`),
 *   each killmail filed under the UTC day of its killmail_time unless placed on another.
 * Scripted answers (script()) come first, first in first out per path prefix.
 */
class FakeZkillboard : public FakeHttpServer {
    Q_OBJECT
public:
    explicit FakeZkillboard(QObject* parent = nullptr);

    /// The sequence the next publish() takes (default 96000000).
    void setNextSequence(qint64 sequence);
    /// Publishes `fixture` as the next record and returns its sequence; `republishes` sets `sequence_updated`.
    qint64 publish(const EsiFixture& fixture, std::optional<qint64> republishes = std::nullopt);
    /// What sequence.json says; by default the newest record (the one before the next when none is published), as the
    /// real feed names the head.
    void setAnnouncedSequence(qint64 sequence);
    /// The record's body, as the feed serves it.
    [[nodiscard]] QByteArray record(qint64 sequence) const;

    /// Files `fixture` in the history under `day` (by default the day of its killmail_time).
    void addToHistory(const EsiFixture& fixture, QDate day = {});
    /// Makes totals.json give `count` for `day` instead of the number of killmails filed under it.
    void setTotal(QDate day, qint64 count);
    /// The day's raw file (or plain file) answers 404, as before mid 2026 (or as a day never uploaded).
    void removeRawDay(QDate day);
    void removePlainDay(QDate day);
    /// The day of a fixture's killmail_time (UTC).
    static QDate dayOf(const EsiFixture& fixture);
    /// /history/raw/YYYYMMDD.json or /history/YYYYMMDD.json.
    static QString dayPath(QDate day, bool raw);

protected:
    Answer route(const Request& request) override;

private:
    struct Published {
        EsiFixture fixture;
        std::optional<qint64> republishes;
    };

    QByteArray recordLocked(qint64 sequence) const;
    Answer historyFile(const QString& name) const;

    qint64 m_nextSequence = 96000000;
    std::optional<qint64> m_announced;
    QMap<qint64, Published> m_records;
    QMap<QDate, QList<EsiFixture>> m_history;
    QMap<QDate, qint64> m_totals;
    QSet<QDate> m_withoutRaw;
    QSet<QDate> m_withoutPlain;
};

/// Settings of an R2Z2 source reading `zkb`, for tests: quick waits and backoffs, 5 ms between requests; the history
/// as it really is (only today still unsettled).
R2z2Settings quickR2z2Settings(const FakeZkillboard& zkb);

} // namespace km::test
