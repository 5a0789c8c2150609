#include "health/QueueModel.h"

#include "common/Tables.h"

#include <QLocale>

#include <algorithm>
#include <array>

namespace km::ui {

QueueModel::QueueModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int QueueModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int QueueModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QueueModel::Row& QueueModel::rowOf(const QString& queue)
{
    const auto at = std::lower_bound(m_rows.begin(), m_rows.end(), queue,
                                     [](const Row& row, const QString& name) { return row.backlog.queue < name; });
    if (at != m_rows.end() && at->backlog.queue == queue) {
        return *at;
    }
    const int position = int(at - m_rows.begin());
    beginInsertRows({}, position, position);
    Row row;
    row.backlog.queue = queue;
    const auto inserted = m_rows.insert(at, row);
    endInsertRows();
    return *inserted;
}

void QueueModel::rowsChanged()
{
    if (!m_rows.empty()) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
}

void QueueModel::setBacklog(const std::vector<QueueStats>& backlog)
{
    for (const QueueStats& stats : backlog) {
        rowOf(stats.queue).backlog = stats;
    }
    rowsChanged();
}

void QueueModel::setCounters(const QMap<QString, RunnerCounters>& counters)
{
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        rowOf(it.key()).counters = *it;
    }
    rowsChanged();
}

qint64 QueueModel::number(const Row& row, int column)
{
    switch (Column(column)) {
    case Waiting: return row.backlog.waiting;
    case Active: return row.backlog.active;
    case Delayed: return row.backlog.delayed;
    case Failed: return row.backlog.failed;
    case OldestWaiting: return row.backlog.oldestWaitingAge.count();
    case Done: return row.counters.completed;
    case Retried: return row.counters.retried;
    case FailedHere: return row.counters.failed;
    case Queue:
    case ColumnCount: break;
    }
    return 0;
}

QVariant QueueModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row& row = m_rows.at(std::size_t(index.row()));
    if (index.column() == Queue) {
        return role == Qt::DisplayRole || role == SortRole ? QVariant(row.backlog.queue) : QVariant();
    }
    const qint64 value = number(row, index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == OldestWaiting) {
            return value == 0 ? QString() : tr("%1 s").arg(double(value) / 1000.0, 0, 'f', 1);
        }
        return QLocale().toString(value);
    case SortRole: return value;
    case Qt::TextAlignmentRole: return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Queue"),   QT_TR_NOOP("Waiting"), QT_TR_NOOP("Active"),
        QT_TR_NOOP("Delayed"), QT_TR_NOOP("Failed"),  QT_TR_NOOP("Oldest waiting"),
        QT_TR_NOOP("Done"),    QT_TR_NOOP("Retried"), QT_TR_NOOP("Failed here")};
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case Done:
        case Retried:
        case FailedHere: return tr("Since this engine started");
        case OldestWaiting: return tr("How long the job ready longest has waited");
        default: return tr("In the database, as last read");
        }
    }
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
