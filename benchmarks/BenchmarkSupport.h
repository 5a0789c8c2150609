// What the queue and processing benchmarks share: the command line, waiting on the event loop, printing.
#pragma once

#include "storage/Database.h"
#include "storage/DatabaseUrl.h"
#include "storage/Migrator.h"
#include "util/Logging.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>

namespace km::bench {

/// An option that takes a whole number; the description gets the default appended.
inline QCommandLineOption numberOption(const char* name, const char* description, int fallback)
{
    return {QString::fromLatin1(name),
            QStringLiteral("%1 (default %2).").arg(QString::fromUtf8(description)).arg(fallback), QStringLiteral("n"),
            QString::number(fallback)};
}

/**
 * Parses the command line: help, `--sqlite PATH | --postgres URL` and `options`; then installs quiet logging.
 * Returns the database, migrated; nullopt (said on stderr) when none, both or a bad URL was named.
 */
inline std::optional<DatabaseUrl> parseCommandLine(QCommandLineParser& parser, const QString& description,
                                                   const QList<QCommandLineOption>& options)
{
    const QCommandLineOption sqlite(QStringLiteral("sqlite"), QStringLiteral("An SQLite database file (created)."),
                                    QStringLiteral("path"));
    const QCommandLineOption postgres(QStringLiteral("postgres"), QStringLiteral("An empty PostgreSQL database."),
                                      QStringLiteral("url"));
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addOptions({sqlite, postgres});
    parser.addOptions(options);
    parser.process(*QCoreApplication::instance());
    logging::install(false);
    if (parser.isSet(sqlite) == parser.isSet(postgres)) {
        std::fprintf(stderr, "name one database: --sqlite PATH or --postgres URL\n");
        return std::nullopt;
    }
    QString error;
    const std::optional<DatabaseUrl> url = parser.isSet(sqlite)
        ? DatabaseUrl::parse(QStringLiteral("sqlite://") + parser.value(sqlite), &error)
        : DatabaseUrl::parse(parser.value(postgres), &error);
    if (!url) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return std::nullopt;
    }
    Database database(*url);
    Migrator(database).migrate();
    return url;
}

inline const char* backendName(const DatabaseUrl& url)
{
    return url.backend == Backend::Postgres ? "PostgreSQL" : "SQLite";
}

/// The steady clock's time, in nanoseconds.
inline qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// Resident memory of process `pid` (this process by default), MiB; 0 when it is gone.
inline double residentMiB(qint64 pid = 0)
{
    QFile status(pid ? QStringLiteral("/proc/%1/status").arg(pid) : QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
        }
    }
    return 0;
}

inline double secondsOf(qint64 nanoseconds) { return double(nanoseconds) / 1e9; }

/// Runs the event loop until `done()` holds (checked every `poll`); false when `timeout` passed first.
inline bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds poll = std::chrono::milliseconds(5))
{
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    bool reached = done();
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        reached = done();
        if (reached || clock.hasExpired(timeout.count())) {
            loop.quit();
        }
    });
    if (!reached) {
        ticker.start(poll);
        loop.exec();
    }
    return reached;
}

/// One figure line: "label   count things in s   rate things/s".
inline void printRate(const QString& label, qint64 count, const char* things, double seconds)
{
    std::printf("%-46s %7lld %s in %6.2f s %9.0f %s/s\n", qPrintable(label), static_cast<long long>(count), things,
                seconds, seconds > 0 ? double(count) / seconds : 0.0, things);
    std::fflush(stdout);
}

inline void printLine(const QString& text)
{
    std::printf("%s\n", qPrintable(text));
    std::fflush(stdout);
}

} // namespace km::bench
