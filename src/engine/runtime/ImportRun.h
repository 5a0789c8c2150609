#pragma once

#include "storage/DatabaseUrl.h"
#include "util/ProgressMeter.h"

#include <QObject>
#include <QStringList>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace km {

/// How an import ended, in words for the window (the command line prints the importers' full reports itself).
struct ImportOutcome {
    /// Everything was read and stored, nothing refused.
    bool clean = false;
    bool cancelled = false;
    /// "1,234 stored, 12 duplicates, 0 rejected".
    QString summary;
};

/**
 * An import (killmail files, folders and archives through the KillmailImporter, or market-history files through
 * the PriceHistoryImporter) on a thread of its own with its own connection, for a client whose thread must not
 * wait (the window): progress() while it runs, finished() once. cancel() stops it after what it has read (what was
 * stored is kept; the same import run again skips it). Destroying the run cancels it and waits for its thread.
 */
class ImportRun : public QObject {
    Q_OBJECT
public:
    /// Reports progress from the import's thread; `cancelled` is set when the client asks it to stop.
    using Work = std::function<ImportOutcome(const std::atomic<bool>& cancelled,
                                             const std::function<void(const ProgressSnapshot&)>& report)>;

    static std::unique_ptr<ImportRun> killmails(DatabaseUrl url, QStringList paths);
    static std::unique_ptr<ImportRun> prices(DatabaseUrl url, QStringList files, bool allRegions = false);

    explicit ImportRun(Work work, QObject* parent = nullptr);
    ~ImportRun() override;

    void start();
    void cancel() { m_cancelled = true; }

Q_SIGNALS:
    void progress(const km::ProgressSnapshot& snapshot);
    void finished(const km::ImportOutcome& outcome);

private:
    Work m_work;
    std::atomic<bool> m_cancelled = false;
    std::unique_ptr<QThread> m_thread;
};

} // namespace km

Q_DECLARE_METATYPE(km::ImportOutcome)
