#include "fleet/EngineReportModel.h"

#include "common/Tables.h"
#include "runtime/FleetMonitor.h"

#include <QLocale>

#include <algorithm>
#include <array>

namespace km::ui {
EngineReportModel::EngineReportModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int EngineReportModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_reports.size());
}

int EngineReportModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

void EngineReportModel::setReports(const QList<EngineReport>& reports)
{
    // Engines come and go rarely: a reset is simplest, and the view keeps its sorting.
    beginResetModel();
    m_reports = reports;
    m_readAt = QDateTime::currentDateTimeUtc();
    endResetModel();
}

int EngineReportModel::runningCount() const
{
    return int(std::count_if(m_reports.cbegin(), m_reports.cend(), [this](const EngineReport& report) {
        return report.summary.state != SourceState::Stopped && !isSilent(report);
    }));
}

bool EngineReportModel::isSilent(const EngineReport& report) const
{
    return report.summary.state != SourceState::Stopped && report.isSilent(m_readAt, FleetMonitor::silence);
}

QString EngineReportModel::stateText(const EngineReport& report) const
{
    if (isSilent(report)) {
        return tr("silent since %1").arg(localTimeText(report.updatedAt));
    }
    switch (report.summary.state) {
    case SourceState::Stopped: return tr("stopped");
    case SourceState::Starting: return tr("starting");
    case SourceState::Running:
    case SourceState::Waiting: return tr("running");
    case SourceState::BackingOff: return tr("waiting for its database");
    case SourceState::Finished: return tr("finished");
    }
    return {};
}

QString EngineReportModel::sourcesText(const EngineReport& report)
{
    QStringList parts;
    for (const SourceStatus& source : report.sources) {
        parts << source.name;
    }
    return parts.join(QStringLiteral(", "));
}

QString EngineReportModel::lastError(const EngineReport& report)
{
    if (!report.summary.lastError.isEmpty()) {
        return report.summary.lastError;
    }
    const auto newest =
        std::max_element(report.sources.cbegin(), report.sources.cend(),
                         [](const SourceStatus& a, const SourceStatus& b) { return a.lastErrorAt < b.lastErrorAt; });
    return newest == report.sources.cend() ? QString() : newest->lastError;
}

QVariant EngineReportModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const EngineReport& report = m_reports.at(index.row());
    if (role == Qt::ToolTipRole) {
        return index.column() == State ? report.summary.detail : QVariant();
    }
    if (role == Qt::TextAlignmentRole) {
        return index.column() == Rate || index.column() == Process ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                   : QVariant();
    }
    if (role != Qt::DisplayRole && role != SortRole) {
        return {};
    }
    const bool display = role == Qt::DisplayRole;
    switch (Column(index.column())) {
    case Host: return report.host;
    case Process: return display ? QVariant(QString::number(report.pid)) : QVariant(report.pid);
    case State: return display ? QVariant(stateText(report)) : QVariant(int(report.summary.state));
    case Rate:
        return display ? QVariant(tr("%1/s").arg(report.killmailsPerSecond, 0, 'f', 2))
                       : QVariant(report.killmailsPerSecond);
    case Started: return display ? QVariant(localTimeText(report.startedAt)) : QVariant(report.startedAt);
    case LastReport: return display ? QVariant(localTimeText(report.updatedAt)) : QVariant(report.updatedAt);
    case Sources: return sourcesText(report);
    case LastError: return lastError(report);
    case ColumnCount: break;
    }
    return {};
}

QVariant EngineReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static constexpr std::array<const char*, ColumnCount> titles{
        QT_TR_NOOP("Host"),    QT_TR_NOOP("Process"),     QT_TR_NOOP("State"),   QT_TR_NOOP("Rate"),
        QT_TR_NOOP("Started"), QT_TR_NOOP("Last report"), QT_TR_NOOP("Sources"), QT_TR_NOOP("Last error")};
    return columnTitle(staticMetaObject.className(), titles, section, orientation, role);
}

} // namespace km::ui
