#include "backfills/BackfillsView.h"

#include "backfills/JobModel.h"
#include "common/Tables.h"
#include "runtime/BackfillRun.h"
#include "runtime/Engine.h" // publicHttpSettings()
#include "runtime/EngineView.h"
#include "runtime/ImportRun.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace km::ui {
namespace {

/// "a.json, b.json and 3 more".
QString shortList(const QStringList& paths)
{
    QStringList names;
    for (const QString& path : paths.first(std::min<qsizetype>(paths.size(), 2))) {
        names << QFileInfo(path).fileName();
    }
    const QString shown = names.join(QStringLiteral(", "));
    return paths.size() > 2 ? BackfillsView::tr("%1 and %n more", nullptr, int(paths.size() - 2)).arg(shown) : shown;
}

} // namespace

BackfillsView::BackfillsView(EngineView& engine, QWidget* parent)
    : BackfillsView(engine.databaseUrl(), engine.settings(), &engine, parent)
{
    // A backfill or import reads the schema the engine brings up to date first.
    connect(&engine, &EngineView::working, this, [this] {
        m_caption->clear();
        updateActions();
    });
    connect(&engine, &EngineView::stopped, this, &BackfillsView::updateActions);
    updateActions();
}

BackfillsView::BackfillsView(const DatabaseUrl& database, const EngineSettings& settings, QWidget* parent)
    : BackfillsView(database, settings, nullptr, parent)
{
    updateActions();
}

BackfillsView::BackfillsView(DatabaseUrl database, EngineSettings settings, EngineView* engine, QWidget* parent)
    : QWidget(parent)
    , m_database(std::move(database))
    , m_settings(std::move(settings))
    , m_engine(engine)
    , m_model(new JobModel(this))
    , m_table(sortedTable(m_model, JobModel::SortRole, this))
    , m_progress(new QProgressBar(this))
    , m_caption(new QLabel(this))
    , m_newBackfill(new QAction(tr("&New backfill…"), this))
    , m_importKillmails(new QAction(tr("Import &killmails…"), this))
    , m_importPrices(new QAction(tr("Import &prices…"), this))
    , m_cancel(new QAction(tr("&Cancel"), this))
{
    auto* toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_newBackfill);
    auto* killmailMenu = new QMenu(this);
    killmailMenu->addAction(tr("&Files or archives…"), this, &BackfillsView::chooseKillmailFiles);
    killmailMenu->addAction(tr("F&older…"), this, &BackfillsView::chooseKillmailFolder);
    m_importKillmails->setMenu(killmailMenu);
    toolbar->addAction(m_importKillmails);
    if (auto* button = qobject_cast<QToolButton*>(toolbar->widgetForAction(m_importKillmails))) {
        button->setPopupMode(QToolButton::InstantPopup);
    }
    toolbar->addAction(m_importPrices);
    toolbar->addSeparator();
    toolbar->addAction(m_cancel);
    m_cancel->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    connect(m_newBackfill, &QAction::triggered, this, &BackfillsView::newBackfill);
    connect(m_importPrices, &QAction::triggered, this, &BackfillsView::choosePriceFiles);
    connect(m_cancel, &QAction::triggered, this, &BackfillsView::cancel);

    auto* running = new QHBoxLayout;
    running->addWidget(m_progress, 1);
    running->addWidget(m_caption);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(toolbar);
    layout->addLayout(running);
    layout->addWidget(m_table);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
}

BackfillsView::~BackfillsView() = default;

QSortFilterProxyModel* BackfillsView::sortedModel() const
{
    return qobject_cast<QSortFilterProxyModel*>(m_table->model());
}

void BackfillsView::newBackfill()
{
    auto* dialog = new BackfillDialog(m_settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (const std::optional<BackfillRequest> request = dialog->request()) {
            startBackfill(*request);
        }
    });
    dialog->open();
}

void BackfillsView::startBackfill(const BackfillRequest& request)
{
    if (!canStart()) {
        return;
    }
    m_running = m_model->add(request.kind, request.parameters, JobModel::JobState::Finding);
    m_backfill = std::make_unique<BackfillRun>(
        m_database, publicHttpSettings(m_settings), request.factory,
        // Attached, the killmails are queued for the engines sharing the database, as with --enqueue-only.
        request.queuesJobs && m_engine ? BackfillProcessing::Elsewhere : BackfillProcessing::NotAwaited);
    connect(m_backfill.get(), &BackfillRun::progress, this,
            [this](BackfillRun::Phase phase, const ProgressSnapshot& snapshot) {
                m_model->setProgress(m_running,
                                     phase == BackfillRun::Phase::Finding ? JobModel::JobState::Finding
                                                                          : JobModel::JobState::Processing,
                                     snapshot);
                showProgress(m_running, snapshot);
            });
    connect(m_backfill.get(), &BackfillRun::finished, this, &BackfillsView::onBackfillFinished);
    m_backfill->start();
    showProgress(m_running, {});
    updateActions();
}

void BackfillsView::importKillmails(const QStringList& paths)
{
    m_importsPrices = false;
    startImport(ImportRun::killmails(m_database, paths), tr("Killmail import"), paths);
}

void BackfillsView::importPrices(const QStringList& files)
{
    m_importsPrices = true;
    startImport(ImportRun::prices(m_database, files), tr("Price import"), files);
}

void BackfillsView::startImport(std::unique_ptr<ImportRun> run, const QString& kind, const QStringList& paths)
{
    if (!canStart() || paths.isEmpty()) {
        return;
    }
    m_running = m_model->add(kind, shortList(paths), JobModel::JobState::Importing);
    m_import = std::move(run);
    connect(m_import.get(), &ImportRun::progress, this, [this](const ProgressSnapshot& snapshot) {
        m_model->setProgress(m_running, JobModel::JobState::Importing, snapshot);
        showProgress(m_running, snapshot);
    });
    connect(m_import.get(), &ImportRun::finished, this, &BackfillsView::onImportFinished);
    m_import->start();
    showProgress(m_running, {});
    updateActions();
}

void BackfillsView::cancel()
{
    if (!isRunning()) {
        return;
    }
    m_model->setState(m_running, JobModel::JobState::Cancelling);
    if (m_backfill) {
        m_backfill->cancel();
    } else {
        m_import->cancel();
    }
    updateActions();
}

void BackfillsView::showProgress(int row, const ProgressSnapshot& snapshot)
{
    const int percent = JobModel::percent(snapshot);
    if (percent < 0) {
        m_progress->setRange(0, 0); // busy until a total is known
    } else {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    }
    QStringList caption{JobModel::stateName(m_model->state(row))};
    if (const QString rate = JobModel::rateText(snapshot); !rate.isEmpty()) {
        caption << rate;
    }
    if (const QString eta = JobModel::etaText(snapshot); !eta.isEmpty()) {
        caption << tr("ETA %1").arg(eta);
    }
    m_caption->setText(caption.join(QStringLiteral(" · ")));
}

void BackfillsView::onBackfillFinished(const BackfillResult& result)
{
    const SourceStatus& found = result.source;
    QString summary =
        tr("%1 killmails found, %2 queued, %3 errors").arg(found.received).arg(found.queued).arg(found.errors);
    if (!found.lastError.isEmpty()) {
        summary += tr("; last error: %1").arg(found.lastError);
    }
    JobModel::JobState state = JobModel::JobState::Finished;
    if (result.cancelled) {
        state = JobModel::JobState::Cancelled;
        summary += tr("; start it again to resume");
    } else if (!result.finished()) {
        state = JobModel::JobState::Unfinished;
        summary += tr("; start it again to resume");
    }
    m_model->setEnded(m_running, state, summary);
    m_backfill.release()->deleteLater();
    ended();
}

void BackfillsView::onImportFinished(const ImportOutcome& outcome)
{
    JobModel::JobState state = JobModel::JobState::Finished;
    if (outcome.cancelled) {
        state = JobModel::JobState::Cancelled;
    } else if (!outcome.clean) {
        state = JobModel::JobState::Unfinished;
    }
    m_model->setEnded(m_running, state, outcome.summary);
    if (m_importsPrices && m_engine) { // attached engines read the new prices at their next price refresh
        m_engine->dropPriceCaches();
    }
    m_import.release()->deleteLater();
    ended();
}

void BackfillsView::ended()
{
    m_progress->setRange(0, 100);
    m_progress->setValue(m_model->state(m_running) == JobModel::JobState::Finished ? 100 : m_progress->value());
    m_caption->setText(JobModel::stateName(m_model->state(m_running)));
    m_running = -1;
    updateActions();
}

void BackfillsView::updateActions()
{
    for (QAction* start : {m_newBackfill, m_importKillmails, m_importPrices}) {
        start->setEnabled(canStart());
    }
    m_cancel->setEnabled(isRunning() && m_model->state(m_running) != JobModel::JobState::Cancelling);
    if (!isRunning() && !engineReady()) {
        m_caption->setText(tr("Backfills and imports can start once the engine has reached the database."));
    }
}

bool BackfillsView::canStart() const { return !isRunning() && engineReady(); }

bool BackfillsView::engineReady() const { return !m_engine || m_engine->isWorking(); }

void BackfillsView::chooseKillmailFiles()
{
    importKillmails(QFileDialog::getOpenFileNames(
        this, tr("Import killmails"), {},
        tr("Killmails and archives (*.json *.json.bz2 *.json.gz *.tar *.tar.bz2 *.tar.gz *.zip);;All files (*)")));
}

void BackfillsView::chooseKillmailFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Import a folder of killmails"));
    if (!folder.isEmpty()) {
        importKillmails({folder});
    }
}

void BackfillsView::choosePriceFiles()
{
    importPrices(QFileDialog::getOpenFileNames(this, tr("Import market history"), {},
                                               tr("EVE Ref market history (*.csv *.csv.bz2);;All files (*)")));
}

} // namespace km::ui
