// The console's live feed under a sustained load: kills handed to the feed at a steady rate (200/s by default, as a
// backfill would store them) while the window's feed tab is shown, offscreen. Prints the GUI thread's longest stall
// (the longest gap between ticks of a 1 ms timer, less its interval), the memory growth once the feed is full and the
// resident memory at each minute (run it for several minutes, --seconds 300, to see that memory stays flat).
#include "BenchmarkSupport.h"
#include "Fixtures.h"

#include "feed/FeedModel.h"
#include "feed/FeedView.h"
#include "processing/StoredKillmail.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QTableView>
#include <QTimer>

#include <unistd.h>

using namespace km;

namespace {

/// Resident memory in MiB, from /proc/self/statm.
double residentMiB()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly)) {
        return 0;
    }
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? double(fields[1].toLongLong() * sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0) : 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The console's live feed under a steady stream of kills."));
    parser.addHelpOption();
    const QCommandLineOption rateOption = bench::numberOption("rate", "Kills per second handed to the feed.", 200);
    const QCommandLineOption secondsOption = bench::numberOption("seconds", "How long to feed it.", 60);
    const QCommandLineOption sortedOption(QStringLiteral("sorted"), QStringLiteral("Sort the view by value."));
    parser.addOptions({rateOption, secondsOption, sortedOption});
    parser.process(app);
    const int rate = parser.value(rateOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();
    if (rate <= 0 || seconds <= 0) {
        qCritical("--rate and --seconds must be positive");
        return 2;
    }

    std::vector<StoredKillmail> kills;
    test::FixedPrices prices;
    for (const Killmail& killmail : test::allFixtureKillmails()) {
        kills.push_back(
            StoredKillmail::from(test::valued(killmail, prices), StaticData::bundled(), QStringLiteral("benchmark")));
    }

    ui::FeedModel model(StaticData::bundled());
    ui::FeedView view(model);
    view.resize(1100, 700);
    view.show();
    if (parser.isSet(sortedOption)) {
        view.table()->sortByColumn(ui::FeedModel::Value, Qt::DescendingOrder);
    }

    // The feed is full (its limit of rows reached) after limit / rate seconds: memory is measured from then on.
    const qint64 fullAfterMs = qint64(ui::FeedModel::defaultLimit) * 1000 / rate + 1000;
    qint64 fed = 0;
    QElapsedTimer clock;
    clock.start();
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        // Catch up to the rate by the clock, whatever the timer's jitter.
        const qint64 due = clock.elapsed() * rate / 1000;
        for (; fed < due; ++fed) {
            StoredKillmail kill = kills[std::size_t(fed) % kills.size()];
            kill.killmailId += fed; // each one new, as a backfill's are
            model.add(kill);
        }
    });
    feeder.start(5);

    qint64 longestStallMs = 0;
    qint64 lastTick = clock.elapsed();
    double fullMiB = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        if (now > fullAfterMs) {
            longestStallMs = std::max(longestStallMs, now - lastTick - 1);
            if (fullMiB == 0) {
                fullMiB = residentMiB();
            }
        }
        lastTick = now;
    });
    ticker.start(1);

    // Memory at each minute too: a cache that fills up to a limit grows for minutes, so a run of several minutes should
    // show the same figure at every mark, not only little growth between two.
    QStringList minuteMiB;
    QTimer minutes;
    QObject::connect(&minutes, &QTimer::timeout, [&] { minuteMiB << QString::number(residentMiB(), 'f', 1); });
    minutes.start(std::chrono::minutes(1));

    QTimer::singleShot(std::chrono::seconds(seconds), &app, &QCoreApplication::quit);
    QApplication::exec();
    const double endMiB = residentMiB();

    bench::printRate(QStringLiteral("kills handed to the feed"), fed, "kills", bench::secondsOf(clock.nsecsElapsed()));
    bench::printLine(QStringLiteral("rows shown at the end: %1 (limit %2)%3")
                         .arg(model.rowCount())
                         .arg(ui::FeedModel::defaultLimit)
                         .arg(parser.isSet(sortedOption) ? QStringLiteral(", sorted by value") : QString()));
    bench::printLine(QStringLiteral("GUI thread's longest stall once the feed was full: %1 ms (target under 50 ms)")
                         .arg(longestStallMs));
    bench::printLine(QStringLiteral("resident memory once full: %1 MiB, at the end: %2 MiB (growth %3 MiB)")
                         .arg(fullMiB, 0, 'f', 1)
                         .arg(endMiB, 0, 'f', 1)
                         .arg(endMiB - fullMiB, 0, 'f', 1));
    if (!minuteMiB.isEmpty()) {
        bench::printLine(QStringLiteral("resident memory at each minute: %1 MiB (target: the same at every mark)")
                             .arg(minuteMiB.join(QStringLiteral(", "))));
    }
    return 0;
}
