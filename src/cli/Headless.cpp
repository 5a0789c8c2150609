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

int runHeadless(const DatabaseUrl& url)
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
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [] {
        char byte = 0;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &byte, 1);
        qCInfo(lcHeadless) << "stopping on signal";
        QCoreApplication::quit();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    Maintenance maintenance(url);
    maintenance.start();
    qCInfo(lcHeadless) << "running headless on" << url.redacted();
    return QCoreApplication::exec();
}

} // namespace km::cli
