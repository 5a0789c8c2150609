#include "fleet/FleetView.h"

#include "common/Tables.h"
#include "fleet/EngineReportModel.h"
#include "health/QueueModel.h"
#include "health/SourceModel.h"
#include "runtime/FleetMonitor.h"

#include <QGroupBox>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace km::ui {

FleetView::FleetView(FleetMonitor& fleet, QWidget* parent)
    : QWidget(parent)
    , m_engines(new EngineReportModel(this))
    , m_queues(new QueueModel(this))
    // Another process's sources: their rates are in its /metrics, not in its report.
    , m_sources(new SourceModel([](const QString&) { return 0.0; }, this))
    , m_engineTable(sortedTable(m_engines, EngineReportModel::SortRole, this))
    , m_summary(new QLabel(this))
    , m_database(new QLabel(this))
{
    m_database->setWordWrap(true);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_engineTable->setSelectionMode(QAbstractItemView::SingleSelection);

    auto* engines = new QGroupBox(tr("Engines sharing the database"), this);
    auto* enginesLayout = new QVBoxLayout(engines);
    enginesLayout->addWidget(m_engineTable);
    auto* sources = new QGroupBox(tr("Sources of the selected engine"), this);
    auto* sourcesLayout = new QVBoxLayout(sources);
    QTableView* sourceTable = sortedTable(m_sources, SourceModel::SortRole, sources);
    sourceTable->hideColumn(SourceModel::Rate);
    sourceTable->hideColumn(SourceModel::Action); // another process's sources are not ours to stop
    sourcesLayout->addWidget(sourceTable);
    auto* queues = new QGroupBox(tr("Queues"), this);
    auto* queuesLayout = new QVBoxLayout(queues);
    QTableView* queueTable = sortedTable(m_queues, QueueModel::SortRole, queues);
    for (const int sinceStart : {QueueModel::Done, QueueModel::Retried, QueueModel::FailedHere}) {
        queueTable->hideColumn(sinceStart); // counted by each engine, not by the database
    }
    queuesLayout->addWidget(queueTable);

    auto* tables = new QSplitter(Qt::Vertical, this);
    tables->addWidget(engines);
    tables->addWidget(sources);
    tables->addWidget(queues);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_database);
    layout->addWidget(tables, 1);

    connect(&fleet, &FleetMonitor::reportsChanged, m_engines, &EngineReportModel::setReports);
    connect(&fleet, &FleetMonitor::backlogChanged, m_queues, &QueueModel::setBacklog);
    connect(&fleet, &FleetMonitor::databaseProblemChanged, this, &FleetView::showDatabaseProblem);
    connect(m_engines, &QAbstractItemModel::modelReset, this, &FleetView::showSummary);
    connect(m_engines, &QAbstractItemModel::modelReset, this, &FleetView::reselectEngine);
    connect(m_engineTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &FleetView::showSelectedEngine);
    showSummary();
    showDatabaseProblem({});
}

void FleetView::showSummary()
{
    m_summary->setText(tr("Engines running: %1 of %2 reporting to this database")
                           .arg(m_engines->runningCount())
                           .arg(m_engines->rowCount()));
}

void FleetView::reselectEngine()
{
    int row = 0;
    for (int each = 0; each < m_engines->rowCount(); ++each) {
        if (m_engines->report(each).engineId == m_selectedEngine) {
            row = each;
        }
    }
    const auto* sorted = qobject_cast<const QSortFilterProxyModel*>(m_engineTable->model());
    if (m_engines->rowCount() > 0) {
        m_engineTable->selectRow(sorted->mapFromSource(m_engines->index(row, 0)).row());
    }
    showSelectedEngine();
}

void FleetView::showSelectedEngine()
{
    const auto* sorted = qobject_cast<const QSortFilterProxyModel*>(m_engineTable->model());
    const int row = sorted->mapToSource(m_engineTable->selectionModel()->currentIndex()).row();
    if (row < 0) {
        m_sources->replaceAll({});
        return;
    }
    m_selectedEngine = m_engines->report(row).engineId;
    m_sources->replaceAll(m_engines->report(row).sources);
}

void FleetView::showDatabaseProblem(const QString& problem)
{
    m_database->setText(problem.isEmpty() ? tr("Database: connected")
                                          : tr("Database: cannot be read (%1); trying again").arg(problem));
}

} // namespace km::ui
