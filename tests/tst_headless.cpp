// --headless: migrates, creates the coming months' partitions, serves /metrics and /healthz, reports to `status`,
// and stops cleanly on SIGTERM; and the settings' precedence: flags, then environment, then the config file.
#include "ConsoleRun.h"
#include "FakeEsi.h"
#include "Fixtures.h"
#include "TestDatabase.h"

#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "storage/PartitionManager.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace km;
using test::runConsole;

class TestHeadless : public QObject {
    Q_OBJECT
public:
    explicit TestHeadless(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

    using Run = test::ConsoleRun;

    /// A port nothing listens on now.
    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    /// GET on loopback: the status and the body (status 0 when nothing answered).
    static std::pair<int, QByteArray> httpGet(QNetworkAccessManager& network, const QString& url)
    {
        QNetworkReply* reply = network.get(QNetworkRequest(QUrl(url)));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(5000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        return {status, body};
    }

    /// The value of the sample `series` (name and labels, as written) on a /metrics page; 0 when absent.
    static double sampleOf(const QByteArray& page, const QByteArray& series)
    {
        for (const QByteArray& line : page.split('\n')) {
            if (line.startsWith(series + ' ')) {
                return line.mid(series.size() + 1).toDouble();
            }
        }
        return 0;
    }

private Q_SLOTS:
    void runsMaintenanceAndStopsOnSigterm()
    {
        test::TestDatabase db(m_backend);
        QProcess process;
        process.start(
            qEnvironmentVariable("KILLMAIL_CONSOLE"),
            {QStringLiteral("--database"), db.urlText(), QStringLiteral("--headless"), QStringLiteral("--verbose")});
        QVERIFY(process.waitForStarted());
        QByteArray log;
        QTRY_VERIFY_WITH_TIMEOUT((log += process.readAllStandardError()).contains("maintenance done"), 30000);
        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(-1));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(db.database().scalar(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")).toInt() > 0);
        if (m_backend == Backend::Postgres) {
            const QDate today = QDateTime::currentDateTimeUtc().date();
            const QDate ahead = QDate(today.year(), today.month(), 1).addMonths(3);
            QVERIFY(db.database()
                        .scalar(QStringLiteral("SELECT to_regclass('%1') IS NOT NULL")
                                    .arg(PartitionManager::partitionName(QStringLiteral("killmails"), ahead)))
                        .toBool());
        }
    }

    void servesMetricsHealthAndStatus()
    {
        test::TestDatabase db(m_backend);
        const quint16 port = freePort();
        QProcess process;
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                      {QStringLiteral("--database"), db.urlText(), QStringLiteral("--headless"),
                       QStringLiteral("--metrics-port"), QString::number(port)});
        QVERIFY(process.waitForStarted());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
        QNetworkAccessManager network;
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(network, base + QStringLiteral("/healthz")).first, 200, 20000);
        const auto [status, metrics] = httpGet(network, base + QStringLiteral("/metrics"));
        QCOMPARE(status, 200);
        QVERIFY2(metrics.contains("killmail_console_jobs_completed_total{queue=\"killmail\"} 0\n"),
                 metrics.constData());
        QVERIFY(metrics.contains("# TYPE killmail_console_killmails_per_second gauge\n"));
        QVERIFY(metrics.contains("killmail_console_failure_alert 0\n"));
        QVERIFY(metrics.contains("killmail_console_database_up 1\n"));
        QCOMPARE(httpGet(network, base + QStringLiteral("/nothing")).first, 404);

        QTRY_VERIFY_WITH_TIMEOUT(runConsole({QStringLiteral("--database"), db.urlText(), QStringLiteral("status")})
                                     .out.startsWith("engine: running"),
                                 20000);
        const Run json = runConsole(
            {QStringLiteral("--database"), db.urlText(), QStringLiteral("status"), QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject report = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(report.value(QLatin1String("engine")).toObject().value(QLatin1String("running")).toBool(), true);
        QCOMPARE(report.value(QLatin1String("engine")).toObject().value(QLatin1String("alert")).toBool(), false);

        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(-1));
        QCOMPARE(process.exitCode(), 0);
        const Run after = runConsole({QStringLiteral("--database"), db.urlText(), QStringLiteral("status")});
        QVERIFY2(after.out.startsWith("engine: not running (last report "), after.out.constData());
    }

    void metricsMoveUnderActivity()
    {
        // Scraped before and after the engine processed five kills and a bad hash.
        test::TestDatabase db(m_backend);
        test::FakeEsiThread esi;
        std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        fixtures.resize(5);
        for (const test::EsiFixture& fixture : fixtures) {
            esi.fake().addKillmail(fixture.killmailId, fixture.hash, fixture.body);
        }
        const quint16 port = freePort();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_ESI_URL"), esi.fake().url().toString());
        environment.insert(QStringLiteral("KILLMAIL_ENTITY_UPDATES"), QStringLiteral("false"));
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                      {QStringLiteral("--database"), db.urlText(), QStringLiteral("--headless"),
                       QStringLiteral("--metrics-port"), QString::number(port)});
        QVERIFY(process.waitForStarted());
        const QString metricsUrl = QStringLiteral("http://127.0.0.1:%1/metrics").arg(port);
        QNetworkAccessManager network;
        QTRY_COMPARE_WITH_TIMEOUT(httpGet(network, metricsUrl).first, 200, 20000);
        const QByteArray completed = R"(killmail_console_jobs_completed_total{queue="killmail"})";
        const QByteArray failed = R"(killmail_console_jobs_failed_total{queue="killmail"})";
        const QByteArray stored = R"(killmail_console_job_outcomes_total{queue="killmail",outcome="stored"})";
        const QByteArray duplicate = R"(killmail_console_job_outcomes_total{queue="killmail",outcome="duplicate"})";
        const QByteArray badHash = R"(killmail_console_job_outcomes_total{queue="killmail",outcome="bad_hash"})";
        const QByteArray fetched =
            R"(killmail_console_job_outcomes_total{queue="killmail",outcome="fetched_from_esi"})";
        const QByteArray esiRequests = "killmail_console_esi_requests_total";
        const QByteArray esiOk = R"(killmail_console_esi_responses_total{status="200"})";
        const QByteArray before = httpGet(network, metricsUrl).second;
        for (const QByteArray& series : {completed, failed, stored, duplicate, badHash, fetched}) {
            QVERIFY2(sampleOf(before, series) == 0, series.constData());
        }

        std::vector<KillmailJob> jobs;
        for (const test::EsiFixture& fixture : fixtures) {
            jobs.push_back({fixture.killmailId, fixture.hash, QStringLiteral("test"), {}, Priority::High});
        }
        jobs.push_back({1, QString(40, u'a'), QStringLiteral("test"), {}, Priority::High});
        {
            JobQueue queue(db.database());
            KillmailJobs(db.database(), queue).enqueue(jobs);
        }
        QByteArray after;
        QTRY_VERIFY_WITH_TIMEOUT(sampleOf(after = httpGet(network, metricsUrl).second, completed) == 5
                                     && sampleOf(after, failed) == 1,
                                 30000);
        QCOMPARE(sampleOf(after, stored), 5.0);
        QCOMPARE(sampleOf(after, fetched), 5.0);
        QCOMPARE(sampleOf(after, badHash), 1.0);
        QCOMPARE(sampleOf(after, duplicate), 0.0);
        // ESI's counters moved by the killmail fetches at least (the price refresh at start may ask it too).
        QVERIFY(sampleOf(after, esiRequests) >= sampleOf(before, esiRequests) + 6);
        QVERIFY(sampleOf(after, esiOk) >= sampleOf(before, esiOk) + 5);
        QCOMPARE(sampleOf(after, R"(killmail_console_esi_responses_total{status="422"})"), 1.0);
        // The rate comes from the monitor's periodic samples.
        QTRY_VERIFY_WITH_TIMEOUT(
            sampleOf(httpGet(network, metricsUrl).second, "killmail_console_killmails_per_second") > 0, 60000);

        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(15000));
        QCOMPARE(process.exitCode(), 0);
    }

    void refusesATakenMetricsPort()
    {
        test::TestDatabase db(m_backend);
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const Run run = runConsole({QStringLiteral("--database"), db.urlText(), QStringLiteral("--headless"),
                                    QStringLiteral("--metrics-port"), QString::number(taken.serverPort())});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QByteArray::number(taken.serverPort())), run.err.constData());
    }

    void settingsComeFromFlagsThenEnvironmentThenConfigFile()
    {
        QTemporaryDir dir;
        const QString config = test::writeConfigFile(
            dir, "[r2z2]\nurl = http://from-file:1\n[sources]\nlive = r2z2, ekws\n[workers]\nconcurrency = 7\n");
        QVERIFY(!config.isEmpty());
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("KILLMAIL_SOURCES"));
        environment.remove(QStringLiteral("KILLMAIL_ESI_URL"));
        environment.insert(QStringLiteral("KILLMAIL_CONFIG"), config);
        const QStringList show{QStringLiteral("config:show")};

        Run run = runConsole(show, environment);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("url = http://from-file:1  ; " + config.toUtf8() + ": r2z2/url\n"),
                 run.out.constData());
        QVERIFY(run.out.contains("live = r2z2,ekws  ; "));
        QVERIFY(run.out.contains("concurrency = 7  ; "));
        QVERIFY(run.out.contains("url = https://esi.evetech.net  ; default\n"));

        environment.insert(QStringLiteral("KILLMAIL_R2Z2_URL"), QStringLiteral("http://from-environment:2"));
        run = runConsole(show, environment);
        QVERIFY(run.out.contains("url = http://from-environment:2  ; KILLMAIL_R2Z2_URL\n"));

        run = runConsole(
            {QStringLiteral("--r2z2-url"), QStringLiteral("http://global-flag:3"), QStringLiteral("config:show")},
            environment);
        QVERIFY(run.out.contains("url = http://global-flag:3  ; --r2z2-url\n"));
        run = runConsole({QStringLiteral("--r2z2-url"), QStringLiteral("http://global-flag:3"),
                          QStringLiteral("config:show"), QStringLiteral("--r2z2-url"),
                          QStringLiteral("http://command-flag:4")},
                         environment);
        QVERIFY2(run.out.contains("url = http://command-flag:4  ; --r2z2-url\n"), run.out.constData());
    }

    void refusesABadConfigFile()
    {
        QTemporaryDir dir;
        const auto runWith = [&dir](const QByteArray& content) {
            const QString config = dir.filePath(QStringLiteral("bad.conf"));
            QFile file(config);
            file.open(QIODevice::WriteOnly | QIODevice::Truncate);
            file.write(content);
            file.close();
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.remove(QStringLiteral("KILLMAIL_SOURCES"));
            environment.remove(QStringLiteral("KILLMAIL_METRICS_PORT"));
            return runConsole({QStringLiteral("--config"), config, QStringLiteral("config:show")}, environment);
        };
        Run run = runWith("[r2z2]\nurll = http://x\n");
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("unknown setting 'r2z2/urll'"), run.err.constData());
        run = runWith("[sources]\nlive = r2z2, zkb\n");
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("sources/live: 'zkb' is not a live feed"), run.err.constData());
        run = runWith("[metrics]\nport = 70000\n");
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("metrics/port: '70000' is not a whole number from 0 to 65535"), run.err.constData());
        run = runConsole(
            {QStringLiteral("--config"), dir.filePath(QStringLiteral("missing.conf")), QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("missing.conf cannot be read"), run.err.constData());
    }

    void refusesAMalformedEngineOption()
    {
        test::TestDatabase db(m_backend);
        for (const auto& [option, value] :
             {std::pair{"--concurrency", "0"}, std::pair{"--job-lease", "soon"}, std::pair{"--keep-completed", "-1"},
              std::pair{"--esi-url", "ftp://x"}, std::pair{"--sources", "zkb"}, std::pair{"--ekws-url", "http://x"},
              std::pair{"--metrics-address", "localhost:1"}}) {
            QProcess process;
            process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                          {QStringLiteral("--database"), db.urlText(), QString::fromLatin1(option),
                           QString::fromLatin1(value), QStringLiteral("--headless")});
            QVERIFY(process.waitForFinished(-1));
            QCOMPARE(process.exitCode(), 2);
            const QByteArray error = process.readAllStandardError();
            QVERIFY2(error.contains(option) && error.contains(value), error.constData());
        }
    }

    void refusesABadDatabaseUrl()
    {
        QProcess process;
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                      {QStringLiteral("--database"), QStringLiteral("mysql://x/y"), QStringLiteral("--headless")});
        QVERIFY(process.waitForFinished(-1));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardError().contains("neither sqlite:///path/file.db nor postgresql://"));
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestHeadless suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_headless.moc"
