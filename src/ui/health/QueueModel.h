#pragma once

#include "queue/Job.h"
#include "queue/QueueRunner.h"

#include <QAbstractTableModel>
#include <QMap>

#include <vector>

namespace km::ui {

/// One row per queue: its backlog as last read from the database, and what this engine's runner did since start.
class QueueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Queue, Waiting, Active, Delayed, Failed, OldestWaiting, Done, Retried, FailedHere, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit QueueModel(QObject* parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

public Q_SLOTS:
    void setBacklog(const std::vector<km::QueueStats>& backlog);
    void setCounters(const QMap<QString, km::RunnerCounters>& counters);

private:
    struct Row {
        QueueStats backlog;
        RunnerCounters counters;
    };
    /// The row of `queue`, added (in name order) when it is new.
    Row& rowOf(const QString& queue);
    void rowsChanged();
    [[nodiscard]] static qint64 number(const Row& row, int column);

    std::vector<Row> m_rows;
};

} // namespace km::ui
