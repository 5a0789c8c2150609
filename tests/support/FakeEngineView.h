#pragma once

#include "runtime/EngineView.h"

#include <QStringList>
#include <QTimer>

namespace km::test {

/// An engine as the window sees it, with canned numbers a test sets and signals it sends by hand; records what the
/// window asks of it. No database, no thread, no network.
class FakeEngineView final : public EngineView {
public:
    explicit FakeEngineView(DatabaseUrl url)
        : m_url(std::move(url))
    {
    }

    [[nodiscard]] const DatabaseUrl& databaseUrl() const override { return m_url; }
    [[nodiscard]] const EngineSettings& settings() const override { return m_settings; }
    [[nodiscard]] bool isWorking() const override { return true; }
    [[nodiscard]] const std::vector<QueueStats>& backlog() const override { return cannedBacklog; }
    [[nodiscard]] QMap<QString, RunnerCounters> queueCounters() const override { return cannedCounters; }
    [[nodiscard]] EsiCounters esiCounters() const override { return cannedEsi; }
    [[nodiscard]] QList<SourceStatus> sourceStatuses() const override { return cannedSources; }
    [[nodiscard]] double ingestionRate() const override { return cannedRate; }
    [[nodiscard]] double sourceRate(const QString& /*source*/) const override { return cannedRate; }
    [[nodiscard]] const FailureRateAlert& alert() const override { return m_alert; }
    [[nodiscard]] const QString& databaseProblem() const override { return cannedDatabaseProblem; }
    [[nodiscard]] const RateHistory& killmailRates() const override { return m_killmailRates; }
    [[nodiscard]] const RateHistory& esiRequestRates() const override { return m_esiRates; }

    void stop() override
    {
        ++stopRequests;
        QTimer::singleShot(0, this, &EngineView::stopped); // as the real one: later, once its work is handed back
    }
    void stopSource(const QString& source) override { setSourceState(source, SourceState::Stopped); }
    void startSource(const QString& source) override { setSourceState(source, SourceState::Running); }
    void dropPriceCaches() override { }

    /// What the test sets before the window opens.
    std::vector<QueueStats> cannedBacklog;
    QMap<QString, RunnerCounters> cannedCounters;
    EsiCounters cannedEsi;
    QList<SourceStatus> cannedSources;
    double cannedRate = 0;
    QString cannedDatabaseProblem;
    /// What the window asked.
    int stopRequests = 0;
    QStringList sourceRequests;

private:
    void setSourceState(const QString& source, SourceState state)
    {
        sourceRequests << source + (state == SourceState::Stopped ? QStringLiteral(" stop") : QStringLiteral(" start"));
        for (SourceStatus& status : cannedSources) {
            if (status.name == source) {
                status.state = state;
                Q_EMIT sourceStatusChanged(status);
            }
        }
    }

    DatabaseUrl m_url;
    EngineSettings m_settings;
    FailureRateAlert m_alert;
    RateHistory m_killmailRates;
    RateHistory m_esiRates;
};

} // namespace km::test
