#include "health/HealthView.h"

#include "common/Tables.h"
#include "esi/EsiRateLimits.h"
#include "health/QueueModel.h"
#include "health/SourceModel.h"
#include "runtime/Engine.h"

#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace km::ui {
namespace {

/// Columns as wide as what they show: these tables have a few rows only.
QTableView* fittedTable(QTableView* table)
{
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

HealthView::HealthView(Engine& engine, QWidget* parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_queues(new QueueModel(this))
    , m_sources(new SourceModel([&engine](const QString& source) { return engine.monitor().sourceRate(source); }, this))
    , m_rate(new QLabel(this))
    , m_alert(new QLabel(this))
    , m_database(new QLabel(this))
    , m_esi(new QLabel(this))
{
    m_esi->setWordWrap(true);
    m_alert->setWordWrap(true);
    m_alert->setStyleSheet(QStringLiteral("QLabel { background: #b3261e; color: white; padding: 6px; "
                                          "font-weight: bold; }"));
    m_alert->hide();
    m_database->setWordWrap(true);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* queues = new QGroupBox(tr("Queues"), this);
    auto* queuesLayout = new QVBoxLayout(queues);
    queuesLayout->addWidget(fittedTable(sortedTable(m_queues, QueueModel::SortRole, queues)));
    auto* sources = new QGroupBox(tr("Sources"), this);
    auto* sourcesLayout = new QVBoxLayout(sources);
    sourcesLayout->addWidget(fittedTable(sortedTable(m_sources, SourceModel::SortRole, sources)));

    auto* layout = new QVBoxLayout(this);
    auto* tables = new QSplitter(Qt::Vertical, this);
    tables->addWidget(queues);
    tables->addWidget(sources);
    layout->addWidget(m_alert);
    layout->addWidget(m_rate);
    layout->addWidget(m_database);
    layout->addWidget(m_esi);
    layout->addWidget(tables, 1);

    EngineMonitor& monitor = engine.monitor();
    connect(&monitor, &EngineMonitor::backlogChanged, m_queues, &QueueModel::setBacklog);
    connect(&monitor, &EngineMonitor::engineStatusChanged, this, &HealthView::showSample);
    connect(&monitor, &EngineMonitor::databaseProblemChanged, this, &HealthView::showDatabaseProblem);
    connect(&engine.sources(), &SourceHost::statusChanged, m_sources, &SourceModel::setStatus);

    m_queues->setBacklog(monitor.backlog());
    for (const SourceStatus& status : engine.sources().statuses()) {
        m_sources->setStatus(status);
    }
    showSample();
    showDatabaseProblem(monitor.databaseProblem());
}

void HealthView::showSample()
{
    const EngineMonitor& monitor = m_engine.monitor();
    m_queues->setCounters(m_engine.workers().counters());
    m_sources->refreshRates();
    m_rate->setText(tr("%1 killmails/s over the last minute, failure rate %2%")
                        .arg(monitor.ingestionRate(), 0, 'f', 2)
                        .arg(monitor.alert().rate() * 100.0, 0, 'f', 1));
    const EsiCounters esi = m_engine.workers().esiLimits()->counters();
    QStringList tokens;
    for (auto group = esi.tokensLeft.cbegin(); group != esi.tokensLeft.cend(); ++group) {
        tokens << tr("%1: %2").arg(group.key()).arg(*group);
    }
    m_esi->setText(tr("ESI: %L1 requests, %L2 timeouts, %L3 network errors; error limit left: %4; tokens left: %5")
                       .arg(esi.requests)
                       .arg(esi.timeouts)
                       .arg(esi.networkErrors)
                       .arg(esi.errorLimitRemain < 0 ? tr("not known yet") : QString::number(esi.errorLimitRemain))
                       .arg(tokens.isEmpty() ? tr("none used yet") : tokens.join(QStringLiteral(", "))));
    m_alert->setVisible(monitor.alert().alerting());
    m_alert->setText(tr("Failure alert: %1").arg(monitor.alert().reason()));
}

void HealthView::showDatabaseProblem(const QString& problem)
{
    m_database->setText(problem.isEmpty() ? tr("Database: connected")
                                          : tr("<b>Database unavailable:</b> %1").arg(problem.toHtmlEscaped()));
}

} // namespace km::ui
