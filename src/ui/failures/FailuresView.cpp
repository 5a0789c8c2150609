#include "failures/FailuresView.h"

#include "common/Tables.h"
#include "failures/FailedJobsModel.h"
#include "queue/QueueAdmin.h"
#include "runtime/DatabaseThread.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace km::ui {

FailuresView::FailuresView(DatabaseThread& database, QWidget* parent)
    : QWidget(parent)
    , m_database(&database)
    , m_model(new FailedJobsModel(this))
    , m_table(sortedTable(m_model, FailedJobsModel::SortRole, this))
    , m_summary(new QLabel(this))
    , m_outcome(new QLabel(this))
    , m_problem(new QLabel(this))
{
    m_problem->setWordWrap(true);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet(QStringLiteral("QLabel { background: #b3261e; color: white; padding: 6px; }"));
    m_problem->hide();
    m_outcome->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto* bar = new QToolBar(this);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_retrySelected =
        createAction(tr("&Retry selected"), QKeySequence(Qt::CTRL | Qt::Key_R), &FailuresView::retrySelected);
    m_retryAll =
        createAction(tr("Retry &all"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), &FailuresView::retryAll);
    m_deleteSelected =
        createAction(tr("&Delete selected…"), QKeySequence(QKeySequence::Delete), &FailuresView::deleteSelected);
    m_clearAll = createAction(tr("C&lear failed…"), {}, &FailuresView::clearAll);
    m_copyDetails = createAction(tr("&Copy details"), QKeySequence(QKeySequence::Copy), &FailuresView::copyDetails);
    QAction* reread = createAction(tr("Re&fresh"), QKeySequence(QKeySequence::Refresh), &FailuresView::refresh);
    m_retrySelected->setToolTip(tr("Put the selected jobs back to wait with fresh attempts (Ctrl+R)"));
    m_retryAll->setToolTip(tr("Put every failed job of every queue back to wait (Ctrl+Shift+R)"));
    m_deleteSelected->setToolTip(tr("Delete the selected jobs (Delete)"));
    m_clearAll->setToolTip(tr("Delete every failed job of every queue"));
    m_copyDetails->setToolTip(tr("Copy the selected jobs' key, queue, attempts, time, whole error and payload"));
    bar->addActions({m_retrySelected, m_retryAll, m_deleteSelected, m_clearAll});
    bar->addSeparator();
    bar->addActions({m_copyDetails, reread});
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addActions({m_retrySelected, m_deleteSelected, m_copyDetails});
    m_table->sortByColumn(FailedJobsModel::FailedAt, Qt::DescendingOrder);
    m_table->setColumnWidth(FailedJobsModel::Queue, 100);
    m_table->setColumnWidth(FailedJobsModel::Key, 110);
    m_table->setColumnWidth(FailedJobsModel::Attempts, 70);
    m_table->setColumnWidth(FailedJobsModel::FailedAt, 150);

    auto* footer = new QHBoxLayout;
    footer->addWidget(m_summary, 1);
    footer->addWidget(m_outcome, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_problem);
    layout->addWidget(bar);
    layout->addWidget(m_table, 1);
    layout->addLayout(footer);

    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FailuresView::updateActions);
    updateActions();
    refresh();
}

QAction* FailuresView::createAction(const QString& text, const QKeySequence& shortcut, void (FailuresView::*slot)())
{
    auto* action = new QAction(text, this);
    action->setShortcut(shortcut);
    // Only while the tab is shown and has the focus: Delete and Ctrl+C mean other things elsewhere.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QWidget::addAction(action);
    connect(action, &QAction::triggered, this, slot);
    return action;
}

void FailuresView::refresh()
{
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    m_database->run<FailedJobsPage>(
        [](Database& database) { return QueueAdmin(database).failedPage(std::nullopt, listLimit); }, this,
        [this](QFuture<FailedJobsPage> read) {
            try {
                showPage(read.result());
            } catch (const std::exception& error) {
                showProblem(tr("The failed jobs cannot be read: %1").arg(QString::fromStdString(error.what())));
            }
            readFinished();
        });
}

void FailuresView::readFinished()
{
    m_reading = false;
    if (m_readAgain) {
        m_readAgain = false;
        refresh();
    }
}

void FailuresView::showPage(const FailedJobsPage& page)
{
    showProblem({});
    m_total = page.total;
    m_newestFailureMs = page.newestFailureMs;
    m_model->setJobs(page.jobs);
    m_summary->setText(
        page.total > qint64(page.jobs.size())
            ? tr("%Ln failed job(s); the %L1 most recent are shown", nullptr, int(page.total)).arg(page.jobs.size())
            : tr("%Ln failed job(s)", nullptr, int(page.total)));
    updateActions();
}

void FailuresView::showProblem(const QString& problem)
{
    m_problem->setVisible(!problem.isEmpty());
    m_problem->setText(problem);
}

void FailuresView::updateActions()
{
    const bool selected = m_table->selectionModel()->hasSelection();
    m_retrySelected->setEnabled(selected);
    m_deleteSelected->setEnabled(selected);
    m_copyDetails->setEnabled(selected);
    m_retryAll->setEnabled(m_total > 0);
    m_clearAll->setEnabled(m_total > 0);
}

std::vector<FailedJob> FailuresView::selectedJobs() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    const auto* sorted = qobject_cast<const QSortFilterProxyModel*>(m_table->model());
    std::vector<FailedJob> jobs;
    jobs.reserve(std::size_t(rows.size()));
    for (const QModelIndex& row : rows) {
        jobs.push_back(m_model->job(sorted->mapToSource(row).row()));
    }
    return jobs;
}

QList<qint64> FailuresView::selectedIds() const
{
    QList<qint64> ids;
    for (const FailedJob& job : selectedJobs()) {
        ids << job.id;
    }
    return ids;
}

void FailuresView::retrySelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty()) {
        return;
    }
    change([ids](Database& database) { return QueueAdmin(database).retryFailed(FailedJobSelection{.ids = ids}); },
           [](int count) { return tr("%n job(s) put back to wait", nullptr, count); });
}

void FailuresView::retryAll()
{
    change([](Database& database) { return QueueAdmin(database).retryFailed(FailedJobSelection{}); },
           [](int count) { return tr("%n job(s) put back to wait", nullptr, count); });
}

void FailuresView::deleteSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty()) {
        return;
    }
    confirm(
        tr("Delete the %n selected failed job(s)? They cannot be retried afterwards.", nullptr, int(ids.size())),
        tr("Delete"), [this, ids] {
            change(
                [ids](Database& database) { return QueueAdmin(database).clearFailed(FailedJobSelection{.ids = ids}); },
                [](int count) { return tr("%n failed job(s) deleted", nullptr, count); });
        });
}

void FailuresView::clearAll()
{
    if (m_total == 0) {
        return;
    }
    // What the operator is told is what goes: a job that fails meanwhile stays.
    const qint64 upTo = m_newestFailureMs;
    confirm(tr("Delete all %n failed job(s) of every queue? They cannot be retried afterwards.", nullptr, int(m_total)),
            tr("Delete all"), [this, upTo] {
                change(
                    [upTo](Database& database) {
                        return QueueAdmin(database).clearFailed(FailedJobSelection{.failedUpToMs = upTo});
                    },
                    [](int count) { return tr("%n failed job(s) deleted", nullptr, count); });
            });
}

QString FailuresView::details(const FailedJob& job)
{
    const QJsonDocument json = QJsonDocument::fromJson(job.payload);
    const QString payload =
        json.isNull() ? QString::fromUtf8(job.payload) : QString::fromUtf8(json.toJson(QJsonDocument::Indented));
    return QStringList{tr("Key: %1").arg(job.dedupKey),
                       tr("Queue: %1").arg(job.queue),
                       tr("Attempts: %1").arg(job.attempts),
                       tr("Failed: %1 UTC").arg(FailedJobsModel::timeText(job.finishedAtMs)),
                       tr("Error:"),
                       job.lastError,
                       tr("Payload:"),
                       payload.trimmed()}
        .join(u'\n');
}

void FailuresView::copyDetails()
{
    const std::vector<FailedJob> jobs = selectedJobs();
    if (jobs.empty()) {
        return;
    }
    QStringList all;
    for (const FailedJob& job : jobs) {
        all << details(job);
    }
    QApplication::clipboard()->setText(all.join(QStringLiteral("\n\n")) + u'\n');
    m_outcome->setText(tr("Details of %n job(s) copied", nullptr, int(jobs.size())));
}

void FailuresView::confirm(const QString& question, const QString& confirm, std::function<void()> accepted)
{
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Failed jobs"), question, QMessageBox::Cancel, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton* yes = box->addButton(confirm, QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(yes, &QPushButton::clicked, this, std::move(accepted));
    box->open();
}

void FailuresView::change(std::function<int(Database&)> change, std::function<QString(int)> outcome)
{
    m_database->run<int>(std::move(change), this, [this, outcome = std::move(outcome)](QFuture<int> changed) {
        try {
            m_outcome->setText(outcome(changed.result()));
        } catch (const std::exception& error) {
            m_outcome->setText(tr("Not done: %1").arg(QString::fromStdString(error.what())));
        }
    });
    // The database thread runs this read after the change.
    refresh();
}

} // namespace km::ui
