#pragma once

#include "runtime/EngineReport.h"

#include <QAbstractTableModel>

namespace km::ui {

/// One row per engine sharing the database, as its last report says, the most recently started first.
class EngineReportModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Host, Process, State, Rate, Started, LastReport, Sources, LastError, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit EngineReportModel(QObject* parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    [[nodiscard]] const EngineReport& report(int row) const { return m_reports.at(row); }
    /// Engines reporting and running (not stopped, not silent).
    [[nodiscard]] int runningCount() const;

public Q_SLOTS:
    void setReports(const QList<km::EngineReport>& reports);

private:
    [[nodiscard]] bool isSilent(const EngineReport& report) const;
    [[nodiscard]] QString stateText(const EngineReport& report) const;
    [[nodiscard]] static QString sourcesText(const EngineReport& report);
    [[nodiscard]] static QString lastError(const EngineReport& report);

    QList<EngineReport> m_reports;
    QDateTime m_readAt;
};

} // namespace km::ui
