// The EVE Ref archive backfill against a fake EVE Ref over loopback and a real database: which days it downloads,
// what it stores, and how it meets grown totals, missing, failing, cut-off and corrupt archives, local files and a
// stop half-way.
#include "FakeEveRef.h"
#include "Fixtures.h"
#include "NetworkFaults.h"
#include "TestDatabase.h"

#include "checks/DataChecker.h"
#include "net/HttpClient.h"
#include "sources/EveRefBackfill.h"
#include "sources/KillmailSink.h"
#include "sources/SourceStateStore.h"
#include "staticdata/StaticData.h"
#include "storage/PartitionManager.h"
#include "util/UtcTime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>

using namespace km;
using namespace std::chrono_literals;

namespace {

const QString sourceName = QStringLiteral("backfill:everef");
/// Most tests backfill these days: six with kills (20 in all), one PostgreSQL partition.
const QDate april1 = QDate(2010, 4, 1);
const QDate april12 = QDate(2010, 4, 12);
/// The busiest of them (8 kills).
const QDate april6 = QDate(2010, 4, 6);

/// One run of the backfill with its own sink and HTTP client, as a source thread would hold them.
class BackfillRun {
public:
    BackfillRun(test::TestDatabase& db, EveRefSettings settings, HttpSettings http = HttpSettings{test::userAgent, 2s})
        : m_sink(db.database())
        , m_http(std::move(http))
        , m_backfill(std::move(settings), {m_sink, m_http})
    {
        QObject::connect(&m_backfill, &Source::statusChanged, &m_backfill, [this](const SourceStatus& status) {
            m_seen.append(status);
            if (m_onStatus) {
                m_onStatus(status);
            }
        });
    }

    /// Called on every status the backfill publishes (to stop it at some point).
    void onStatus(std::function<void(const SourceStatus&)> callback) { m_onStatus = std::move(callback); }
    void start() { m_backfill.start(); }
    /// Starts and waits for the end; false when it did not end in time.
    bool runToEnd()
    {
        start();
        return waitForEnd();
    }
    bool waitForEnd()
    {
        return QTest::qWaitFor([this] { return !m_backfill.isRunning(); }, 120000);
    }

    [[nodiscard]] EveRefBackfill& backfill() { return m_backfill; }
    [[nodiscard]] const SourceStatus& status() const { return m_backfill.status(); }
    [[nodiscard]] bool saw(SourceState state) const
    {
        return std::any_of(m_seen.begin(), m_seen.end(), [state](const SourceStatus& s) { return s.state == state; });
    }
    [[nodiscard]] bool sawDetail(const QString& detail) const
    {
        return std::any_of(m_seen.begin(), m_seen.end(), [&](const SourceStatus& s) { return s.detail == detail; });
    }
    /// Every distinct error the backfill recorded, in order.
    [[nodiscard]] QStringList errors() const
    {
        QStringList errors;
        for (const SourceStatus& status : m_seen) {
            if (!status.lastError.isEmpty() && (errors.isEmpty() || errors.back() != status.lastError)) {
                errors.append(status.lastError);
            }
        }
        return errors;
    }

private:
    KillmailSink m_sink;
    HttpClient m_http;
    EveRefBackfill m_backfill;
    QList<SourceStatus> m_seen;
    std::function<void(const SourceStatus&)> m_onStatus;
};

/// The archives requested, as paths, in order.
QStringList archiveRequests(const test::FakeEveRef& fake)
{
    QStringList paths;
    for (const test::FakeHttpServer::Request& request : fake.requests()) {
        if (request.route().endsWith(QStringLiteral(".tar.bz2"))) {
            paths.append(request.route());
        }
    }
    return paths;
}

QStringList archivePaths(const QList<QDate>& days)
{
    QStringList paths;
    for (const QDate day : days) {
        paths.append(test::FakeEveRef::archivePath(day));
    }
    return paths;
}

qint64 storedOn(test::TestDatabase& db, QDate day)
{
    return db.database()
        .scalar(QStringLiteral(R"(SELECT COUNT(*) FROM killmails WHERE "killmailTime" >= ? AND "killmailTime" < ?)"),
                {QString::fromLatin1(utc::toSqlTimestamp(utc::startOfDay(day))),
                 QString::fromLatin1(utc::toSqlTimestamp(utc::startOfDay(day.addDays(1))))})
        .toLongLong();
}

/// The finished days the cursor holds, with their totals.
QMap<QDate, qint64> finishedDays(test::TestDatabase& db)
{
    QMap<QDate, qint64> days;
    const std::optional<QString> cursor = SourceStateStore(db.database()).cursor(sourceName);
    const QJsonObject object = QJsonDocument::fromJson(cursor.value_or(QString()).toUtf8()).object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        days.insert(QDate::fromString(it.key(), Qt::ISODate), it.value().toInteger());
    }
    return days;
}

test::FakeHttpServer::Answer answer(int status, QByteArray body = {},
                                    test::FakeHttpServer::Answer::Mode mode = test::FakeHttpServer::Answer::Normal)
{
    return {status, std::move(body), {}, mode};
}

} // namespace

class TestEveRef : public QObject {
    Q_OBJECT
public:
    explicit TestEveRef(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;
    std::vector<test::EsiFixture> m_fixtures;
    QMap<QDate, std::vector<test::EsiFixture>> m_days;

    [[nodiscard]] EveRefSettings settings(const test::FakeEveRef& fake, QDate start = {}, QDate end = {}) const
    {
        EveRefSettings settings;
        settings.baseUrl = fake.url();
        settings.startDate = start;
        settings.endDate = end;
        settings.backoffInitial = 10ms;
        settings.backoffMaximum = 50ms;
        return settings;
    }

    /// The fixtures of the days from `start` to `end`.
    [[nodiscard]] std::vector<test::EsiFixture> fixturesWithin(QDate start, QDate end) const
    {
        std::vector<test::EsiFixture> within;
        for (auto it = m_days.lowerBound(start); it != m_days.end() && it.key() <= end; ++it) {
            within.insert(within.end(), it.value().begin(), it.value().end());
        }
        return within;
    }

    [[nodiscard]] QList<QDate> daysWithin(QDate start, QDate end) const
    {
        QList<QDate> days;
        for (auto it = m_days.lowerBound(start); it != m_days.end() && it.key() <= end; ++it) {
            days.append(it.key());
        }
        return days;
    }

    [[nodiscard]] qint64 fixtureCount(QDate start, QDate end) const
    {
        return qint64(fixturesWithin(start, end).size());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_fixtures = test::allEsiFixtures();
        m_days = test::FakeEveRef::byDay(m_fixtures);
        QVERIFY(m_days.size() > 50);
        QCOMPARE(qint64(m_days.value(april6).size()), qint64(8));
        QCOMPARE(qint64(m_days.value(april12).size()), qint64(7));
        QCOMPARE(daysWithin(april1, april12).size(), 6);
        StaticData::bundled(); // loaded once, outside the timed runs
    }

    void importsEachDayWithKillsOnceWithTheirValues()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        QTemporaryDir downloads;
        // Five months (one partition each on PostgreSQL, which is what takes time), twenty days with kills.
        const QDate start(2010, 1, 1);
        const QDate end(2010, 5, 31);
        const QList<QDate> days = daysWithin(start, end);
        const std::vector<test::EsiFixture> fixtures = fixturesWithin(start, end);
        EveRefSettings range = settings(fake, start, end);
        range.downloadDirectory = downloads.path();
        BackfillRun run(db, range);
        QVERIFY(run.runToEnd());

        QCOMPARE(run.status().state, SourceState::Finished);
        QVERIFY2(run.errors().isEmpty(), qPrintable(run.errors().join(u'\n')));
        QCOMPARE(archiveRequests(fake), archivePaths(days)); // each day of the range with kills once, in order
        QCOMPARE(run.status().done, qint64(days.size()));
        QCOMPARE(run.status().total, qint64(days.size()));
        QVERIFY(run.sawDetail(QStringLiteral("2010-01-03 (1 of %1 days)").arg(days.size())));
        QVERIFY2(run.status().detail
                     == QStringLiteral("finished %1 days: %2 killmails imported, %2 new")
                            .arg(days.size())
                            .arg(fixtures.size()),
                 qPrintable(run.status().detail));
        QVERIFY(QDir(downloads.path()).isEmpty()); // each archive deleted after its import

        // Every killmail once, under its hash, with the flags and values a recomputation gives.
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size()));
        QHash<qint64, QString> hashes;
        QSqlQuery stored = db.database().exec(QStringLiteral(R"(SELECT "killmailId", "hash" FROM killmails)"));
        while (stored.next()) {
            hashes.insert(stored.value(0).toLongLong(), stored.value(1).toString());
        }
        for (const test::EsiFixture& fixture : fixtures) {
            QCOMPARE(hashes.value(fixture.killmailId), fixture.hash);
        }
        PartitionManager(db.database()).ensureAhead(QDateTime::currentDateTimeUtc().date(), 1);
        const QList<DataProblem> problems = DataChecker(db.database(), StaticData::bundled()).run({});
        QVERIFY2(problems.isEmpty(), qPrintable(problems.isEmpty() ? QString() : problems.front().check));

        // Every day is marked finished with its total.
        const QMap<QDate, qint64> finished = finishedDays(db);
        QCOMPARE(finished.keys(), days);
        QCOMPARE(finished.value(april6), qint64(8));
    }

    void downloadsOnlyTheRangeAndNothingOnceComplete()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
        }
        QCOMPARE(archiveRequests(fake), archivePaths(daysWithin(april1, april12)));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12));

        // Again: the cursor says every day is done at these totals.
        fake.clearLog();
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
            QCOMPARE(run.status().done, qint64(daysWithin(april1, april12).size()));
        }
        QCOMPARE(fake.requestsTo(QStringLiteral("/killmails/totals.json")), 1);
        QCOMPARE(archiveRequests(fake), QStringList());

        // Without the cursor, the database holds each day's total already.
        db.database().exec(QStringLiteral("DELETE FROM source_state"));
        fake.clearLog();
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
        }
        QCOMPARE(archiveRequests(fake), QStringList());
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12));
    }

    void aGrownTotalRedoesThatDayOnly()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.setDashedTotals(true); // a mirror's YYYY-MM-DD keys read the same
        std::vector<test::EsiFixture> early = fixturesWithin(april1, april12);
        const auto late = std::find_if(early.begin(), early.end(), [](const test::EsiFixture& fixture) {
            return test::FakeEveRef::dayOf(fixture) == april6;
        });
        const test::EsiFixture lateKill = *late;
        early.erase(late);
        fake.addKillmails(early);
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
        }
        QCOMPARE(storedOn(db, april6), qint64(7));
        QCOMPARE(finishedDays(db).value(april6), qint64(7));

        // EVE Ref rewrites the archive with the late kill: only that day comes again.
        fake.addKillmails({lateKill});
        fake.clearLog();
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
            QVERIFY2(run.status().detail.contains(QStringLiteral("8 killmails imported, 1 new")),
                     qPrintable(run.status().detail));
        }
        QCOMPARE(archiveRequests(fake), archivePaths({april6}));
        QCOMPARE(storedOn(db, april6), qint64(8));
        QCOMPARE(finishedDays(db).value(april6), qint64(8));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12));
    }

    void missingAndCorruptArchivesAreReportedAndTriedAgainNextRun()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        fake.withholdArchive(april12); // not built yet: 404
        const QByteArray whole = test::FakeEveRef::buildArchive(m_days.value(april6));
        fake.replaceArchive(april6, whole.left(whole.size() / 2)); // downloaded whole, but its bzip2 stream is cut
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
            QCOMPARE(run.status().errors, qint64(2));
            const QStringList errors = run.errors();
            QCOMPARE(errors.size(), 2);
            QVERIFY2(errors[0].startsWith(QStringLiteral("killmails-2010-04-06.tar.bz2: left unfinished, 1 rejection")),
                     qPrintable(errors[0]));
            QVERIFY2(errors[1].contains(QStringLiteral("killmails-2010-04-12.tar.bz2: 404")), qPrintable(errors[1]));
            QVERIFY2(run.status().detail.endsWith(QStringLiteral("2 days left unfinished")),
                     qPrintable(run.status().detail));
        }
        QCOMPARE(storedOn(db, april6), qint64(0));
        QCOMPARE(storedOn(db, april12), qint64(0));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12) - 8 - 7);
        QList<QDate> complete = daysWithin(april1, april12);
        complete.removeAll(april6);
        complete.removeAll(april12);
        QCOMPARE(finishedDays(db).keys(), complete);

        fake.clearLog();
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
        }
        QCOMPARE(archiveRequests(fake), archivePaths({april6, april12}));
    }

    void failuresAreRetriedWithBackoff()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        const QString totals = QStringLiteral("/killmails/totals.json");
        fake.script(totals, answer(503, test::FakeHttpServer::errorBody(QStringLiteral("Service Unavailable"))));
        fake.script(totals, answer(200, "{\"20100406\": 8, \"2010"));
        fake.script(totals, answer(200, "{\"20100406\": \"eight\"}"));
        fake.script(totals, answer(200, "[1, 2]"));
        const QString archive = test::FakeEveRef::archivePath(april6);
        fake.script(archive, answer(503));
        fake.script(archive, answer(429));

        BackfillRun run(db, settings(fake, april1, april12));
        QVERIFY(run.runToEnd());
        QCOMPARE(run.status().state, SourceState::Finished);
        QVERIFY(run.saw(SourceState::BackingOff));
        const QStringList errors = run.errors();
        QCOMPARE(errors.size(), 6);
        QVERIFY2(errors[0].contains(QStringLiteral("totals.json: 503")), qPrintable(errors[0]));
        QVERIFY2(errors[1].contains(QStringLiteral("totals.json")), qPrintable(errors[1])); // cut-off JSON
        QVERIFY2(errors[2].contains(QStringLiteral("malformed totals: the count of 20100406 is not a whole number")),
                 qPrintable(errors[2]));
        QVERIFY2(errors[3].contains(QStringLiteral("malformed totals: not an object")), qPrintable(errors[3]));
        QVERIFY2(errors[4].contains(QStringLiteral("killmails-2010-04-06.tar.bz2: 503")), qPrintable(errors[4]));
        QVERIFY2(errors[5].contains(QStringLiteral("killmails-2010-04-06.tar.bz2: 429")), qPrintable(errors[5]));
        QCOMPARE(fake.requestsTo(totals), 5);
        QCOMPARE(fake.requestsTo(archive), 3);
        QCOMPARE(storedOn(db, april6), qint64(8));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12));
        QCOMPARE(finishedDays(db).size(), daysWithin(april1, april12).size());
    }

    void aFaultyArchiveIsAskedForUntilItMends_data() { test::addNetworkFaultRows(); }

    void aFaultyArchiveIsAskedForUntilItMends()
    {
        QFETCH(test::FakeHttpServer::Answer, fault);
        QFETCH(QString, reported);

        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        fake.setDripInterval(100ms);
        const QString archive = test::FakeEveRef::archivePath(april6);
        fake.setFault(archive, fault);
        const HttpSettings bounded = test::boundedHttpSettings(test::userAgent, 1s);
        {
            BackfillRun run(db, settings(fake, april1, april12), bounded);
            run.start();
            // A chunked body cut off may come as if whole (see networkFaults()): the archive then does not read, and
            // the day is left for the next run.
            const bool mayComeWhole = fault.mode == test::FakeHttpServer::Answer::CutChunked;
            QTRY_VERIFY_WITH_TIMEOUT(run.status().errors >= 2 || (mayComeWhole && !run.backfill().isRunning()),
                                     60000); // asked again, and failed again
            const QString error = run.status().lastError;
            QVERIFY2((error.contains(QRegularExpression(reported)) || mayComeWhole) && error.contains(archive),
                     qPrintable(error));

            fake.clearFaults();
            QVERIFY(run.waitForEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
        }
        if (storedOn(db, april6) < 8) {
            BackfillRun again(db, settings(fake, april1, april12), bounded);
            QVERIFY(again.runToEnd());
        }
        QCOMPARE(storedOn(db, april6), qint64(8));
        QCOMPARE(finishedDays(db).size(), daysWithin(april1, april12).size());
    }

    void aDatabaseRefusalIsRetriedWithTheSameDownload()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        // Every killmail of one day is refused, as by a full disk (one refused alone would be that killmail's fault,
        // reported as a rejection while the rest is stored).
        db.failInserts(QStringLiteral("killmails"),
                       QStringLiteral("NEW.\"killmailTime\" >= '2010-04-06' AND NEW.\"killmailTime\" < '2010-04-07'"),
                       QStringLiteral("disk full"));
        BackfillRun run(db, settings(fake, april1, april12));
        int refusals = 0;
        run.onStatus([&](const SourceStatus& status) {
            if (status.state == SourceState::BackingOff
                && status.lastError.contains(QStringLiteral("the database refused the import")) && ++refusals == 2) {
                db.allowInserts(QStringLiteral("killmails"));
            }
        });
        QVERIFY(run.runToEnd());
        QCOMPARE(run.status().state, SourceState::Finished);
        QCOMPARE(refusals, 2);
        QCOMPARE(run.status().errors, qint64(2));
        QCOMPARE(fake.requestsTo(test::FakeEveRef::archivePath(april6)), 1);
        QCOMPARE(storedOn(db, april6), qint64(8));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12));
        QCOMPARE(finishedDays(db).keys(), daysWithin(april1, april12));
        QVERIFY2(run.status().detail == QStringLiteral("finished 6 days: 20 killmails imported, 20 new"),
                 qPrintable(run.status().detail));
    }

    void aCutOffDownloadIsNeverImported()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        const QString archive = test::FakeEveRef::archivePath(april6);
        // The whole archive arrives but the announced length is never reached; then EVE Ref has nothing.
        fake.script(
            archive,
            answer(200, test::FakeEveRef::buildArchive(m_days.value(april6)), test::FakeHttpServer::Answer::Truncate));
        fake.script(archive, answer(404));
        QTemporaryDir downloads;
        EveRefSettings keeping = settings(fake, april1, april12);
        keeping.downloadDirectory = downloads.path() + QStringLiteral("/archives");
        keeping.keepDownloads = true;

        BackfillRun run(db, keeping);
        QVERIFY(run.runToEnd());
        QCOMPARE(run.status().state, SourceState::Finished);
        QCOMPARE(fake.requestsTo(archive), 2);
        QVERIFY2(run.errors().front().contains(QStringLiteral("cut off")), qPrintable(run.errors().join(u'\n')));
        QCOMPARE(storedOn(db, april6), qint64(0));
        QVERIFY(!finishedDays(db).contains(april6));
        // Only the complete archives are there (kept as asked): no partial file, no leftover temporary.
        QStringList expected;
        for (const QDate day : daysWithin(april1, april12)) {
            if (day != april6) {
                expected.append(QStringLiteral("killmails-%1.tar.bz2").arg(day.toString(Qt::ISODate)));
            }
        }
        QCOMPARE(QDir(keeping.downloadDirectory).entryList(QDir::Files | QDir::Hidden, QDir::Name), expected);
    }

    void importsLocalFilesWithoutTheNetwork()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        QTemporaryDir folder;
        QStringList files;
        for (const QDate day : {QDate(2011, 10, 26), QDate(2011, 11, 5)}) {
            files.append(folder.filePath(QStringLiteral("killmails-%1.tar.bz2").arg(day.toString(Qt::ISODate))));
            QFile file(files.back());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(test::FakeEveRef::buildArchive(m_days.value(day)));
        }
        // EVE Ref's own archive of 2024-01-01: 37 killmails and one malformed member.
        files.append(test::dataPath(QStringLiteral("archives/killmails-2024-01-01.tar.bz2")));
        EveRefSettings local = settings(fake);
        local.localFiles = files;

        // A stop() from another thread arrives queued: it takes effect between two files.
        {
            BackfillRun run(db, local);
            run.onStatus([&run](const SourceStatus& status) {
                if (status.done == 1) {
                    QMetaObject::invokeMethod(&run.backfill(), &Source::stop, Qt::QueuedConnection);
                }
            });
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Stopped);
        }
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(6));

        BackfillRun run(db, local);
        QVERIFY(run.runToEnd());
        QCOMPARE(fake.requestCount(), 0);
        QCOMPARE(run.status().state, SourceState::Finished);
        QCOMPARE(run.status().done, qint64(3));
        QCOMPARE(run.status().total, qint64(3));
        QVERIFY(run.sawDetail(QStringLiteral("killmails-2011-11-05.tar.bz2 (2 of 3 files)")));
        QVERIFY2(run.status().detail
                     == QStringLiteral("finished 3 files: 51 killmails imported, 45 new, 1 file left unfinished"),
                 qPrintable(run.status().detail));
        QCOMPARE(run.status().errors, qint64(1));
        QVERIFY2(run.status().lastError.contains(QStringLiteral("killmails/999999999.json: malformed JSON")),
                 qPrintable(run.status().lastError));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(6 + 8 + 37));
        QVERIFY(!SourceStateStore(db.database()).cursor(sourceName));
    }

    void stopsHalfWayAndResumes()
    {
        test::TestDatabase db(m_backend);
        test::FakeEveRef fake;
        fake.addKillmails(m_fixtures);
        const QList<QDate> days = daysWithin(april1, april12);
        {
            BackfillRun run(db, settings(fake, april1, april12));
            run.onStatus([&run](const SourceStatus& status) {
                if (status.done == 2) {
                    run.backfill().stop();
                }
            });
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Stopped);
        }
        QCOMPARE(archiveRequests(fake), archivePaths(days.mid(0, 2)));
        QCOMPARE(finishedDays(db).keys(), days.mid(0, 2));

        // Stopped while an archive does not come: the download ends at once and its day stays unfinished.
        fake.clearLog();
        fake.script(test::FakeEveRef::archivePath(days[2]), answer(200, {}, test::FakeHttpServer::Answer::Hang));
        {
            BackfillRun run(db, settings(fake, april1, april12));
            run.start();
            QTRY_COMPARE_WITH_TIMEOUT(fake.requestsTo(test::FakeEveRef::archivePath(days[2])), 1, 30000);
            run.backfill().stop();
            QVERIFY(run.waitForEnd());
            QVERIFY2(!run.status().lastError.contains(QLatin1StringView("timeout")), // aborted, not timed out
                     qPrintable(run.status().lastError));
            QCOMPARE(run.status().state, SourceState::Stopped);
        }
        QCOMPARE(finishedDays(db).keys(), days.mid(0, 2));

        fake.clearLog();
        {
            BackfillRun run(db, settings(fake, april1, april12));
            QVERIFY(run.runToEnd());
            QCOMPARE(run.status().state, SourceState::Finished);
            QCOMPARE(run.status().done, qint64(days.size()));
        }
        QCOMPARE(archiveRequests(fake), archivePaths(days.mid(2)));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), fixtureCount(april1, april12));
        QCOMPARE(finishedDays(db).keys(), days);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    TestEveRef test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_everef.moc"
