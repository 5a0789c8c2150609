// --headless: migrates, creates the coming months' partitions, and stops cleanly on SIGTERM.
#include "TestDatabase.h"

#include "storage/PartitionManager.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QProcess>
#include <QTest>

#include <csignal>

using namespace km;

class TestHeadless : public QObject {
    Q_OBJECT
public:
    explicit TestHeadless(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

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
        QVERIFY(process.waitForFinished(10000));
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

    void refusesAMalformedEngineOption()
    {
        test::TestDatabase db(m_backend);
        for (const auto& [option, value] : {std::pair{"--concurrency", "0"}, std::pair{"--job-lease", "soon"},
                                            std::pair{"--keep-completed", "-1"}, std::pair{"--esi-url", "ftp://x"}}) {
            QProcess process;
            process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                          {QStringLiteral("--database"), db.urlText(), QString::fromLatin1(option),
                           QString::fromLatin1(value), QStringLiteral("--headless")});
            QVERIFY(process.waitForFinished(10000));
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
        QVERIFY(process.waitForFinished(10000));
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
