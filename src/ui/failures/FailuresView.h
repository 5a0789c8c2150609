#pragma once

#include "queue/Job.h"

#include <QWidget>

#include <functional>
#include <vector>

class QAction;
class QLabel;
class QTableView;

namespace km {
class Database;
class DatabaseThread;
struct FailedJobsPage;
} // namespace km

namespace km::ui {

class FailedJobsModel;

/**
 * The failures tab: the failed jobs of every queue in `database`, most recent first, to retry, delete or copy. It
 * reads them again on refresh() (the window calls it when the engine's backlog changes) and after each action. Every
 * read and change runs on the window's database thread and comes back as a future; a database that cannot be reached
 * is said in the tab.
 */
class FailuresView : public QWidget {
    Q_OBJECT
public:
    explicit FailuresView(DatabaseThread& database, QWidget* parent = nullptr);

    /// At most this many failed jobs are listed: the most recent.
    static constexpr int listLimit = 1000;

    [[nodiscard]] FailedJobsModel* model() const { return m_model; }
    [[nodiscard]] QTableView* table() const { return m_table; }
    /// How many failed jobs there are and how many are shown.
    [[nodiscard]] QLabel* summaryLabel() const { return m_summary; }
    /// What the last action did, or why it could not.
    [[nodiscard]] QLabel* outcomeLabel() const { return m_outcome; }
    /// Why the failed jobs could not be read; hidden while the database answers.
    [[nodiscard]] QLabel* problemLabel() const { return m_problem; }
    [[nodiscard]] QAction* retrySelectedAction() const { return m_retrySelected; }
    [[nodiscard]] QAction* retryAllAction() const { return m_retryAll; }
    [[nodiscard]] QAction* deleteSelectedAction() const { return m_deleteSelected; }
    [[nodiscard]] QAction* clearAllAction() const { return m_clearAll; }
    [[nodiscard]] QAction* copyDetailsAction() const { return m_copyDetails; }

    /// What "Copy details" puts on the clipboard for one job.
    [[nodiscard]] static QString details(const FailedJob& job);

public Q_SLOTS:
    /// Reads the failed jobs again; while a read runs, one more follows it.
    void refresh();

private:
    QAction* createAction(const QString& text, const QKeySequence& shortcut, void (FailuresView::*slot)());
    void readFinished();
    void showPage(const FailedJobsPage& page);
    void showProblem(const QString& problem);
    void updateActions();
    [[nodiscard]] std::vector<FailedJob> selectedJobs() const;
    [[nodiscard]] QList<qint64> selectedIds() const;

    void retrySelected();
    void retryAll();
    void deleteSelected();
    void clearAll();
    void copyDetails();
    /// Asks `question`; `accepted` runs only when the operator confirms with the `confirm` button.
    void confirm(const QString& question, const QString& confirm, std::function<void()> accepted);
    /// Runs `change` on the database thread, then shows `outcome` of the number of jobs it returned.
    void change(std::function<int(Database&)> change, std::function<QString(int)> outcome);

    DatabaseThread* m_database;
    FailedJobsModel* m_model;
    QTableView* m_table;
    QLabel* m_summary;
    QLabel* m_outcome;
    QLabel* m_problem;
    QAction* m_retrySelected = nullptr;
    QAction* m_retryAll = nullptr;
    QAction* m_deleteSelected = nullptr;
    QAction* m_clearAll = nullptr;
    QAction* m_copyDetails = nullptr;
    qint64 m_total = 0;
    qint64 m_newestFailureMs = 0;
    bool m_reading = false;
    bool m_readAgain = false;
};

} // namespace km::ui
