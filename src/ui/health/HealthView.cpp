#include "health/HealthView.h"

#include "common/Tables.h"
#include "esi/EsiRateLimits.h"
#include "health/QueueModel.h"
#include "health/RateChart.h"
#include "health/SourceButtons.h"
#include "health/SourceModel.h"
#include "runtime/EngineView.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
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

/// Points per chart at most: about one per two pixels of a wide chart.
constexpr int chartPoints = 400;
const QString bannerStyle = QStringLiteral("QLabel { background: %1; color: white; padding: 6px; font-weight: bold; }");

} // namespace

HealthView::HealthView(EngineView& engine, QWidget* parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_queues(new QueueModel(this))
    , m_sources(new SourceModel([&engine](const QString& source) { return engine.sourceRate(source); }, this))
    , m_rate(new QLabel(this))
    , m_alert(new QLabel(this))
    , m_database(new QLabel(this))
    , m_esi(new QLabel(this))
    , m_killmailChart(new RateChart(tr("Killmails stored/s"), this))
    , m_esiChart(new RateChart(tr("ESI requests/s"), this))
    , m_chartSpan(new QComboBox(this))
{
    m_esi->setWordWrap(true);
    m_alert->setWordWrap(true);
    m_alert->setStyleSheet(bannerStyle.arg(QStringLiteral("#b3261e")));
    m_alert->hide();
    m_database->setWordWrap(true);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* queues = new QGroupBox(tr("Queues"), this);
    auto* queuesLayout = new QVBoxLayout(queues);
    queuesLayout->addWidget(fittedTable(sortedTable(m_queues, QueueModel::SortRole, queues)));
    auto* sources = new QGroupBox(tr("Sources"), this);
    auto* sourcesLayout = new QVBoxLayout(sources);
    QTableView* sourceTable = fittedTable(sortedTable(m_sources, SourceModel::SortRole, sources));
    sourcesLayout->addWidget(sourceTable);

    auto* layout = new QVBoxLayout(this);
    auto* tables = new QSplitter(Qt::Vertical, this);
    tables->addWidget(queues);
    tables->addWidget(sources);
    layout->addWidget(m_alert);
    layout->addWidget(m_rate);
    layout->addWidget(m_database);
    layout->addWidget(m_esi);
    layout->addWidget(createCharts(), 1);
    layout->addWidget(tables, 2);

    connect(&engine, &EngineView::backlogChanged, m_queues, &QueueModel::setBacklog);
    connect(&engine, &EngineView::sampled, this, &HealthView::showSample);
    connect(&engine, &EngineView::databaseProblemChanged, this, &HealthView::showDatabaseProblem);
    connect(&engine, &EngineView::sourceStatusChanged, m_sources, &SourceModel::setStatus);

    m_queues->setBacklog(engine.backlog());
    for (const SourceStatus& status : engine.sourceStatuses()) {
        m_sources->setStatus(status);
    }
    m_sourceButtons = new SourceButtons(*sourceTable, engine, this);
    showSample();
    showDatabaseProblem(engine.databaseProblem());
}

QWidget* HealthView::createCharts()
{
    auto* charts = new QGroupBox(tr("Rates"), this);
    m_chartSpan->addItem(tr("Last 5 minutes"),
                         QVariant::fromValue<qint64>(std::chrono::milliseconds(std::chrono::minutes(5)).count()));
    m_chartSpan->addItem(tr("Last hour"),
                         QVariant::fromValue<qint64>(std::chrono::milliseconds(std::chrono::hours(1)).count()));
    connect(m_chartSpan, &QComboBox::currentIndexChanged, this, &HealthView::showCharts);
    auto* span = new QHBoxLayout;
    span->addWidget(m_chartSpan);
    span->addStretch();
    auto* lines = new QHBoxLayout;
    lines->addWidget(m_killmailChart);
    lines->addWidget(m_esiChart);
    auto* layout = new QVBoxLayout(charts);
    layout->addLayout(span);
    layout->addLayout(lines, 1);
    return charts;
}

void HealthView::showCharts()
{
    const std::chrono::milliseconds span(m_chartSpan->currentData().toLongLong());
    m_killmailChart->setPoints(m_engine.killmailRates().points(span, chartPoints),
                               m_engine.killmailRates().newestMsecs(), span);
    m_esiChart->setPoints(m_engine.esiRequestRates().points(span, chartPoints),
                          m_engine.esiRequestRates().newestMsecs(), span);
}

void HealthView::showSample()
{
    showCharts();
    m_queues->setCounters(m_engine.queueCounters());
    m_sources->refreshRates();
    m_rate->setText(tr("%1 killmails/s over the last minute, failure rate %2%")
                        .arg(m_engine.ingestionRate(), 0, 'f', 2)
                        .arg(m_engine.alert().rate() * 100.0, 0, 'f', 1));
    const EsiCounters esi = m_engine.esiCounters();
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
    m_alert->setVisible(m_engine.alert().alerting());
    m_alert->setText(tr("Failure alert: %1").arg(m_engine.alert().reason()));
}

void HealthView::showDatabaseProblem(const QString& problem)
{
    m_database->setText(problem.isEmpty() ? tr("Database: connected")
                                          : tr("<b>Database unavailable:</b> %1").arg(problem.toHtmlEscaped()));
    m_database->setStyleSheet(problem.isEmpty() ? QString() : bannerStyle.arg(QStringLiteral("#b45309")));
}

} // namespace km::ui
