#pragma once

#include "sources/ZkbHistory.h"

#include <QDate>
#include <QDateTime>
#include <QMap>
#include <QUrl>

namespace km {

/// Which days of zKillboard's history to backfill, and from where.
struct ZkillboardBackfillSettings {
    /// Serves the history under /history/.
    QUrl baseUrl{QStringLiteral("https://r2z2.zkillboard.com")};
    /// The first and the last UTC day, both included.
    QDate startDate = QDateTime::currentDateTimeUtc().date().addDays(-1);
    QDate endDate = QDateTime::currentDateTimeUtc().date();
    HistoryDaySettings history;

    /// Why the backfill cannot run with these settings; empty when it can.
    [[nodiscard]] QString problem() const;
};

/**
 * Backfills days of zKillboard's history: reads totals.json once, then each day of the range from
 * raw/YYYYMMDD.json (ESI bodies: no ESI call needed) or, where there is none, YYYYMMDD.json (IDs and hashes, for the
 * processor to fetch from ESI), and queues its killmails not stored yet at NORMAL priority.
 *
 * Resumable: the cursor, `{"finished": {"YYYYMMDD": count, ...}}`, keeps each day whose killmails were all handed
 * over, with the count totals.json gave for it then. A later run skips a day finished with the count totals.json
 * gives now and reads again a day whose count changed (zKillboard re-uploads days when late kills arrive). Days
 * totals.json does not list have no killmails: nothing to read.
 *
 * A day that fails is reported and left unfinished (a later run reads it again), and the backfill goes on with the
 * next: one missing from both files, one still refused or malformed after `history.attempts`, one with entries
 * that could not be read. No answer, 429 and 5xx are asked again until they answer. Ends Finished after the last
 * day; stop() ends it between or within days.
 */
class ZkillboardBackfill final : public ZkbHistorySource {
    Q_OBJECT
public:
    static inline const QString sourceName = QStringLiteral("backfill:zkillboard");

    ZkillboardBackfill(ZkillboardBackfillSettings settings, SourceContext context, QObject* parent = nullptr);

protected:
    QCoro::Task<> run() override;

private:
    /// Finished days with their counts, from the saved cursor; nullopt when stopped first.
    QCoro::Task<std::optional<QMap<QDate, qint64>>> finishedDays();
    void showDay(QDate day, qint64 index, qint64 days);

    ZkillboardBackfillSettings m_settings;
};

} // namespace km
