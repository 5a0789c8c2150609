#include "Headless.h"

#include "SignalWatcher.h"
#include "util/Logging.h"

#include "runtime/Engine.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QTimer>

namespace km::cli {
namespace {

/// Logs, once a minute, what each queue did since the last time (quiet unless --verbose, like all info lines).
class ActivityLog {
public:
    explicit ActivityLog(const QueueWorkers& workers)
        : m_workers(workers)
    {
        QObject::connect(&m_timer, &QTimer::timeout, [this] { log(); });
        m_timer.start(std::chrono::minutes(1));
        m_clock.start();
    }

private:
    void log()
    {
        const double seconds = double(m_clock.restart()) / 1000.0;
        QStringList parts;
        for (auto queue = m_workers.counters().cbegin(); queue != m_workers.counters().cend(); ++queue) {
            const RunnerCounters previous = m_previous.value(queue.key());
            const qint64 completed = queue->completed - previous.completed;
            parts << QStringLiteral("%1 %2 done (%3/s), %4 retried, %5 failed")
                         .arg(queue.key())
                         .arg(completed)
                         .arg(double(completed) / seconds, 0, 'f', 1)
                         .arg(queue->retried - previous.retried)
                         .arg(queue->failed - previous.failed);
        }
        m_previous = m_workers.counters();
        if (!parts.isEmpty()) {
            qCInfo(lcHeadless).noquote() << "last minute:" << parts.join(QStringLiteral("; "));
        }
    }

    const QueueWorkers& m_workers;
    QMap<QString, RunnerCounters> m_previous;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

} // namespace

int runHeadless(const Configuration& configuration)
{
    const DatabaseUrl& url = configuration.database;
    useConfiguredDataFolder(configuration);
    Engine engine(url, configuration.engine);
    int exitCode = 0;
    QObject::connect(&engine, &Engine::failed, [&exitCode](const QString& error) {
        QTextStream(stderr) << QCoreApplication::translate("km::cli::Headless", "cannot run: %1").arg(error) << "\n";
        exitCode = 1;
    });
    QObject::connect(&engine, &Engine::stopped, [] { QCoreApplication::quit(); });
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, [&engine] {
        qCInfo(lcHeadless) << "stopping on signal: finishing the jobs in hand";
        engine.stop();
    });

    QString error;
    if (!engine.start(error)) {
        QTextStream(stderr) << QCoreApplication::translate("km::cli::Headless", "cannot start: %1").arg(error) << "\n";
        return 1;
    }
    ActivityLog activity(engine.workers());
    qCInfo(lcHeadless).noquote() << "running headless on" << url.redacted() << "with live sources:"
                                 << (configuration.engine.sources.live.isEmpty()
                                         ? QStringLiteral("none")
                                         : configuration.engine.sources.live.join(QStringLiteral(", ")));
    const int loopExit = QCoreApplication::exec();
    return exitCode != 0 ? exitCode : loopExit;
}

} // namespace km::cli
