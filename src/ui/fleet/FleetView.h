#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace km {
class FleetMonitor;
}

namespace km::ui {

class EngineReportModel;
class QueueModel;
class SourceModel;

/**
 * The engines tab of a console attached to a fleet: every engine sharing the database with its state, rate and
 * sources (those of the selected engine below), the queues' backlog, and whether the database answers. All of it
 * comes from the FleetMonitor's signals.
 */
class FleetView : public QWidget {
    Q_OBJECT
public:
    explicit FleetView(FleetMonitor& fleet, QWidget* parent = nullptr);

    [[nodiscard]] EngineReportModel* engineModel() const { return m_engines; }
    [[nodiscard]] QueueModel* queueModel() const { return m_queues; }
    [[nodiscard]] SourceModel* sourceModel() const { return m_sources; }
    [[nodiscard]] QTableView* engineTable() const { return m_engineTable; }
    [[nodiscard]] QLabel* summaryLabel() const { return m_summary; }

private:
    void showSummary();
    /// After a refresh: selects the engine selected before (the newest when it is gone).
    void reselectEngine();
    void showSelectedEngine();
    void showDatabaseProblem(const QString& problem);

    EngineReportModel* m_engines;
    QueueModel* m_queues;
    SourceModel* m_sources;
    QTableView* m_engineTable;
    QLabel* m_summary;
    QLabel* m_database;
    QString m_selectedEngine;
};

} // namespace km::ui
