#pragma once

#include <QWidget>

class QLabel;

namespace km {
class Engine;
}

namespace km::ui {

class QueueModel;
class SourceModel;

/**
 * The engine health tab: the ingestion rate, the failure alert and the database's state on top, then the queues'
 * backlog and the sources' states. Everything comes from the engine's signals; nothing is polled or queried here.
 */
class HealthView : public QWidget {
    Q_OBJECT
public:
    explicit HealthView(Engine& engine, QWidget* parent = nullptr);

    [[nodiscard]] QueueModel* queueModel() const { return m_queues; }
    [[nodiscard]] SourceModel* sourceModel() const { return m_sources; }
    [[nodiscard]] QLabel* rateLabel() const { return m_rate; }
    [[nodiscard]] QLabel* databaseLabel() const { return m_database; }
    [[nodiscard]] QLabel* esiLabel() const { return m_esi; }

private:
    void showSample();
    void showDatabaseProblem(const QString& problem);

    Engine& m_engine;
    QueueModel* m_queues;
    SourceModel* m_sources;
    QLabel* m_rate;
    QLabel* m_alert;
    QLabel* m_database;
    QLabel* m_esi;
};

} // namespace km::ui
