#pragma once

#include "import/KillmailImporter.h"
#include "sources/Source.h"

#include <QDate>
#include <QDateTime>
#include <QMap>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace km {

struct HttpReply;

/// How the EVE Ref archive backfill runs; the defaults are the real service's.
struct EveRefSettings {
    QUrl baseUrl{QStringLiteral("https://data.everef.net")};
    /// The first day to import (UTC); unset: from the first day totals.json lists.
    QDate startDate;
    /// The last day to import (UTC); yesterday by default, today's archive being still in the making; unset: up to
    /// the last day totals.json lists.
    QDate endDate = QDateTime::currentDateTimeUtc().date().addDays(-1);
    /// When set, these files (archives, or anything import:killmails takes) are imported in order instead of
    /// downloading anything.
    QStringList localFiles;
    /// Where archives are downloaded to; empty: a temporary folder.
    QString downloadDirectory;
    /// Keeps each archive after its import (otherwise deleted at once).
    bool keepDownloads = false;
    /// Waits after a failure (totals.json, an archive, the database), doubling up to the maximum.
    std::chrono::milliseconds backoffInitial{std::chrono::seconds(5)};
    std::chrono::milliseconds backoffMaximum{std::chrono::minutes(5)};
    /// How the bulk importer stores each archive.
    KillmailImporter::Options import;
};

/**
 * The bulk backfill from EVE Ref's daily killmail archives (`backfill:everef`): reads totals.json, downloads the
 * archive of each day in the range that has kills and is not complete yet, and stores it through the bulk importer
 * (valued, flagged, duplicates counted). A day counts as complete when the database holds as many killmails of that
 * day as totals.json announces, or when the cursor (`{"YYYY-MM-DD": total}`) shows it was imported at that total;
 * a day whose total grew (EVE Ref rewrites archives when late kills arrive) is imported again. An archive that is
 * missing (404) or partly unreadable is reported and its day left unfinished for the next run. The import blocks
 * the source's thread for the length of one archive.
 */
class EveRefBackfill : public Source {
    Q_OBJECT
public:
    EveRefBackfill(EveRefSettings settings, SourceContext context, QObject* parent = nullptr);

protected:
    QCoro::Task<> run() override;

private:
    /// Killmails per day: totals.json's counts, or the cursor's totals of the days imported.
    using DayCounts = QMap<QDate, qint64>;
    enum class Outcome { Done, Failed, Stopped };

    QCoro::Task<> importLocalFiles();
    QCoro::Task<> backfillDays();
    QCoro::Task<std::optional<DayCounts>> fetchTotals();
    /// The days of the range that totals.json says have kills, in order.
    [[nodiscard]] QList<QDate> daysWithKills(const DayCounts& totals) const;
    QCoro::Task<DayCounts> finishedDays();
    QCoro::Task<Outcome> backfillDay(QDate day, QString archive, QString label);
    QCoro::Task<Outcome> download(QDate day, QString archive);
    /// Imports `path`, retrying while the database refuses; Failed when the importer rejected something.
    QCoro::Task<Outcome> importFile(QString path, QString label);
    ImportReport runImporter(const QString& path, const QString& label);
    bool isComplete(QDate day, qint64 total, const DayCounts& finished);
    void saveFinishedDays(const DayCounts& finished);
    std::chrono::milliseconds waitAfter(const HttpReply& reply);
    void finish(qint64 units, const QString& unit, qint64 unfinished);

    EveRefSettings m_settings;
    Backoff m_backoff;
    /// Killmails of the archives imported (stored, or found stored already), and the killmails newly stored.
    qint64 m_imported = 0;
    qint64 m_stored = 0;
};

} // namespace km
