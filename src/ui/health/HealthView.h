#pragma once

#include <QWidget>

#include <chrono>

class QComboBox;
class QLabel;

namespace km {
class EngineView;
}

namespace km::ui {

class QueueModel;
class RateChart;
class SourceButtons;
class SourceModel;

/**
 * The engine health tab: the failure alert and the database's state on top, the ingestion rate and ESI's budgets,
 * charts of the killmails and ESI requests per second (the last 5 minutes or hour), then the queues' backlog and the
 * sources' states with a Stop/Start button each. Everything comes from the engine's signals; nothing is polled or
 * queried here.
 */
class HealthView : public QWidget {
    Q_OBJECT
public:
    explicit HealthView(EngineView& engine, QWidget* parent = nullptr);

    [[nodiscard]] QueueModel* queueModel() const { return m_queues; }
    [[nodiscard]] SourceModel* sourceModel() const { return m_sources; }
    [[nodiscard]] QLabel* rateLabel() const { return m_rate; }
    [[nodiscard]] QLabel* databaseLabel() const { return m_database; }
    [[nodiscard]] QLabel* esiLabel() const { return m_esi; }
    [[nodiscard]] QLabel* alertBanner() const { return m_alert; }
    [[nodiscard]] RateChart* killmailChart() const { return m_killmailChart; }
    [[nodiscard]] RateChart* esiChart() const { return m_esiChart; }
    /// Chooses what the charts span: the last 5 minutes or the last hour.
    [[nodiscard]] QComboBox* chartSpanBox() const { return m_chartSpan; }
    [[nodiscard]] SourceButtons* sourceButtons() const { return m_sourceButtons; }

private:
    QWidget* createCharts();
    void showSample();
    void showCharts();
    void showDatabaseProblem(const QString& problem);

    EngineView& m_engine;
    QueueModel* m_queues;
    SourceModel* m_sources;
    QLabel* m_rate;
    QLabel* m_alert;
    QLabel* m_database;
    QLabel* m_esi;
    RateChart* m_killmailChart;
    RateChart* m_esiChart;
    QComboBox* m_chartSpan;
    SourceButtons* m_sourceButtons = nullptr;
};

} // namespace km::ui
