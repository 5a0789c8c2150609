#include "Headless.h"

#include "storage/Database.h"
#include "storage/Maintenance.h"
#include "storage/Schema.h"
#include "storage/StorageError.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTextStream>

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
    qCInfo(lcHeadless) << "running headless on" << url.redacted();
    const int loopExit = QCoreApplication::exec();
    return exitCode != 0 ? exitCode : loopExit;
}

} // namespace km::cli
