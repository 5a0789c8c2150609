#include "runtime/ImportRun.h"

#include "import/KillmailImporter.h"
#include "prices/PriceHistoryImporter.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/Database.h"
#include "storage/StorageError.h"

#include <QLocale>

namespace km {

std::unique_ptr<ImportRun> ImportRun::killmails(DatabaseUrl url, QStringList paths)
{
    return std::make_unique<ImportRun>([url = std::move(url), paths = std::move(paths)](
                                           const std::atomic<bool>& cancelled, const auto& report) {
        // The types resolved through ESI too, as the processor values with them.
        const StaticData staticData = [&url] {
            Database database(url);
            return TypeResolver::withResolvedTypes(StaticData::bundled(), database);
        }();
        KillmailImporter::Options options;
        options.interrupt = &cancelled;
        KillmailImporter importer(url, staticData, options);
        importer.setProgressCallback(report);
        const ImportReport result = importer.importPaths(paths);
        const QLocale locale;
        QString summary = tr("%1 stored, %2 duplicates, %3 rejected")
                              .arg(locale.toString(result.stored), locale.toString(result.duplicates),
                                   locale.toString(qint64(result.rejected.size())));
        if (result.referencesQueued > 0) {
            summary += tr(", %1 queued for ESI").arg(locale.toString(result.referencesQueued));
        }
        if (!result.storageError.isEmpty()) {
            summary += tr("; stopped by a database error: %1").arg(result.storageError);
        } else if (!result.rejected.empty()) {
            summary += tr("; first refused: %1: %2").arg(result.rejected.front().where, result.rejected.front().reason);
        }
        return ImportOutcome{result.clean(), result.interrupted, summary};
    });
}

std::unique_ptr<ImportRun> ImportRun::prices(DatabaseUrl url, QStringList files, bool allRegions)
{
    return std::make_unique<ImportRun>([url = std::move(url), files = std::move(files),
                                        allRegions](const std::atomic<bool>& cancelled, const auto& report) {
        Database database(url);
        PriceHistoryImporter importer(database, PriceHistoryImporter::Options{allRegions, &cancelled});
        ProgressMeter meter(files.size());
        importer.setProgressCallback([&meter, &report](int index, int /*count*/, const QString& /*path*/) {
            report(meter.snapshot(index, index));
        });
        const PriceImportResult result = importer.importFiles(files);
        report(meter.snapshot(result.files, files.size()));
        const QLocale locale;
        QString summary =
            tr("%1 of %2 files, %3 rows imported, %4 unchanged, %5 bad rows")
                .arg(locale.toString(result.files), locale.toString(files.size()), locale.toString(result.rowsImported),
                     locale.toString(result.rowsUnchanged), locale.toString(result.badRowCount));
        if (!result.failedFiles.isEmpty()) {
            summary += tr("; failed: %1").arg(result.failedFiles.front().toString());
        }
        return ImportOutcome{result.clean() && !cancelled, cancelled.load(), summary};
    });
}

ImportRun::ImportRun(Work work, QObject* parent)
    : QObject(parent)
    , m_work(std::move(work))
{
}

ImportRun::~ImportRun()
{
    if (m_thread) {
        m_cancelled = true;
        m_thread->wait();
    }
}

void ImportRun::start()
{
    m_thread.reset(QThread::create([this] {
        ImportOutcome outcome;
        try {
            outcome = m_work(m_cancelled, [this](const ProgressSnapshot& snapshot) { Q_EMIT progress(snapshot); });
        } catch (const StorageError& error) {
            outcome.cancelled = m_cancelled;
            outcome.summary = tr("stopped by a database error: %1").arg(error.message());
        }
        Q_EMIT finished(outcome);
    }));
    m_thread->setObjectName(QStringLiteral("import"));
    m_thread->start();
}

} // namespace km
