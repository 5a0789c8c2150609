// The settings as the real killmail-console binary reads them: values that would switch a feature off by accident,
// name what does not exist or smuggle a line break into a header are refused with the setting named (exit status 2);
// and a PostgreSQL port that accepts connections but never answers is given up on with the host, the port and the
// time waited, never the password.
#include "ConsoleRun.h"

#include "storage/DatabaseUrl.h"

#include <QCoreApplication>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace km;

using test::runConsole;
using Run = test::ConsoleRun;

class TestConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void refusesNoLiveSources()
    {
        const Run run = runConsole({QStringLiteral("--sources"), QString(), QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--sources: '' names no live feed (say none to switch them off)"),
                 run.err.constData());
        const Run none =
            runConsole({QStringLiteral("--sources"), QStringLiteral("none"), QStringLiteral("config:show")});
        QCOMPARE(none.exitCode, 0);
        QVERIFY2(none.out.contains("live = none  ; --sources\n"), none.out.constData());
    }

    void refusesAnUnknownEveKillTopic()
    {
        const Run run = runConsole({QStringLiteral("--ekws-topics"), QStringLiteral("region:10000002,planet:5"),
                                    QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--ekws-topics: unknown topic \"planet:5\""), run.err.constData());
        for (const char* kind : {"character", "corporation", "alliance", "system", "region"}) {
            QVERIFY2(run.err.contains(kind), run.err.constData());
        }
        for (const QString& valid :
             {QStringLiteral("all"), QStringLiteral("character:90000001,region:10000002"), QStringLiteral("none")}) {
            const Run accepted = runConsole({QStringLiteral("--ekws-topics"), valid, QStringLiteral("config:show")});
            QVERIFY2(accepted.exitCode == 0, qPrintable(valid + u' ' + QString::fromUtf8(accepted.err)));
        }
    }

    void refusesControlCharacters_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("character");
        QTest::newRow("CR LF in the contact")
            << QStringLiteral("--esi-contact") << QStringLiteral("me@example.org\r\nX-Injected: 1")
            << QStringLiteral("U+000D");
        QTest::newRow("LF in the RedisQ queue")
            << QStringLiteral("--redisq-id") << QStringLiteral("queue\nX: 1") << QStringLiteral("U+000A");
        QTest::newRow("tab in a URL") << QStringLiteral("--r2z2-url") << QStringLiteral("http://host\t/")
                                      << QStringLiteral("U+0009");
        QTest::newRow("escape in the database")
            << QStringLiteral("--database") << QStringLiteral("sqlite:///tmp/x\x1b[2J.db") << QStringLiteral("U+001B");
    }

    void refusesControlCharacters()
    {
        QFETCH(QString, flag);
        QFETCH(QString, value);
        QFETCH(QString, character);
        const Run run = runConsole({flag, value, QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(
            run.err.contains((flag + QStringLiteral(": the value holds the control character ") + character).toUtf8()),
            run.err.constData());
        QVERIFY2(run.out.isEmpty(), run.out.constData());
    }

    void refusesControlCharactersFromTheEnvironmentAndTheConfigFile()
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_ESI_CONTACT"), QStringLiteral("me\r\nX-Injected: 1"));
        Run run = runConsole({QStringLiteral("config:show")}, environment);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("KILLMAIL_ESI_CONTACT: the value holds the control character"), run.err.constData());

        QTemporaryDir dir;
        const QString config = test::writeConfigFile(dir, "[esi]\ncontact = \"me\\r\\nX-Injected: 1\"\n");
        QVERIFY(!config.isEmpty());
        run = runConsole({QStringLiteral("--config"), config, QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(
                     QStringLiteral("%1: esi/contact: the value holds the control character").arg(config).toUtf8()),
                 run.err.constData());
    }

    void refusesNonsenseHttpLimitsNamingThem()
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_HTTP_ANSWER_MIB"), QStringLiteral("lots"));
        Run run = runConsole({QStringLiteral("config:show")}, environment);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("KILLMAIL_HTTP_ANSWER_MIB: 'lots' is not a whole number from 1 to 4096"),
                 run.err.constData());
        run =
            runConsole({QStringLiteral("--http-download-seconds"), QStringLiteral("0"), QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("--http-download-seconds: '0' is not a whole number from 1 to 604800"),
                 run.err.constData());
        QTemporaryDir dir;
        const QString config = test::writeConfigFile(dir, "[http]\ntimeout = -5\n");
        run = runConsole({QStringLiteral("--config"), config, QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("%1: http/timeout: '-5' is not a whole number").arg(config).toUtf8()),
                 run.err.constData());

        // config:show lists every limit with its default, and a changed one with where it came from.
        const Run shown =
            runConsole({QStringLiteral("--http-day-mib"), QStringLiteral("2048"), QStringLiteral("config:show")});
        QCOMPARE(shown.exitCode, 0);
        for (const char* line :
             {"timeout = 30  ; default", "max-redirects = 5  ; default", "answer-mib = 32  ; default",
              "answer-seconds = 120  ; default", "day-mib = 2048  ; --http-day-mib", "day-seconds = 1800  ; default",
              "download-mib = 4096  ; default", "download-seconds = 7200  ; default"}) {
            QVERIFY2(shown.out.contains(line), shown.out.constData());
        }
    }

    void refusesAMalformedConnectTimeout()
    {
        const Run run = runConsole({QStringLiteral("--database"),
                                    QStringLiteral("postgresql://u:secretpw@127.0.0.1:5432/db?connect_timeout=soon"),
                                    QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("connect_timeout 'soon' is not a whole number of seconds"), run.err.constData());
        QVERIFY2(!run.err.contains("secretpw"), run.err.constData());
    }

    void aMalformedDatabaseUrlIsNamedWithoutItsPassword()
    {
        const Run run = runConsole({QStringLiteral("--database"), QStringLiteral("postgresql://u:secretpw@host:99x/db"),
                                    QStringLiteral("config:show")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("database URL 'postgresql://u:***@host:99x/db' is neither"), run.err.constData());
        QVERIFY2(!run.err.contains("secretpw"), run.err.constData());
    }

    void connectionsGetTimeoutsAndKeepalivesByDefault()
    {
        QString error;
        const auto plain = DatabaseUrl::parse(QStringLiteral("postgresql://u@db.example:5433/killmails"), &error);
        QVERIFY2(plain, qPrintable(error));
        QCOMPARE(plain->connectTimeout(), 10);
        const QStringList options = plain->connectOptions().split(u';');
        for (const char* option :
             {"connect_timeout=10", "keepalives=1", "keepalives_idle=30", "tcp_user_timeout=60000"}) {
            QVERIFY2(options.contains(QLatin1StringView(option)), qPrintable(plain->connectOptions()));
        }

        const auto tuned = DatabaseUrl::parse(
            QStringLiteral("postgresql://u@db.example/killmails?sslmode=require&connect_timeout=3&keepalives=0"),
            &error);
        QVERIFY2(tuned, qPrintable(error));
        QCOMPARE(tuned->connectTimeout(), 3);
        const QStringList tunedOptions = tuned->connectOptions().split(u';');
        QVERIFY(tunedOptions.contains(QLatin1StringView("sslmode=require")));
        QCOMPARE(tunedOptions.filter(QStringLiteral("connect_timeout=")),
                 QStringList{QStringLiteral("connect_timeout=3")});
        QCOMPARE(tunedOptions.filter(QStringLiteral("keepalives=")), QStringList{QStringLiteral("keepalives=0")});
    }

    void refusesAnOptionThatWouldReachLibpqAsAnother_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("option");
        // QPSQL turns ';' into a separator: this would have set the host, not the application's name
        QTest::newRow("a ';' in a value") << QStringLiteral("?application_name=km%3Bhost%3Devil") << "application_name";
        QTest::newRow("a space in a value") << QStringLiteral("?application_name=my%20app") << "application_name";
        QTest::newRow("a quote in a value") << QStringLiteral("?sslmode=require'") << "sslmode";
        QTest::newRow("no keyword") << QStringLiteral("?=require") << "";
        QTest::newRow("a keyword with a space") << QStringLiteral("?ssl%20mode=require") << "ssl mode";
    }

    void refusesAnOptionThatWouldReachLibpqAsAnother()
    {
        QFETCH(QString, query);
        QFETCH(QString, option);
        QString error;
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("postgresql://u:secretpw@db.example/killmails") + query, &error));
        QVERIFY2(error.contains(QStringLiteral("option '%1' must be a libpq keyword").arg(option)), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1StringView("secretpw")), qPrintable(error));
    }

    void givesUpOnAServerThatNeverAnswers_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("seconds");
        QTest::newRow("the URL's timeout") << QStringLiteral("?connect_timeout=2") << 2;
        QTest::newRow("the default timeout") << QString() << DatabaseUrl::defaultConnectTimeout;
    }

    void givesUpOnAServerThatNeverAnswers()
    {
        QFETCH(QString, query);
        QFETCH(int, seconds);
        QTcpServer silent; // accepts (the kernel completes the handshake) and never says a word
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        const QString address = QStringLiteral("127.0.0.1:%1").arg(silent.serverPort());
        const Run run = runConsole({QStringLiteral("--database"),
                                    QStringLiteral("postgresql://u:secretpw@%1/db%2").arg(address, query),
                                    QStringLiteral("status")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(
                     QStringLiteral("the server at %1 did not answer within %2 s").arg(address).arg(seconds).toUtf8()),
                 run.err.constData());
        QVERIFY2(!run.err.contains("secretpw"), run.err.constData());
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    TestConfig suite;
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_config.moc"
