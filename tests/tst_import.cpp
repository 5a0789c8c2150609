// import:killmails end to end: the real program against a real database, on real killmails, files, folders and
// EVE Ref archives, bad input and a database that fails half-way.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "import/KillmailImporter.h"
#include "parse/KillmailParser.h"
#include "prices/PriceBook.h"
#include "staticdata/StaticData.h"
#include "storage/Schema.h"
#include "storage/StorageError.h"
#include "valuation/Valuation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <mutex>

using namespace km;

namespace {

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};

CliResult runCli(const test::TestDatabase& db, const QStringList& arguments)
{
    QProcess process;
    process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                  QStringList{QStringLiteral("--database"), db.urlText()} + arguments);
    if (!process.waitForFinished(120000)) {
        process.kill();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

void writeFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

} // namespace

class TestImport : public QObject {
    Q_OBJECT
public:
    explicit TestImport(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(qEnvironmentVariable("KILLMAIL_CONSOLE")), "KILLMAIL_CONSOLE names the program");
    }

    void importsAFolderOnceAndRerunsSafely()
    {
        test::TestDatabase db(m_backend);
        const QString folder = test::dataPath(QStringLiteral("killmails"));
        const CliResult first = runCli(db, {QStringLiteral("import:killmails"), folder});
        QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));
        QVERIFY2(first.out.contains(QStringLiteral("stored: 294 killmails")), qPrintable(first.out));
        QVERIFY(first.out.contains(QStringLiteral("rejected: 0")));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
        const qint64 attackers = db.rowCount(QStringLiteral("attackers"));
        const qint64 items = db.rowCount(QStringLiteral("items"));

        const CliResult again = runCli(db, {QStringLiteral("import:killmails"), folder});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains(QStringLiteral("stored: 0 killmails")), qPrintable(again.out));
        QVERIFY(again.out.contains(QStringLiteral("duplicates: 294")));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), attackers);
        QCOMPARE(db.rowCount(QStringLiteral("items")), items);

        const CliResult check = runCli(db, {QStringLiteral("debug:check-data")});
        if (m_backend == Backend::Postgres) { // the cluster is fresh: the engine's maintenance never ran
            QVERIFY(check.out.contains(QStringLiteral("missing partitions")));
            QVERIFY(runCli(db, {QStringLiteral("db:partitions"), QStringLiteral("--create-ahead"), QStringLiteral("2")})
                        .exitCode
                    == 0);
        }
        const CliResult clean = runCli(db, {QStringLiteral("debug:check-data")});
        QVERIFY2(clean.exitCode == 0, qPrintable(clean.out + clean.err));
        QVERIFY(clean.out.contains(QStringLiteral("no problems found")));
    }

    void storedFlagsAndValuesAreZkillboards()
    {
        test::TestDatabase db(m_backend);
        QCOMPARE(runCli(db, {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("killmails"))}).exitCode,
                 0);
        QSqlQuery query =
            db.database().exec(QStringLiteral("SELECT \"killmailId\", \"isNPC\", \"isSolo\", \"isAwoxing\", "
                                              "\"totalValue\", \"fittedValue\" FROM killmails"));
        test::NoPrices noHistory; // the prices table is empty
        test::FixedPrices someHistory;
        int compared = 0;
        int totalsCompared = 0;
        int fittedCompared = 0;
        while (query.next()) {
            QFile file(test::dataPath(QStringLiteral("killmails/%1.json").arg(query.value(0).toLongLong())));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto outcomes = KillmailParser::parseDocument(file.readAll(), file.fileName());
            const ParsedKillmail& parsed = std::get<ParsedKillmail>(outcomes.front());
            // The import valued the kill by the rules, with no market history at all.
            const KillValues rules = Valuator(StaticData::bundled(), noHistory).value(parsed.killmail);
            QCOMPARE(query.value(4).toDouble(), rules.totalValue);
            QCOMPARE(query.value(5).toDouble(), rules.fittedValue);
            const auto& zkb = parsed.zkb;
            if (!zkb) {
                continue;
            }
            QCOMPARE(query.value(1).toBool(), zkb->npc);
            QCOMPARE(query.value(2).toBool(), zkb->solo);
            QCOMPARE(query.value(3).toBool(), zkb->awox);
            ++compared;
            // A value the market does not move (hand-set prices and fixed overrides alone: a capsule is 10,000)
            // is zKillboard's whatever its prices were.
            const KillValues otherMarket = Valuator(StaticData::bundled(), someHistory).value(parsed.killmail);
            if (otherMarket.totalValue == rules.totalValue) {
                QCOMPARE(query.value(4).toDouble(), zkb->totalValue);
                ++totalsCompared;
            }
            // Only zKillboard's current objects (with destroyedValue) count fitted items as these rules do: the
            // older ones keep the values of their time, when a capsule's fittedValue included its implants.
            const bool currentRules = zkb->destroyedValue + zkb->droppedValue > 0;
            if (currentRules && otherMarket.fittedValue == rules.fittedValue) {
                QCOMPARE(query.value(5).toDouble(), zkb->fittedValue);
                ++fittedCompared;
            }
        }
        QCOMPARE(compared, 283);
        QCOMPARE(totalsCompared, 20); // the empty capsules
        QCOMPARE(fittedCompared, 1); // 134435757, a capsule with implants in 2026
    }

    void changedHandSetPricesAreFoundAndRevalued()
    {
        test::TestDatabase db(m_backend);
        QCOMPARE(runCli(db, {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("killmails"))}).exitCode,
                 0);
        QVERIFY(runCli(db, {QStringLiteral("db:partitions"), QStringLiteral("--create-ahead"), QStringLiteral("2")})
                    .exitCode
                == 0);
        const auto capsuleTotals = [&db] {
            return db.database()
                .scalar(QStringLiteral("SELECT SUM(\"totalValue\") FROM killmails WHERE \"victimShipTypeId\" = 670"),
                        {}, "sum capsule values")
                .toDouble();
        };
        const double before = capsuleTotals();
        const qint64 capsules =
            db.database()
                .scalar(QStringLiteral("SELECT COUNT(*) FROM killmails WHERE \"victimShipTypeId\" = 670"), {}, "count")
                .toLongLong();
        QVERIFY(capsules >= 20);

        // An operator's override of a bundled row: capsules (group 29) now 25,000 ISK.
        QTemporaryDir dataFolder;
        writeFile(dataFolder.filePath(QStringLiteral("hand_set_prices.csv")),
                  "scope,id,price,from,until,name\ngroup,29,25000,,,Capsules\n");
        const QStringList withOverride{QStringLiteral("--data-folder"), dataFolder.path()};
        const CliResult check = runCli(db, QStringList{QStringLiteral("debug:check-data")} + withOverride);
        QCOMPARE(check.exitCode, 1);
        QVERIFY2(
            check.out.contains(
                QStringLiteral("PROBLEM killmails whose stored flags or values disagree with a recomputation: %1\n")
                    .arg(capsules)),
            qPrintable(check.out));
        QCOMPARE(runCli(db, {QStringLiteral("debug:check-data")}).exitCode, 0); // the bundled rules: nothing moved

        const CliResult revalue = runCli(db, QStringList{QStringLiteral("prices:revalue")} + withOverride);
        QCOMPARE(revalue.exitCode, 0);
        QVERIFY2(revalue.out.contains(QStringLiteral("killmails changed: %1").arg(capsules)), qPrintable(revalue.out));
        QCOMPARE(capsuleTotals(), before + double(capsules) * 15'000);
        const CliResult clean = runCli(db, QStringList{QStringLiteral("debug:check-data")} + withOverride);
        QVERIFY2(clean.exitCode == 0, qPrintable(clean.out + clean.err));
    }

    void importsEveRefArchivesAndReportsBadMembers()
    {
        test::TestDatabase db(m_backend);
        const CliResult result = runCli(db,
                                        {QStringLiteral("import:killmails"),
                                         test::dataPath(QStringLiteral("archives/killmails-2024-01-01.tar.bz2"))});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.out.contains(QStringLiteral("stored: 37 killmails")), qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("rejected: 1")));
        QVERIFY2(result.out.contains(
                     QStringLiteral("killmails-2024-01-01.tar.bz2:killmails/999999999.json: malformed JSON")),
                 qPrintable(result.out));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 37);
        QCOMPARE(
            db.database().scalar(QStringLiteral("SELECT COUNT(*) FROM killmails WHERE LENGTH(\"hash\") = 40")).toInt(),
            37);
    }

    void aCorruptArchiveDoesNotStopTheRest()
    {
        test::TestDatabase db(m_backend);
        const CliResult result =
            runCli(db,
                   {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("archives/corrupt.tar.bz2")),
                    test::dataPath(QStringLiteral("archives/single.json.bz2")),
                    test::dataPath(QStringLiteral("killmails/39077457.json"))});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.out.contains(QStringLiteral("corrupt.tar.bz2")), qPrintable(result.out));
        QCOMPARE(
            db.database()
                .scalar(QStringLiteral("SELECT COUNT(*) FROM killmails WHERE \"killmailId\" IN (12575058, 39077457)"))
                .toInt(),
            2);
    }

    void badFilesAreNamedAndSkipped()
    {
        test::TestDatabase db(m_backend);
        QTemporaryDir folder;
        QFile good(test::dataPath(QStringLiteral("killmails/39077457.json")));
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray goodJson = good.readAll();
        QJsonObject missingVictim = QJsonDocument::fromJson(goodJson).object();
        missingVictim.remove(QStringLiteral("victim"));
        missingVictim.remove(QStringLiteral("zkb"));
        writeFile(folder.filePath(QStringLiteral("a-good.json")), goodJson);
        writeFile(folder.filePath(QStringLiteral("b-truncated.json")), goodJson.left(100));
        writeFile(folder.filePath(QStringLiteral("c-no-victim.json")), QJsonDocument(missingVictim).toJson());
        writeFile(folder.filePath(QStringLiteral("d-eve-kill.json")),
                  R"({"killmail_id": 5, "killmail_hash": "0123456789abcdef0123456789abcdef01234567"})");
        writeFile(folder.filePath(QStringLiteral("e-scalar.json")), "17");
        writeFile(folder.filePath(QStringLiteral("notes.txt")), "ignored: not a killmail file");

        const CliResult result = runCli(db, {QStringLiteral("import:killmails"), folder.path()});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.out.contains(QStringLiteral("inputs: 5")));
        QVERIFY(result.out.contains(QStringLiteral("stored: 1 killmails")));
        QVERIFY(result.out.contains(QStringLiteral("rejected: 3")));
        QVERIFY(result.out.contains(QStringLiteral("b-truncated.json: malformed JSON")));
        QVERIFY(result.out.contains(QStringLiteral("c-no-victim.json: victim: required field is missing")));
        QVERIFY(result.out.contains(QStringLiteral("e-scalar.json")));
        QVERIFY2(result.out.contains(QStringLiteral("queued for an ESI fetch by the engine (--headless): 1 of 1")),
                 qPrintable(result.out));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 1);
        QCOMPARE(
            db.database().scalar(QStringLiteral("SELECT \"dedupKey\" FROM jobs WHERE queue = 'killmail'")).toString(),
            QStringLiteral("5"));

        // Importing the same reference again queues nothing more.
        const CliResult again =
            runCli(db, {QStringLiteral("import:killmails"), folder.filePath(QStringLiteral("d-eve-kill.json"))});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains(QStringLiteral("0 of 1 (already stored: 0, already queued: 1)")),
                 qPrintable(again.out));
    }

    void aDatabaseFailureStopsCleanlyAndARerunFillsTheGap()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        // Fail the write of the batch holding killmail 119689329, as a full disk would.
        db.failInserts(QStringLiteral("items"), QStringLiteral("NEW.\"killmailId\" = 119689329"),
                       QStringLiteral("disk full (simulated)"));
        const QString folder = test::dataPath(QStringLiteral("killmails"));
        const CliResult failed = runCli(
            db, {QStringLiteral("import:killmails"), QStringLiteral("--batch-size"), QStringLiteral("50"), folder});
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.out.contains(QStringLiteral("stopped by a database error")), qPrintable(failed.out));
        QVERIFY(failed.out.contains(QStringLiteral("disk full (simulated)")));
        const qint64 partial = db.rowCount(QStringLiteral("killmails"));
        QVERIFY(partial < 294);
        QCOMPARE(
            database.scalar(QStringLiteral("SELECT COUNT(*) FROM killmails WHERE \"killmailId\" = 119689329")).toInt(),
            0);
        // Nothing half-written: every stored killmail has its attackers, and no row is orphaned.
        const CliResult check = runCli(db, {QStringLiteral("debug:check-data"), QStringLiteral("--no-recompute")});
        QVERIFY2(!check.out.contains(QStringLiteral("without attackers"))
                     && !check.out.contains(QStringLiteral("is missing")),
                 qPrintable(check.out));

        db.allowInserts(QStringLiteral("items"));
        const CliResult rerun = runCli(db, {QStringLiteral("import:killmails"), folder});
        QCOMPARE(rerun.exitCode, 0);
        QVERIFY2(rerun.out.contains(QStringLiteral("stored: %1 killmails").arg(294 - partial)), qPrintable(rerun.out));
        QVERIFY(rerun.out.contains(QStringLiteral("duplicates: %1").arg(partial)));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
    }

    void importerReportsProgressAndRows()
    {
        test::TestDatabase db(m_backend);
        db.database(); // migrated
        KillmailImporter importer(db.url(), StaticData::bundled(), {50, 20, 0});
        std::vector<ProgressSnapshot> snapshots;
        importer.setProgressCallback([&](const ProgressSnapshot& snapshot) { snapshots.push_back(snapshot); });
        const ImportReport report = importer.importPaths({test::dataPath(QStringLiteral("killmails"))});
        QCOMPARE(report.stored, 294);
        QCOMPARE(report.attackerRows, db.rowCount(QStringLiteral("attackers")));
        QCOMPARE(report.itemRows, db.rowCount(QStringLiteral("items")));
        QVERIFY(!snapshots.empty());
        QCOMPARE(snapshots.back().items, 294);
        QCOMPARE(snapshots.back().done, snapshots.back().total);
        QVERIFY(snapshots.back().itemsPerSecond > 0);
    }

    /// Every index of the database, with what it covers: on PostgreSQL the partitions' own indexes too.
    QStringList indexDefinitions(test::TestDatabase& db) const
    {
        QStringList definitions;
        QSqlQuery query = db.database().exec(
            m_backend == Backend::Sqlite
                ? QStringLiteral("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
                : QStringLiteral(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"));
        while (query.next()) {
            definitions << query.value(0).toString();
        }
        return definitions;
    }

    int indexCount(test::TestDatabase& db, const QString& name) const
    {
        return db.database()
            .scalar(m_backend == Backend::Sqlite
                        ? QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?")
                        : QStringLiteral("SELECT COUNT(*) FROM pg_indexes WHERE indexname = ?"),
                    {name})
            .toInt();
    }

    void bulkLoadIntoAnEmptyDatabaseRebuildsItsIndexes()
    {
        test::TestDatabase db(m_backend);
        if (m_backend == Backend::Postgres) { // the months of the fixtures, as a first import would leave them
            runCli(db, {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("killmails"))});
            db.database().exec(QStringLiteral("TRUNCATE killmail_ids, killmails, attackers, items"));
        }
        const QStringList schemaIndexes = indexDefinitions(db);
        if (m_backend == Backend::Sqlite) {
            QCOMPARE(schemaIndexes.size(), 16); // 12 of the killmail tables (dropped for the load), 4 of the queue
        }

        const CliResult first =
            runCli(db, {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("killmails"))});
        QCOMPARE(first.exitCode, 0);
        QVERIFY2(first.out.contains(QStringLiteral("indexes built after the load")), qPrintable(first.out));
        QCOMPARE(indexDefinitions(db), schemaIndexes);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
        if (m_backend == Backend::Sqlite) {
            QSqlQuery explain = db.database().exec(
                QStringLiteral("EXPLAIN QUERY PLAN SELECT * FROM attackers WHERE \"characterId\" = 1"));
            QVERIFY(explain.next());
            QVERIFY2(explain.value(3).toString().contains(QStringLiteral("attackers_character")),
                     qPrintable(explain.value(3).toString()));
        } else { // the rebuilt keys hold: a second copy of a row is refused
            QVERIFY_THROWS_EXCEPTION(StorageError,
                                     db.database().exec(QStringLiteral("INSERT INTO attackers SELECT * FROM attackers "
                                                                       "LIMIT 1")));
        }

        // A database that holds killmails keeps its indexes during an import.
        QVERIFY(!BulkLoadIndexes(db.database()).dropIfEmpty());
        const CliResult second = runCli(
            db, {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("archives/single.json.bz2"))});
        QVERIFY(!second.out.contains(QStringLiteral("indexes built")));
    }

    void anInterruptedBulkLoadGetsItsIndexesBack()
    {
        test::TestDatabase db(m_backend);
        const QStringList schemaIndexes = indexDefinitions(db);
        QVERIFY(BulkLoadIndexes(db.database()).dropIfEmpty()); // as if the importer died right after this
        QCOMPARE(indexCount(db, QStringLiteral("attackers_character")), 0);
        if (m_backend == Backend::Postgres) {
            QCOMPARE(indexCount(db, QStringLiteral("attackers_pkey")), 0);
        }
        Migrator(db.database()).migrate(); // what every start does
        QCOMPARE(indexCount(db, QStringLiteral("attackers_character")), 1);
        QCOMPARE(indexDefinitions(db), schemaIndexes);
    }

    void twoProcessesRestoringAtOnceBothSucceed()
    {
        test::TestDatabase db(m_backend);
        const QStringList schemaIndexes = indexDefinitions(db);
        QVERIFY(BulkLoadIndexes(db.database()).dropIfEmpty());
        std::mutex mutex;
        QStringList failures;
        const DatabaseUrl url = db.url();
        const auto restore = [&] {
            try {
                Database connection(url);
                BulkLoadIndexes(connection).restore();
            } catch (const StorageError& error) {
                const std::lock_guard lock(mutex);
                failures << error.message();
            }
        };
        std::unique_ptr<QThread> first(QThread::create(restore));
        std::unique_ptr<QThread> second(QThread::create(restore));
        first->start();
        second->start();
        QVERIFY(first->wait(60000) && second->wait(60000));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        QCOMPARE(indexDefinitions(db), schemaIndexes);
    }

    void emptyCommandLineIsAUsageError()
    {
        test::TestDatabase db(m_backend);
        const CliResult result = runCli(db, {QStringLiteral("import:killmails")});
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains(QStringLiteral("name at least one file")));
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestImport suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_import.moc"
