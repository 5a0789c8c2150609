#pragma once

#include "backfills/BackfillDialog.h"
#include "config/EngineSettings.h"
#include "storage/DatabaseUrl.h"

#include <QWidget>

#include <memory>

class QAction;
class QLabel;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

namespace km {
class BackfillRun;
class EngineView;
class ImportRun;
struct BackfillResult;
struct ImportOutcome;
struct ProgressSnapshot;
} // namespace km

namespace km::ui {

class JobModel;

/**
 * The backfills and imports tab: starts a backfill (BackfillDialog), an import of killmail files, folders or
 * archives, or an import of market-history files; shows the running one's progress with rate and ETA, cancels it,
 * and lists this session's jobs. One runs at a time, so that two runs never share a backfill's cursor. The work runs
 * on engine threads (BackfillRun, ImportRun); the killmails a backfill queues are processed by the engine's workers,
 * or, in a console attached to a fleet, by the engines sharing the database (the backfill only queues them).
 */
class BackfillsView : public QWidget {
    Q_OBJECT
public:
    explicit BackfillsView(EngineView& engine, QWidget* parent = nullptr);
    /// Attached: no engine of its own; `settings` are the configured ones (the services' URLs).
    BackfillsView(const DatabaseUrl& database, const EngineSettings& settings, QWidget* parent = nullptr);
    ~BackfillsView() override;

    [[nodiscard]] JobModel* model() const { return m_model; }
    [[nodiscard]] QSortFilterProxyModel* sortedModel() const;
    [[nodiscard]] QTableView* table() const { return m_table; }
    [[nodiscard]] QProgressBar* progressBar() const { return m_progress; }
    [[nodiscard]] QLabel* progressLabel() const { return m_caption; }
    [[nodiscard]] QAction* newBackfillAction() const { return m_newBackfill; }
    [[nodiscard]] QAction* cancelAction() const { return m_cancel; }
    [[nodiscard]] bool isRunning() const { return m_running >= 0; }
    /// Nothing runs, and the engine works (its schema is up to date), or there is no engine of its own.
    [[nodiscard]] bool canStart() const;

    /// Opens the "New backfill" dialog (non-modal); accepting it starts the backfill.
    void newBackfill();
    void startBackfill(const BackfillRequest& request);
    void importKillmails(const QStringList& paths);
    void importPrices(const QStringList& files);
    void cancel();

private:
    BackfillsView(DatabaseUrl database, EngineSettings settings, EngineView* engine, QWidget* parent);
    [[nodiscard]] bool engineReady() const;
    void chooseKillmailFiles();
    void chooseKillmailFolder();
    void choosePriceFiles();
    void startImport(std::unique_ptr<ImportRun> run, const QString& kind, const QStringList& paths);
    void showProgress(int row, const ProgressSnapshot& snapshot);
    void onBackfillFinished(const BackfillResult& result);
    void onImportFinished(const ImportOutcome& outcome);
    /// The running job has ended: its run goes (later, outside its own signal) and new jobs may start.
    void ended();
    void updateActions();

    DatabaseUrl m_database;
    EngineSettings m_settings;
    /// Null when attached.
    EngineView* m_engine;
    JobModel* m_model;
    QTableView* m_table;
    QProgressBar* m_progress;
    QLabel* m_caption;
    QAction* m_newBackfill;
    QAction* m_importKillmails;
    QAction* m_importPrices;
    QAction* m_cancel;
    std::unique_ptr<BackfillRun> m_backfill;
    std::unique_ptr<ImportRun> m_import;
    bool m_importsPrices = false;
    int m_running = -1;
};

} // namespace km::ui
