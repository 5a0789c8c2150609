#include "monitoring/FailureRateAlert.h"

#include "util/Logging.h"

namespace km {
namespace {

QString percent(double share) { return QString::number(share * 100, 'g', 3) + QLatin1Char('%'); }

QString duration(std::chrono::milliseconds length)
{
    const qint64 ms = length.count();
    if (ms % 60000 == 0) {
        return QStringLiteral("%1 min").arg(ms / 60000);
    }
    if (ms % 1000 == 0) {
        return QStringLiteral("%1 s").arg(ms / 1000);
    }
    return QStringLiteral("%1 ms").arg(ms);
}

} // namespace

FailureRateAlert::FailureRateAlert(FailureRateAlertSettings settings)
    : m_settings(settings)
{
}

void FailureRateAlert::sample(qint64 completed, qint64 failed, const QDateTime& now)
{
    const Counts counts{now.toMSecsSinceEpoch(), completed, failed};
    if (!m_samples.empty()) {
        const Counts& last = m_samples.back();
        if (counts.msecsSinceEpoch < last.msecsSinceEpoch || counts.completed < last.completed
            || counts.failed < last.failed) {
            qCInfo(lcMonitoring) << "job counts or clock went back: the failure rate window starts over";
            m_samples.clear();
        }
    }
    m_samples.push_back(counts);
    const qint64 windowStart = counts.msecsSinceEpoch - m_settings.window.count();
    while (m_samples.size() > 1 && m_samples[1].msecsSinceEpoch <= windowStart) {
        m_samples.pop_front();
    }
    evaluate();
}

qint64 FailureRateAlert::jobs() const
{
    if (m_samples.empty()) {
        return 0;
    }
    const Counts& first = m_samples.front();
    const Counts& last = m_samples.back();
    return (last.completed - first.completed) + (last.failed - first.failed);
}

qint64 FailureRateAlert::failures() const
{
    return m_samples.empty() ? 0 : m_samples.back().failed - m_samples.front().failed;
}

double FailureRateAlert::rate() const
{
    const qint64 finished = jobs();
    return finished == 0 ? 0.0 : double(failures()) / double(finished);
}

QString FailureRateAlert::reason() const { return m_alerting ? describeRate() : QString(); }

QString FailureRateAlert::describeRate() const
{
    return QStringLiteral("%1 of jobs failed in the last %2 (%3 of %4); alert threshold %5")
        .arg(percent(rate()), duration(m_settings.window))
        .arg(failures())
        .arg(jobs())
        .arg(percent(m_settings.threshold));
}

void FailureRateAlert::evaluate()
{
    const bool enoughJobs = jobs() >= m_settings.minimumJobs;
    if (!m_alerting && enoughJobs && rate() >= m_settings.threshold) {
        m_alerting = true;
        qCWarning(lcMonitoring).noquote() << "failure rate alert:" << describeRate();
    } else if (m_alerting && !enoughJobs) {
        m_alerting = false;
        qCInfo(lcMonitoring).noquote() << QStringLiteral("failure rate alert cleared: %1 jobs in the last %2, "
                                                         "fewer than the %3 needed to judge")
                                              .arg(jobs())
                                              .arg(duration(m_settings.window))
                                              .arg(m_settings.minimumJobs);
    } else if (m_alerting && rate() < m_settings.threshold * m_settings.clearFraction) {
        m_alerting = false;
        qCInfo(lcMonitoring).noquote() << "failure rate alert cleared:" << describeRate();
    }
}

} // namespace km
