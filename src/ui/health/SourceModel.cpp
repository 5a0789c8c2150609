#include "health/SourceModel.h"

#include "common/Tables.h"

#include <QLocale>

#include <algorithm>
#include <array>

namespace km::ui {

SourceModel::SourceModel(RateOf rateOf, QObject* parent)
    : QAbstractTableModel(parent)
    , m_rateOf(std::move(rateOf))
{
}

int SourceModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int SourceModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

void SourceModel::setStatus(const SourceStatus& status)
{
    const auto at = std::lower_bound(m_rows.begin(), m_rows.end(), status.name,
                                     [](const SourceStatus& row, const QString& name) { return row.name < name; });
    const int position = int(at - m_rows.begin());
    if (at != m_rows.end() && at->name == status.name) {
        *at = status;
        Q_EMIT dataChanged(index(position, 0), index(position, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, position, position);
    m_rows.insert(at, status);
    endInsertRows();
}

void SourceModel::replaceAll(const QList<SourceStatus>& statuses)
{
    beginResetModel();
    m_rows.assign(statuses.cbegin(), statuses.cend());
    std::sort(m_rows.begin(), m_rows.end(),
              [](const SourceStatus& a, const SourceStatus& b) { return a.name < b.name; });
    endResetModel();
}

void SourceModel::refreshRates()
{
    if (!m_rows.empty()) {
        Q_EMIT dataChanged(index(0, Rate), index(rowCount() - 1, Rate));
    }
}

bool SourceModel::runs(SourceState state) { return state != SourceState::Stopped && state != SourceState::Finished; }

QString SourceModel::stateText(const SourceStatus& status) const
{
    switch (status.state) {
    case SourceState::Stopped: return tr("stopped");
    case SourceState::Starting: return tr("starting");
    case SourceState::Running: return tr("running");
    case SourceState::Waiting: return tr("waiting");
    case SourceState::BackingOff:
        return status.backoffUntil.isValid()
            ? tr("backing off until %1").arg(status.backoffUntil.toLocalTime().toString(QStringLiteral("HH:mm:ss")))
            : tr("backing off");
    case SourceState::Finished: return tr("finished");
    }
    return {};
}

QVariant SourceModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const SourceStatus& status = m_rows.at(std::size_t(index.row()));
    if (role == Qt::ToolTipRole && index.column() == LastError && status.lastErrorAt.isValid()) {
        return tr("At %1").arg(localTimeText(status.lastErrorAt));
    }
    if (role == Qt::ToolTipRole && index.column() == Action) {
        return runs(status.state) ? tr("Stop %1: its waits and requests end now").arg(status.name)
                                  : tr("Start %1 again, from where it stopped").arg(status.name);
    }
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() >= Rate && index.column() <= Errors;
        return numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    if (role != Qt::DisplayRole && role != SortRole) {
        return {};
    }
    const bool display = role == Qt::DisplayRole;
    switch (Column(index.column())) {
    case Name: return status.name;
    case State: return display ? QVariant(stateText(status)) : QVariant(int(status.state));
    case Action:
        return display ? QVariant(runs(status.state) ? tr("Stop") : tr("Start")) : QVariant(runs(status.state));
    case Rate: {
        const double rate = m_rateOf(status.name);
        return display ? QVariant(tr("%1/s").arg(rate, 0, 'f', 2)) : QVariant(rate);
    }
    case Received: return display ? QVariant(QLocale().toString(status.received)) : QVariant(status.received);
    case Queued: return display ? QVariant(QLocale().toString(status.queued)) : QVariant(status.queued);
    case Errors: return display ? QVariant(QLocale().toString(status.errors)) : QVariant(status.errors);
    case LastKill: return display ? QVariant(localTimeText(status.lastKillAt)) : QVariant(status.lastKillAt);
    case Detail: return status.detail;
    case LastError: return status.lastError;
    case ColumnCount: break;
    }
    return {};
}

QVariant SourceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Source"),   QT_TR_NOOP("State"),     QT_TR_NOOP("Action"), QT_TR_NOOP("Rate"),
        QT_TR_NOOP("Received"), QT_TR_NOOP("New"),       QT_TR_NOOP("Errors"), QT_TR_NOOP("Last kill"),
        QT_TR_NOOP("Where"),    QT_TR_NOOP("Last error")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
