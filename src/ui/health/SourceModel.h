#pragma once

#include "sources/SourceStatus.h"

#include <QAbstractTableModel>

#include <functional>
#include <vector>

namespace km::ui {

/**
 * One row per source (live feed or backfill), as its latest status reports it, with its delivery rate. The Action
 * column names what the operator can do to it (Stop while it runs, Start once it stopped); its sort role says
 * whether it runs.
 */
class SourceModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, State, Action, Rate, Received, Queued, Errors, LastKill, Detail, LastError, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    /// Killmails per second a source delivered lately, by name.
    using RateOf = std::function<double(const QString& source)>;

    explicit SourceModel(RateOf rateOf, QObject* parent = nullptr);

    /// Whether a source in `state` runs (and can be stopped) rather than stopped or finished (and can be started).
    [[nodiscard]] static bool runs(SourceState state);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

public Q_SLOTS:
    void setStatus(const km::SourceStatus& status);
    /// Shows `statuses` instead of the rows shown (another engine's sources).
    void replaceAll(const QList<km::SourceStatus>& statuses);
    /// The rates were sampled again.
    void refreshRates();

private:
    [[nodiscard]] QString stateText(const SourceStatus& status) const;

    RateOf m_rateOf;
    std::vector<SourceStatus> m_rows;
};

} // namespace km::ui
