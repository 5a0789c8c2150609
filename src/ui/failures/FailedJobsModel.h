#pragma once

#include "queue/Job.h"

#include <QAbstractTableModel>

#include <vector>

namespace km::ui {

/// One row per failed job of any queue, as the database last listed them.
class FailedJobsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Queue, Key, Attempts, FailedAt, LastError, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int JobIdRole = Qt::UserRole + 2;

    explicit FailedJobsModel(QObject* parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// Shows `jobs`: rows gone from the list are removed, new ones added and the others updated in place, so that
    /// the operator's selection survives a refresh.
    void setJobs(const std::vector<FailedJob>& jobs);
    [[nodiscard]] const FailedJob& job(int row) const { return m_rows.at(std::size_t(row)); }

    /// "2026-12-07 14:58:17": a failure's time in UTC, as the console shows times.
    [[nodiscard]] static QString timeText(qint64 msSinceEpoch);

private:
    void removeRowsNotIn(const std::vector<FailedJob>& jobs);

    std::vector<FailedJob> m_rows;
};

} // namespace km::ui
