#include "Headless.h"

#include "storage/Database.h"
#include "storage/Maintenance.h"
#include "storage/Schema.h"
#include "storage/StorageError.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcHeadless, "killmail.headless", QtInfoMsg)

namespace km::cli {
namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

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

int runHeadless(const DatabaseUrl& url, const WorkerSettings& settings)
{
    try {
        Database database(url);
        Migrator(database).migrate();
    } catch (const StorageError& error) {
        QTextStream(stderr) << "cannot start: " << error.message() << "\n";
        return 1;
    }
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) {
        return 1;
    }
    QueueWorkers workers(url, settings);
    int exitCode = 0;
    QObject::connect(&workers, &QueueWorkers::failed, [&workers, &exitCode](const QString& error) {
        QTextStream(stderr) << "cannot run the queue workers: " << error << "\n";
        exitCode = 1;
        workers.stop();
    });
    QObject::connect(&workers, &QueueWorkers::stopped, [] { QCoreApplication::quit(); });
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [&workers] {
        char byte = 0;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &byte, 1);
        qCInfo(lcHeadless) << "stopping on signal: finishing the jobs in hand";
        workers.stop();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    Maintenance maintenance(url);
    maintenance.start();
    workers.start();
    ActivityLog activity(workers);
    qCInfo(lcHeadless) << "running headless on" << url.redacted();
    const int loopExit = QCoreApplication::exec();
    return exitCode != 0 ? exitCode : loopExit;
}

} // namespace km::cli
