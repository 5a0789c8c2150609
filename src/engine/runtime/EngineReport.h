#pragma once

#include "sources/SourceStatus.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace km {

class Database;

/**
 * What one running engine tells the others sharing its database (and a console attached to them): who it is, its
 * status line, its sources and its ingestion rate. Each engine saves its own row of `engine_reports` every few
 * seconds, and once more, stopped, when it stops.
 */
struct EngineReport {
    /// "host:pid:start": unique per run, so a restarted engine is a new row and the old one goes stale.
    QString engineId;
    QString host;
    qint64 pid = 0;
    QDateTime startedAt;
    QDateTime updatedAt;
    SourceStatus summary;
    QList<SourceStatus> sources;
    double killmailsPerSecond = 0;

    /// This process's identity, started now.
    static EngineReport forThisProcess();
    /// Whether the engine has not reported for `silence` (it died without saying so, or cannot reach the database).
    [[nodiscard]] bool isSilent(const QDateTime& now, std::chrono::seconds silence) const;
};

/// The `engine_reports` table.
class EngineReportStore {
public:
    explicit EngineReportStore(Database& database);

    /// Saves `report` as its engine's row, dated now, and forgets engines silent for more than a week.
    void save(const EngineReport& report);
    /// Every engine's last report, the most recently started first.
    [[nodiscard]] QList<EngineReport> all();

    static constexpr std::chrono::hours keptFor{24 * 7};

private:
    Database& m_database;
};

} // namespace km

Q_DECLARE_METATYPE(km::EngineReport)
