#pragma once

#include "net/HttpClient.h"
#include "sources/Source.h"
#include "storage/DatabaseUrl.h"

#include <QMap>
#include <QObject>
#include <QThread>

#include <functional>
#include <memory>
#include <vector>

namespace km {

/// Creates one source on the host's thread, with that thread's sink and HTTP client.
using SourceFactory = std::function<std::unique_ptr<Source>(SourceContext context)>;

/**
 * Runs sources (live feeds or a backfill) on one worker thread with its own connection and sink, and an HTTP client
 * per source (stopping one source aborts its requests only). Their statuses are mirrored here, on the owner's
 * thread, and saved to `source_state` every few seconds (and when they stop) so that `killmail-console status` can
 * show them from another process. The operator may stop and start each source by name while the host runs.
 */
class SourceHost : public QObject {
    Q_OBJECT
public:
    SourceHost(DatabaseUrl url, HttpSettings http, std::vector<SourceFactory> factories, QObject* parent = nullptr);
    /// Stops the sources (see stop()) and waits for them.
    ~SourceHost() override;

    void start();
    /// Every source ends its waits and requests; then stopped() is emitted.
    void stop();
    [[nodiscard]] bool isRunning() const { return m_thread.isRunning(); }
    /**
     * Stops the source named `name` as stop() stops them all: its state turns Stopped once its coroutine has
     * returned. The host keeps running while a source it was asked to stop is held (stopped() then needs stop()).
     */
    void stopSource(const QString& name);
    /// Starts again a source that stopped (asked to, or by itself); nothing when it runs or the host is stopping.
    void startSource(const QString& name);

    /// The latest status of each source, by name.
    [[nodiscard]] const QMap<QString, SourceStatus>& statuses() const { return m_statuses; }

    /// How often changed statuses are saved.
    static constexpr std::chrono::seconds saveInterval{5};

Q_SIGNALS:
    void statusChanged(const km::SourceStatus& status);
    /// Every source has ended: after stop(), or by itself when none is held by stopSource().
    void stopped();

private:
    class Worker;

    DatabaseUrl m_url;
    HttpSettings m_http;
    std::vector<SourceFactory> m_factories;
    QThread m_thread;
    std::unique_ptr<Worker> m_worker;
    QMap<QString, SourceStatus> m_statuses;
};

} // namespace km
