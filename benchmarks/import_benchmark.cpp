// Imports a generated corpus of real killmails (repeated under new IDs) into SQLite and PostgreSQL, end to end
// from JSON files (parsing, flags, valuation, storage), and prints killmails/s and rows/s.
#include "import/KillmailImporter.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/Migrator.h"
#include "util/Logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTextStream>

#include <cstdio>

using namespace km;

namespace {

/// Writes `count` killmail files: the fixtures in turn, each under a fresh killmail ID from `firstId` on.
qint64 writeCorpus(const QString& directory, int count, qint64 firstId)
{
    const QDir fixtures(QStringLiteral(KILLMAIL_FIXTURES_DIR));
    std::vector<QJsonObject> sources;
    for (const QString& name : fixtures.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        QFile file(fixtures.filePath(name));
        if (file.open(QIODevice::ReadOnly)) {
            sources.push_back(QJsonDocument::fromJson(file.readAll()).object());
        }
    }
    qint64 bytes = 0;
    for (int i = 0; i < count; ++i) {
        QJsonObject object = sources[std::size_t(i) % sources.size()];
        const qint64 id = firstId + i;
        for (const QString& key : {QStringLiteral("killmail"), QStringLiteral("esi")}) {
            if (object.contains(key)) { // RedisQ package / R2Z2 record: the ID lives in the body
                QJsonObject body = object.value(key).toObject();
                body.insert(QStringLiteral("killmail_id"), id);
                object.insert(key, body);
            }
        }
        if (object.contains(QStringLiteral("killID"))) {
            object.insert(QStringLiteral("killID"), id);
        }
        if (object.contains(QStringLiteral("killmail_id"))) {
            object.insert(QStringLiteral("killmail_id"), id);
        }
        const QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
        QFile out(QStringLiteral("%1/%2.json").arg(directory).arg(id));
        if (!out.open(QIODevice::WriteOnly) || out.write(json) != json.size()) {
            qFatal("cannot write the corpus to %s", qPrintable(directory));
        }
        bytes += json.size();
    }
    return bytes;
}

void benchmark(const QString& label, const DatabaseUrl& url, const QString& corpus, int expected, int writers)
{
    {
        Database database(url);
        Migrator(database).migrate();
    }
    KillmailImporter::Options options;
    options.writers = writers;
    KillmailImporter importer(url, StaticData::bundled(), options);
    QElapsedTimer clock;
    clock.start();
    const ImportReport report = importer.importPaths({corpus});
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const qint64 rows = report.stored + report.attackerRows + report.itemRows;
    std::printf("%-10s %8lld killmails in %6.2f s  %8.0f killmails/s  %9.0f rows/s  (%lld attackers, %lld items, %zu "
                "rejected%s)\n",
                qPrintable(label), static_cast<long long>(report.stored), seconds, double(report.stored) / seconds,
                double(rows) / seconds, static_cast<long long>(report.attackerRows),
                static_cast<long long>(report.itemRows), report.rejected.size(),
                report.stored == expected ? "" : ", INCOMPLETE");
    if (report.indexSeconds > 0) {
        std::printf("           of which %.2f s building the indexes after the load into an empty database\n",
                    report.indexSeconds);
    }
    if (!report.storageError.isEmpty()) {
        std::printf("           database error: %s\n", qPrintable(report.storageError));
    }
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Import benchmark: end-to-end killmails/s into SQLite and PostgreSQL."));
    parser.addHelpOption();
    const QCommandLineOption countOption(QStringLiteral("count"),
                                         QStringLiteral("Killmails in the corpus (default 20000)."),
                                         QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption postgresOption(QStringLiteral("postgres"),
                                            QStringLiteral("An empty PostgreSQL database to import into."),
                                            QStringLiteral("url"));
    const QCommandLineOption writersOption(
        QStringLiteral("writers"), QStringLiteral("PostgreSQL writer connections (default 2; SQLite always has one)."),
        QStringLiteral("n"), QStringLiteral("0"));
    parser.addOptions({countOption, postgresOption, writersOption});
    parser.process(app);
    logging::install(false);

    const int count = parser.value(countOption).toInt();
    QElapsedTimer clock;
    clock.start();
    const StaticData& staticData = StaticData::bundled();
    std::printf("static data: %lld types, %lld solar systems loaded in %.0f ms\n",
                static_cast<long long>(staticData.typeCount()), static_cast<long long>(staticData.solarSystemCount()),
                double(clock.nsecsElapsed()) / 1e6);

    QTemporaryDir work;
    const QString corpus = work.filePath(QStringLiteral("corpus"));
    const QString more = work.filePath(QStringLiteral("more"));
    QDir().mkpath(corpus);
    QDir().mkpath(more);
    const qint64 bytes = writeCorpus(corpus, count, 2'000'000'000LL);
    std::printf("corpus: %d killmail files, %.1f MB of JSON; then %d more into the filled database\n", count,
                double(bytes) / 1e6, count / 2);
    writeCorpus(more, count / 2, 3'000'000'000LL);

    const DatabaseUrl sqlite =
        *DatabaseUrl::parse(QStringLiteral("sqlite://") + work.filePath(QStringLiteral("bench.db")), nullptr);
    benchmark(QStringLiteral("SQLite"), sqlite, corpus, count, 1);
    benchmark(QStringLiteral("SQLite+"), sqlite, more, count / 2, 1);
    if (parser.isSet(postgresOption)) {
        QString error;
        const auto url = DatabaseUrl::parse(parser.value(postgresOption), &error);
        if (!url) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        benchmark(QStringLiteral("PostgreSQL"), *url, corpus, count, parser.value(writersOption).toInt());
        benchmark(QStringLiteral("PostgreSQL+"), *url, more, count / 2, parser.value(writersOption).toInt());
    }
    return 0;
}
