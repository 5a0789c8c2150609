#include "failures/FailedJobsModel.h"

#include "common/Tables.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

#include <array>

namespace km::ui {

FailedJobsModel::FailedJobsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int FailedJobsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int FailedJobsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString FailedJobsModel::timeText(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

void FailedJobsModel::removeRowsNotIn(const std::vector<FailedJob>& jobs)
{
    QSet<qint64> kept;
    for (const FailedJob& job : jobs) {
        kept.insert(job.id);
    }
    // From the end, one block of neighbouring rows at a time.
    int last = rowCount() - 1;
    while (last >= 0) {
        if (kept.contains(m_rows[std::size_t(last)].id)) {
            --last;
            continue;
        }
        int first = last;
        while (first > 0 && !kept.contains(m_rows[std::size_t(first - 1)].id)) {
            --first;
        }
        beginRemoveRows({}, first, last);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
        endRemoveRows();
        last = first - 1;
    }
}

void FailedJobsModel::setJobs(const std::vector<FailedJob>& jobs)
{
    removeRowsNotIn(jobs);
    QHash<qint64, int> rowOfJob;
    for (int row = 0; row < rowCount(); ++row) {
        rowOfJob.insert(m_rows[std::size_t(row)].id, row);
    }
    std::vector<FailedJob> added;
    for (const FailedJob& job : jobs) {
        const auto shown = rowOfJob.constFind(job.id);
        if (shown == rowOfJob.constEnd()) {
            added.push_back(job);
            continue;
        }
        FailedJob& row = m_rows[std::size_t(*shown)];
        if (row.attempts != job.attempts || row.finishedAtMs != job.finishedAtMs || row.lastError != job.lastError) {
            row = job;
            Q_EMIT dataChanged(index(*shown, 0), index(*shown, ColumnCount - 1));
        }
    }
    if (!added.empty()) {
        beginInsertRows({}, rowCount(), rowCount() + int(added.size()) - 1);
        m_rows.insert(m_rows.end(), added.begin(), added.end());
        endInsertRows();
    }
}

QVariant FailedJobsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const FailedJob& job = m_rows.at(std::size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Queue: return job.queue;
        case Key: return job.dedupKey;
        case Attempts: return job.attempts;
        case FailedAt: return timeText(job.finishedAtMs);
        case LastError: return job.lastError.simplified();
        case ColumnCount: break;
        }
        return {};
    case SortRole:
        switch (Column(index.column())) {
        case Attempts: return job.attempts;
        case FailedAt: return job.finishedAtMs;
        case LastError: return job.lastError;
        case Key: {
            // Keys that are IDs in their numeric order (900 before 1000), as text so that they compare with others.
            bool number = false;
            const qint64 id = job.dedupKey.toLongLong(&number);
            return number && id >= 0 ? QStringLiteral("%1").arg(id, 20, 10, QLatin1Char('0')) : job.dedupKey;
        }
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole: return index.column() == LastError ? QVariant(job.lastError) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Attempts ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case JobIdRole: return job.id;
    default: return {};
    }
}

QVariant FailedJobsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{QT_TR_NOOP("Queue"), QT_TR_NOOP("Key"),
                                                                 QT_TR_NOOP("Attempts"), QT_TR_NOOP("Failed (UTC)"),
                                                                 QT_TR_NOOP("Last error")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
