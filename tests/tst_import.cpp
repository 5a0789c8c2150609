// import:killmails end to end: the real program against a real database, on real killmails, files, folders and
// EVE Ref archives, bad input and a database that fails half-way.
#include "ArchiveWriter.h"
#include "Fixtures.h"
#include "TestDatabase.h"

#include "import/KillmailImporter.h"
#include "parse/KillmailParser.h"
#include "prices/PriceBook.h"
#include "staticdata/StaticData.h"
#include "storage/BulkLoadIndexes.h"
#include "storage/Migrator.h"
#include "storage/StorageError.h"
#include "valuation/Valuation.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <archive.h>
#include <csignal>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

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
    if (!process.waitForFinished(-1)) {
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

        // Filled by imports alone (no engine ever ran here), the database checks clean, its live months included.
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

    void archiveMembersCannotReachOutsideTheArchive()
    {
        // Members are read into memory, never extracted, and only regular files are read: an archive whose members
        // climb out (.., absolute paths) or link to a killmail outside it writes nothing anywhere and imports only
        // what it holds itself.
        test::TestDatabase db(m_backend);
        QTemporaryDir root;
        const QDir top(root.path());
        QVERIFY(top.mkpath(QStringLiteral("work/in")) && top.mkpath(QStringLiteral("outside")));
        const auto fixture = [](const char* id) {
            QFile file(test::dataPath(QStringLiteral("killmails/%1.json").arg(QLatin1StringView(id))));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        const QString target = top.filePath(QStringLiteral("outside/target.json")); // never to be read
        writeFile(target, fixture("10624154"));
        using Kind = test::ArchiveMember::Kind;
        const QByteArray tar =
            test::writeArchive(archive_write_set_format_pax_restricted,
                               {{QStringLiteral("../escaped.json"), fixture("106140056")},
                                {top.filePath(QStringLiteral("absolute/abs.json")), fixture("10622653")},
                                {QStringLiteral("deep/../../../up.json"), fixture("10624110")},
                                {QStringLiteral("link.json"), {}, Kind::SymbolicLink, target},
                                {QStringLiteral("relative-link.json"),
                                 {},
                                 Kind::SymbolicLink,
                                 QStringLiteral("../../outside/target.json")},
                                {QStringLiteral("hard.json"), {}, Kind::HardLink, target}});
        const QString archive = top.filePath(QStringLiteral("work/in/killmails.tar"));
        writeFile(archive, tar);

        QProcess process;
        process.setWorkingDirectory(top.filePath(QStringLiteral("work/in")));
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                      {QStringLiteral("--database"), db.urlText(), QStringLiteral("import:killmails"), archive});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        const QByteArray out = process.readAllStandardOutput();
        QVERIFY2(out.contains("stored: 3 killmails"), out.constData());
        QCOMPARE(db.database()
                     .scalar(QStringLiteral(
                         R"(SELECT COUNT(*) FROM killmails WHERE "killmailId" IN (106140056, 10622653, 10624110))"))
                     .toInt(),
                 3);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 3); // not the one the links point at
        QStringList files;
        for (QDirIterator it(root.path(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                             QDirIterator::Subdirectories);
             it.hasNext();) {
            files << top.relativeFilePath(it.next());
        }
        files.sort();
        QCOMPARE(files,
                 (QStringList{QStringLiteral("outside"), QStringLiteral("outside/target.json"), QStringLiteral("work"),
                              QStringLiteral("work/in"), QStringLiteral("work/in/killmails.tar")}));
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

    void aKillmailWithoutVictimButWithAHashIsQueuedAndSaidSo()
    {
        test::TestDatabase db(m_backend);
        QFile good(test::dataPath(QStringLiteral("killmails/39077457.json")));
        QVERIFY(good.open(QIODevice::ReadOnly));
        QJsonObject noVictim = QJsonDocument::fromJson(good.readAll()).object();
        noVictim.remove(QStringLiteral("victim"));
        QTemporaryDir folder;
        writeFile(folder.filePath(QStringLiteral("no-victim.json")), QJsonDocument(noVictim).toJson());
        const CliResult result = runCli(db, {QStringLiteral("import:killmails"), folder.path()});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(QStringLiteral("queued for an ESI fetch by the engine (--headless): 1 of 1")),
                 qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("with a killmail body that was not stored as given: 1")));
        QVERIFY(result.out.contains(QStringLiteral("no-victim.json: killmail 39077457: the killmail has no victim")));
    }

    void decompressionBombsAreRefusedByName()
    {
        test::TestDatabase db(m_backend);
        QTemporaryDir folder;
        QVERIFY(QFile::copy(test::dataPath(QStringLiteral("killmails/39077457.json")),
                            folder.filePath(QStringLiteral("39077457.json"))));
        // 80 MiB of zeros: an archive member of a few KB compressed, and a gzip file of the same.
        QProcess shell;
        shell.setWorkingDirectory(folder.path());
        shell.start(
            QStringLiteral("sh"),
            {QStringLiteral("-ec"),
             QStringLiteral("head -c 80M /dev/zero > zeros.json; tar -cjf bomb.tar.bz2 zeros.json 39077457.json; "
                            "gzip -c zeros.json > zeros.json.gz; rm zeros.json 39077457.json")});
        QVERIFY(shell.waitForFinished(-1));
        QCOMPARE(shell.exitCode(), 0);

        const CliResult result = runCli(db, {QStringLiteral("import:killmails"), folder.path()});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.out.contains(QStringLiteral("bomb.tar.bz2:zeros.json: larger than 64 MiB once decompressed")),
                 qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("zeros.json.gz: larger than 64 MiB once decompressed")));
        QVERIFY(result.out.contains(QStringLiteral("rejected: 2")));
        // The archive's member after the bomb is still read.
        QVERIFY(result.out.contains(QStringLiteral("stored: 1 killmails")));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 1);
    }

    void inputsThatCannotBeReadAreNamed()
    {
        test::TestDatabase db(m_backend);
        QTemporaryDir folder;
        QVERIFY(QFile::copy(test::dataPath(QStringLiteral("killmails/39077457.json")),
                            folder.filePath(QStringLiteral("a-good.json"))));
        QVERIFY(::mkfifo(QFile::encodeName(folder.filePath(QStringLiteral("pipe.json"))).constData(), 0600) == 0);
        QVERIFY(
            QFile::link(folder.filePath(QStringLiteral("gone.json")), folder.filePath(QStringLiteral("link.json"))));
        QVERIFY(QDir(folder.path()).mkdir(QStringLiteral("locked")));
        writeFile(folder.filePath(QStringLiteral("locked/inside.json")), "{}");
        writeFile(folder.filePath(QStringLiteral("secret.json")), "{}");
        const bool permissionsApply = ::geteuid() != 0; // root reads everything
        QVERIFY(QFile::setPermissions(folder.filePath(QStringLiteral("locked")), {}));
        QVERIFY(QFile::setPermissions(folder.filePath(QStringLiteral("secret.json")), {}));

        const CliResult result = runCli(db,
                                        {QStringLiteral("import:killmails"), folder.path(),
                                         folder.filePath(QStringLiteral("pipe.json")), QStringLiteral("/dev/null")});
        QFile::setPermissions(folder.filePath(QStringLiteral("locked")),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.out.contains(QStringLiteral("stored: 1 killmails")));
        QVERIFY2(result.out.contains(QStringLiteral("rejected: 6")), qPrintable(result.out)); // "{}" when root reads
        const QString pipe = folder.filePath(QStringLiteral("pipe.json")) + QStringLiteral(": not a regular file");
        QCOMPARE(result.out.count(pipe), 2); // found in the folder, and named directly
        QVERIFY2(result.out.contains(QStringLiteral("/dev/null: not a regular file")), qPrintable(result.out));
        QVERIFY(
            result.out.contains(folder.filePath(QStringLiteral("link.json")) + QStringLiteral(": a link to nothing")));
        if (permissionsApply) {
            QVERIFY(result.out.contains(folder.filePath(QStringLiteral("locked"))
                                        + QStringLiteral(": the folder cannot be read")));
            QVERIFY(result.out.contains(folder.filePath(QStringLiteral("secret.json"))
                                        + QStringLiteral(": the file cannot be read")));
        }
    }

    void aDatabaseFailureStopsCleanlyAndARerunFillsTheGap()
    {
        test::TestDatabase db(m_backend);
        // Every killmail after the first 100 fails to be written, as on a disk that has filled up.
        db.failInserts(QStringLiteral("killmails"), QStringLiteral("(SELECT COUNT(*) FROM killmails) >= 100"),
                       QStringLiteral("disk full (simulated)"));
        const QString folder = test::dataPath(QStringLiteral("killmails"));
        const CliResult failed = runCli(
            db, {QStringLiteral("import:killmails"), QStringLiteral("--batch-size"), QStringLiteral("50"), folder});
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.out.contains(QStringLiteral("stopped by a database error")), qPrintable(failed.out));
        QVERIFY(failed.out.contains(QStringLiteral("disk full (simulated)")));
        const qint64 partial = db.rowCount(QStringLiteral("killmails"));
        QVERIFY(partial >= 100 && partial < 294);
        // Nothing half-written: every stored killmail has its attackers, and no row is orphaned.
        const CliResult check = runCli(db, {QStringLiteral("debug:check-data"), QStringLiteral("--no-recompute")});
        QVERIFY2(!check.out.contains(QStringLiteral("without attackers"))
                     && !check.out.contains(QStringLiteral("is missing")),
                 qPrintable(check.out));

        db.allowInserts(QStringLiteral("killmails"));
        const CliResult rerun = runCli(db, {QStringLiteral("import:killmails"), folder});
        QCOMPARE(rerun.exitCode, 0);
        QVERIFY2(rerun.out.contains(QStringLiteral("stored: %1 killmails").arg(294 - partial)), qPrintable(rerun.out));
        QVERIFY(rerun.out.contains(QStringLiteral("duplicates: %1").arg(partial)));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
    }

    void oneBadKillmailIsRefusedAloneAndTheRestIsStored()
    {
        test::TestDatabase db(m_backend);
        // The database refuses one killmail of a batch; the parser refuses one dated before EVE Online opened.
        db.failInserts(QStringLiteral("items"), QStringLiteral("NEW.\"killmailId\" = 119689329"),
                       QStringLiteral("poison (simulated)"));
        QTemporaryDir folder;
        QFile good(test::dataPath(QStringLiteral("killmails/39077457.json")));
        QVERIFY(good.open(QIODevice::ReadOnly));
        QJsonObject ancient = QJsonDocument::fromJson(good.readAll()).object();
        ancient.insert(QStringLiteral("killmail_id"), 7);
        ancient.insert(QStringLiteral("killmail_time"), QStringLiteral("0001-01-01T00:00:00Z"));
        const QString ancientPath = folder.filePath(QStringLiteral("ancient.json"));
        writeFile(ancientPath, QJsonDocument(ancient).toJson());

        const CliResult result =
            runCli(db,
                   {QStringLiteral("import:killmails"), QStringLiteral("--batch-size"), QStringLiteral("50"),
                    test::dataPath(QStringLiteral("killmails")), ancientPath});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.out.contains(QStringLiteral("stored: 293 killmails")), qPrintable(result.out));
        QVERIFY(result.out.contains(QStringLiteral("rejected: 2")));
        QVERIFY(result.out.contains(QStringLiteral("killmail 119689329: ")));
        QVERIFY(result.out.contains(QStringLiteral("poison (simulated)")));
        QVERIFY(result.out.contains(QStringLiteral("ancient.json: killmail 7: killmail_time 0001-01-01T00:00:00Z is "
                                                   "before EVE Online opened")));
        QVERIFY(!result.out.contains(QStringLiteral("stopped by a database error")));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 293);

        db.allowInserts(QStringLiteral("items"));
        const CliResult rerun =
            runCli(db, {QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("killmails"))});
        QCOMPARE(rerun.exitCode, 0);
        QVERIFY2(rerun.out.contains(QStringLiteral("stored: 1 killmails")), qPrintable(rerun.out));
    }

    void valuesBeyondWhatIsStoredAreRefusedTheSameOnBothDatabases()
    {
        test::TestDatabase db(m_backend);
        // A price of 10^9 ISK for a module the fixture carries, on the days before its loss (2014-05-25).
        for (const char* day : {"2014-05-20", "2014-05-21", "2014-05-22", "2014-05-23", "2014-05-24"}) {
            db.database().exec(QStringLiteral("INSERT INTO prices (\"typeId\", \"regionId\", \"date\", \"average\") "
                                              "VALUES (3170, 10000002, ?, 1000000000)"),
                               {QString::fromLatin1(day)});
        }
        QFile file(test::dataPath(QStringLiteral("killmails/39077457.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject original = QJsonDocument::fromJson(file.readAll()).object();
        QTemporaryDir folder;
        // 9.5 million of them are worth 9.5e15 ISK, stored as such; 10^9 of them (10^18 ISK) are refused.
        const auto withQuantity = [&](int id, qint64 quantity) {
            QJsonObject killmail = original;
            killmail.insert(QStringLiteral("killmail_id"), id);
            killmail.remove(QStringLiteral("zkb"));
            QJsonObject victim = killmail.value(QStringLiteral("victim")).toObject();
            victim.insert(QStringLiteral("items"),
                          QJsonArray{QJsonObject{{QStringLiteral("item_type_id"), 3170},
                                                 {QStringLiteral("singleton"), 0},
                                                 {QStringLiteral("flag"), 5},
                                                 {QStringLiteral("quantity_destroyed"), quantity}}});
            killmail.insert(QStringLiteral("victim"), victim);
            writeFile(folder.filePath(QStringLiteral("%1.json").arg(id)), QJsonDocument(killmail).toJson());
        };
        withQuantity(1001, 9500000);
        withQuantity(1002, 1000000000);

        const CliResult result = runCli(db, {QStringLiteral("import:killmails"), folder.path()});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.out.contains(QStringLiteral("stored: 1 killmails")), qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("killmail 1002: totalValue 1e+18 ISK is outside what is stored")),
                 qPrintable(result.out));
        const double stored =
            db.database()
                .scalar(QStringLiteral("SELECT \"totalValue\" FROM killmails WHERE \"killmailId\" = 1001"))
                .toDouble();
        QVERIFY2(stored >= 9.5e15 && stored < 9.6e15, qPrintable(QString::number(stored, 'f', 2)));
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

    void anInterruptedImportSaysWhatItStoredAndARerunResumes()
    {
        test::TestDatabase db(m_backend);
        db.database(); // migrated
        const QString folder = test::dataPath(QStringLiteral("killmails"));
        // The fixtures many times over: long enough to be interrupted once its progress shows.
        QStringList arguments{QStringLiteral("--database"), db.urlText(), QStringLiteral("import:killmails")};
        for (int i = 0; i < 500; ++i) {
            arguments << folder;
        }
        QProcess process;
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"), arguments);
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += process.readAllStandardError()).contains("importing:"), 60000);
        QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
        QVERIFY(process.waitForFinished(-1));
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 130);
        QVERIFY2(out.contains(QStringLiteral("interrupted: what is listed above as stored is kept; run the same "
                                             "import again to resume")),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("stored: %1 killmails").arg(db.rowCount(QStringLiteral("killmails")))),
                 qPrintable(out));

        const CliResult rerun = runCli(db, {QStringLiteral("import:killmails"), folder});
        QCOMPARE(rerun.exitCode, 0);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
        QVERIFY(BulkLoadIndexes(db.database()).missing().isEmpty()); // left to the rerun by the interrupted load
        const CliResult check = runCli(db, {QStringLiteral("debug:check-data"), QStringLiteral("--no-recompute")});
        QVERIFY2(!check.out.contains(QStringLiteral("without attackers"))
                     && !check.out.contains(QStringLiteral("is missing")),
                 qPrintable(check.out));
    }

    void aRerunWaitsForTheIndexBuildsOfAnInterruptedImport()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("SQLite builds its indexes in the importing process itself");
        }
        test::TestDatabase db(m_backend);
        const QStringList schemaIndexes = indexDefinitions(db);
        QVERIFY(BulkLoadIndexes(db.database()).dropIfEmpty());
        // An import killed during its index builds: the server goes on building one (here left uncommitted).
        Database orphan(db.url());
        orphan.exec(QStringLiteral("SELECT pg_advisory_lock_shared(7243004)"));
        orphan.exec(QStringLiteral("BEGIN"));
        orphan.exec(
            QStringLiteral("CREATE INDEX IF NOT EXISTS \"attackers_character\" ON \"attackers\" (\"characterId\")"));

        QString failure;
        const DatabaseUrl url = db.url();
        std::unique_ptr<QThread> rerun(QThread::create([&] {
            try {
                Database connection(url);
                BulkLoadIndexes(connection).restore();
            } catch (const StorageError& error) {
                failure = error.message();
            }
        }));
        rerun->start();
        QTRY_VERIFY_WITH_TIMEOUT(db.database()
                                         .scalar(QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE "
                                                                "wait_event_type = 'Lock' AND wait_event = 'advisory'"))
                                         .toInt()
                                     == 1,
                                 60000);
        orphan.exec(QStringLiteral("COMMIT"));
        orphan.exec(QStringLiteral("SELECT pg_advisory_unlock_shared(7243004)"));
        QVERIFY(rerun->wait(60000));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
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
