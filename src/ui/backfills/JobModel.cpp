#include "backfills/JobModel.h"

#include "common/Tables.h"

#include <QLocale>

#include <array>

namespace km::ui {

JobModel::JobModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int JobModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int JobModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString JobModel::stateName(JobState state)
{
    switch (state) {
    case JobState::Finding: return tr("Finding killmails");
    case JobState::Processing: return tr("Processing");
    case JobState::Importing: return tr("Importing");
    case JobState::Cancelling: return tr("Cancelling…");
    case JobState::Finished: return tr("Finished");
    case JobState::Unfinished: return tr("Did not finish");
    case JobState::Cancelled: return tr("Cancelled");
    }
    return {};
}

int JobModel::percent(const ProgressSnapshot& snapshot)
{
    return snapshot.total > 0 ? int(std::min<qint64>(100, snapshot.done * 100 / snapshot.total)) : -1;
}

QString JobModel::rateText(const ProgressSnapshot& snapshot)
{
    return snapshot.itemsPerSecond > 0 ? tr("%1/s").arg(QLocale().toString(qint64(snapshot.itemsPerSecond)))
                                       : QString();
}

QString JobModel::etaText(const ProgressSnapshot& snapshot)
{
    return snapshot.etaSeconds ? ProgressMeter::formatDuration(*snapshot.etaSeconds) : QString();
}

QVariant JobModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || (role != Qt::DisplayRole && role != SortRole)) {
        return {};
    }
    const Row& row = m_rows[std::size_t(index.row())];
    const bool sorting = role == SortRole;
    switch (Column(index.column())) {
    case Kind: return row.kind;
    case Parameters: return row.parameters;
    case State: return sorting ? QVariant(int(row.state)) : QVariant(stateName(row.state));
    case Progress: {
        const int done = percent(row.progress);
        if (sorting) {
            return done;
        }
        const QString items = QLocale().toString(row.progress.items);
        return done < 0 ? items : tr("%1% (%2)").arg(done).arg(items);
    }
    case Rate: return sorting ? QVariant(row.progress.itemsPerSecond) : QVariant(rateText(row.progress));
    case Eta: return sorting ? QVariant(row.progress.etaSeconds.value_or(-1)) : QVariant(etaText(row.progress));
    case Result: return row.result;
    case ColumnCount: break;
    }
    return {};
}

QVariant JobModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Kind"), QT_TR_NOOP("Parameters"), QT_TR_NOOP("State"), QT_TR_NOOP("Progress"),
        QT_TR_NOOP("Rate"), QT_TR_NOOP("ETA"),        QT_TR_NOOP("Result")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

int JobModel::add(const QString& kind, const QString& parameters, JobState state)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_rows.push_back(Row{kind, parameters, state, {}, {}});
    endInsertRows();
    return row;
}

void JobModel::setProgress(int row, JobState state, const ProgressSnapshot& snapshot)
{
    Row& job = m_rows.at(std::size_t(row));
    if (job.state != JobState::Cancelling) {
        job.state = state;
    }
    job.progress = snapshot;
    rowChanged(row);
}

void JobModel::setState(int row, JobState state)
{
    m_rows.at(std::size_t(row)).state = state;
    rowChanged(row);
}

void JobModel::setEnded(int row, JobState state, const QString& result)
{
    Row& job = m_rows.at(std::size_t(row));
    job.state = state;
    job.result = result;
    job.progress.etaSeconds.reset();
    rowChanged(row);
}

void JobModel::rowChanged(int row) { Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1)); }

} // namespace km::ui
