#pragma once

#include "util/ProgressMeter.h"

#include <QAbstractTableModel>

#include <vector>

namespace km::ui {

/// The backfills and imports of this session, oldest first: what each is, how far it got and how it ended.
class JobModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Kind, Parameters, State, Progress, Rate, Eta, Result, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    enum class JobState { Finding, Processing, Importing, Cancelling, Finished, Unfinished, Cancelled };

    explicit JobModel(QObject* parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// Adds a running job; returns its row.
    int add(const QString& kind, const QString& parameters, JobState state);
    void setProgress(int row, JobState state, const ProgressSnapshot& snapshot);
    void setState(int row, JobState state);
    void setEnded(int row, JobState state, const QString& result);

    [[nodiscard]] JobState state(int row) const { return m_rows.at(std::size_t(row)).state; }
    [[nodiscard]] const ProgressSnapshot& progress(int row) const { return m_rows.at(std::size_t(row)).progress; }
    [[nodiscard]] static QString stateName(JobState state);
    /// Rate and ETA, as the progress bar's caption shows them.
    [[nodiscard]] static QString rateText(const ProgressSnapshot& snapshot);
    [[nodiscard]] static QString etaText(const ProgressSnapshot& snapshot);
    /// 0 to 100; -1 when the total is unknown.
    [[nodiscard]] static int percent(const ProgressSnapshot& snapshot);

private:
    struct Row {
        QString kind;
        QString parameters;
        JobState state = JobState::Finding;
        ProgressSnapshot progress;
        QString result;
    };
    void rowChanged(int row);

    std::vector<Row> m_rows;
};

} // namespace km::ui
