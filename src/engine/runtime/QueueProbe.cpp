#include "runtime/QueueProbe.h"

#include "queue/QueueAdmin.h"
#include "sources/SourceStateStore.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/ThreadAffinity.h"

namespace km {

QueueProbe::QueueProbe(DatabaseUrl url, std::chrono::milliseconds interval, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_interval(interval)
    , m_timer(this)
{
    qRegisterMetaType<std::vector<km::QueueStats>>();
    qRegisterMetaType<km::EngineReport>();
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &QueueProbe::probe);
}

QueueProbe::~QueueProbe() = default;

void QueueProbe::start()
{
    assertThread(this);
    probe();
    m_timer.start();
}

void QueueProbe::stop()
{
    assertThread(this);
    m_timer.stop();
    m_statusChanged = true;
    probe();
    m_database.reset();
}

void QueueProbe::setEngineReport(const EngineReport& report)
{
    assertThread(this);
    const bool first = m_report.summary.name.isEmpty();
    m_report = report;
    m_statusChanged = true;
    if (first && m_timer.isActive()) {
        probe(); // `status` shows the engine as running from the start, not after the first interval
    }
}

void QueueProbe::probe()
{
    assertThread(this);
    try {
        if (!m_database) {
            m_database = std::make_unique<Database>(m_url);
        }
        std::vector<QueueStats> stats = QueueAdmin(*m_database).stats();
        if (m_statusChanged && !m_report.summary.name.isEmpty()) {
            WriteTransaction transaction(*m_database);
            SourceStateStore(*m_database).saveStatus(m_report.summary);
            EngineReportStore(*m_database).save(m_report);
            transaction.commit();
            m_statusChanged = false;
        }
        Q_EMIT sampled(stats);
        Q_EMIT databaseProblem({});
        m_timer.setInterval(m_interval);
    } catch (const StorageError& error) {
        if (m_database && !m_database->reconnectIfLost()) {
            m_database.reset();
        }
        Q_EMIT databaseProblem(error.message());
        // Looked at often while it lasts, so that /healthz says at once when the database is back.
        m_timer.setInterval(std::min(m_interval, std::chrono::milliseconds(problemInterval)));
    }
}

} // namespace km
