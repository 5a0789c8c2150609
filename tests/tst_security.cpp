// What a peer or a reader of the logs could get at. The engine's listeners (metrics, live feed) bind loopback unless
// told otherwise, and the feed refuses to go off loopback without its token; the token is compared in time that does
// not depend on where it differs; partition names read from the catalog are quoted; a database password never shows
// in the output of real processes (status, config:show, --headless, imports...) nor in what the engine writes to the
// database, whether the database is up, gone, or the URL is malformed.
#include "TestDatabase.h"

#include "storage/PartitionManager.h"
#include "util/ConstantTime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>

using namespace km;

namespace {

constexpr int waitMs = 60000;
const QByteArray secret = "Zq9-s3cret-Pw";

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// The local addresses (as /proc/net/tcp{,6} writes them, hex) of the sockets listening on `port`.
QStringList listeningAddresses(quint16 port)
{
    QStringList addresses;
    for (const QString& table : {QStringLiteral("/proc/net/tcp"), QStringLiteral("/proc/net/tcp6")}) {
        QFile file(table);
        if (!file.open(QIODevice::ReadOnly)) {
            continue;
        }
        for (const QByteArray& line : file.readAll().split('\n').mid(1)) {
            const QList<QByteArray> fields = line.simplified().split(' ');
            if (fields.size() < 4 || fields[3] != "0A") { // 0A: LISTEN
                continue;
            }
            const QList<QByteArray> local = fields[1].split(':');
            if (local.size() == 2 && local[1].toUInt(nullptr, 16) == port) {
                addresses << QString::fromLatin1(local[0]);
            }
        }
    }
    return addresses;
}

/// `killmail-console` run by a test: stdout and stderr together, kept as they come.
class Console {
public:
    explicit Console(const QStringList& arguments)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"), arguments);
        m_process.waitForStarted();
    }
    ~Console()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    /// Everything said so far.
    QByteArray output()
    {
        m_output += m_process.readAll();
        return m_output;
    }
    [[nodiscard]] bool running() const { return m_process.state() != QProcess::NotRunning; }
    /// Waits for its end; the exit code (-1 when it crashed).
    int finish()
    {
        m_process.waitForFinished(-1);
        output();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    int terminate()
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        return finish();
    }

private:
    QProcess m_process;
    QByteArray m_output;
};

QByteArray runToEnd(const QStringList& arguments)
{
    Console console(arguments);
    console.finish();
    return console.output();
}

/// The first line of an HTTP answer to a GET of `path` on loopback `port` with `headers`; empty when none came.
QByteArray statusLine(quint16 port, const QByteArray& path, const QByteArray& headers = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(waitMs)) {
        return {};
    }
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n");
    QByteArray answer;
    while (!answer.contains("\r\n") && socket.waitForReadyRead(waitMs)) {
        answer += socket.readAll();
    }
    return answer.left(answer.indexOf("\r\n"));
}

/// `url` with `password` set as its password.
QString withPassword(const QString& url, const QByteArray& password)
{
    QUrl parsed(url);
    parsed.setUserName(parsed.userName().isEmpty() ? QStringLiteral("postgres") : parsed.userName());
    parsed.setPassword(QString::fromLatin1(password));
    return parsed.toString();
}

} // namespace

class TestSecurity : public QObject {
    Q_OBJECT
public:
    explicit TestSecurity(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

    /// The database URL the suite runs on with the test's password in it (PostgreSQL's test cluster trusts every
    /// password); SQLite has none.
    QString urlWithPassword(const test::TestDatabase& db) const
    {
        return m_backend == Backend::Postgres ? withPassword(db.urlText(), secret) : db.urlText();
    }

    /// Runs --headless on `url` until its log says `reached`, then stops it; what it said.
    static QByteArray headlessUntil(const QString& url, const QByteArray& reached)
    {
        Console engine({QStringLiteral("--database"), url, QStringLiteral("--headless"), QStringLiteral("--verbose")});
        const bool seen =
            QTest::qWaitFor([&] { return engine.output().contains(reached) || !engine.running(); }, waitMs)
            && engine.output().contains(reached);
        engine.terminate();
        const QByteArray output = engine.output();
        if (!seen) {
            qWarning().noquote() << "--headless never said" << reached << ":" << output;
        }
        return seen ? output : QByteArray();
    }

    /// Every command a user runs that names the database, run on `url`: all they printed.
    static QByteArray commandsOn(const QString& url)
    {
        QByteArray said;
        for (const QStringList& command :
             {QStringList{QStringLiteral("status")}, QStringList{QStringLiteral("config:show")},
              QStringList{QStringLiteral("queue:stats")}, QStringList{QStringLiteral("debug:check-data")},
              QStringList{QStringLiteral("db:partitions")},
              QStringList{QStringLiteral("import:killmails"), test::dataPath(QStringLiteral("killmails"))}}) {
            said += runToEnd(QStringList{QStringLiteral("--database"), url} + command);
        }
        return said;
    }

private Q_SLOTS:
    void listenersAreOnLoopbackUnlessToldOtherwise()
    {
        test::TestDatabase db(m_backend);
        const quint16 metricsPort = freePort();
        const quint16 feedPort = freePort();
        Console engine({QStringLiteral("--database"), db.urlText(), QStringLiteral("--headless"),
                        QStringLiteral("--verbose"), QStringLiteral("--metrics-port"), QString::number(metricsPort),
                        QStringLiteral("--feed-port"), QString::number(feedPort)});
        QTRY_VERIFY_WITH_TIMEOUT(engine.output().contains("live feed at") && engine.output().contains("metrics at"),
                                 waitMs);
        // 0100007F is 127.0.0.1; 00000000 (or IPv6's any) would take connections from anywhere.
        QCOMPARE(listeningAddresses(metricsPort), QStringList{QStringLiteral("0100007F")});
        QCOMPARE(listeningAddresses(feedPort), QStringList{QStringLiteral("0100007F")});
        QVERIFY(statusLine(metricsPort, "/healthz").startsWith("HTTP/1.1 "));
        QCOMPARE(engine.terminate(), 0);
    }

    void theFeedOffLoopbackNeedsItsToken()
    {
        test::TestDatabase db(m_backend);
        const quint16 feedPort = freePort();
        const QStringList offLoopback{QStringLiteral("--database"), db.urlText(),
                                      QStringLiteral("--headless"), QStringLiteral("--feed-address"),
                                      QStringLiteral("0.0.0.0"),    QStringLiteral("--feed-port"),
                                      QString::number(feedPort)};
        Console refused(offLoopback);
        QVERIFY(refused.finish() != 0);
        QVERIFY2(refused.output().contains("without an access token"), refused.output().constData());
        QVERIFY(listeningAddresses(feedPort).isEmpty());

        const QByteArray token = "a-long-feed-token-0123456789";
        Console engine(
            offLoopback
            + QStringList{QStringLiteral("--verbose"), QStringLiteral("--feed-token"), QString::fromLatin1(token)});
        QTRY_VERIFY_WITH_TIMEOUT(engine.output().contains("live feed at"), waitMs);
        QCOMPARE(listeningAddresses(feedPort), QStringList{QStringLiteral("00000000")}); // as told
        QVERIFY(!engine.output().contains(token)); // nor does the token show, there or in config:show
        const QByteArray shown =
            runToEnd({QStringLiteral("config:show"), QStringLiteral("--feed-token"), QString::fromLatin1(token)});
        QVERIFY2(shown.contains("token = (set)") && !shown.contains(token), shown.constData());
        QCOMPARE(statusLine(feedPort, "/killmails?topics=all"), QByteArray("HTTP/1.1 401 Unauthorized"));
        QByteArray wrong = token;
        wrong[wrong.size() - 1] = 'X';
        QCOMPARE(statusLine(feedPort, "/killmails?token=" + wrong), QByteArray("HTTP/1.1 401 Unauthorized"));
        QCOMPARE(statusLine(feedPort, "/killmails?token=" + token.left(token.size() - 1)),
                 QByteArray("HTTP/1.1 401 Unauthorized"));
        QCOMPARE(statusLine(feedPort, "/killmails", "Authorization: Bearer " + wrong + "\r\n"),
                 QByteArray("HTTP/1.1 401 Unauthorized"));
        const QByteArray withToken = statusLine(feedPort, "/killmails?token=" + token);
        QVERIFY2(withToken.startsWith("HTTP/1.1 ") && !withToken.contains("401"), withToken.constData());
        const QByteArray withBearer = statusLine(feedPort, "/killmails", "Authorization: Bearer " + token + "\r\n");
        QVERIFY2(withBearer.startsWith("HTTP/1.1 ") && !withBearer.contains("401"), withBearer.constData());
        QCOMPARE(engine.terminate(), 0);
    }

    void secretsCompareInTimeThatDoesNotDependOnWhereTheyDiffer()
    {
        QVERIFY(constantTimeEquals("token", "token"));
        QVERIFY(constantTimeEquals("", ""));
        QVERIFY(!constantTimeEquals("token", "Token"));
        QVERIFY(!constantTimeEquals("token", "tokeN"));
        QVERIFY(!constantTimeEquals("token", "toke"));
        QVERIFY(!constantTimeEquals("toke", "token"));
        QVERIFY(!constantTimeEquals("", "token"));
        QVERIFY(!constantTimeEquals(QByteArray("tok\0en", 6), QByteArray("tok\0eN", 6)));

        // A compare that stops at the first difference answers a guess wrong in its first byte thousands of times
        // sooner than one wrong in its last; this one takes as long for both (the fastest of many runs each, so
        // that a loaded machine does not count).
        const QByteArray expected(4 << 20, 'k');
        QByteArray wrongFirst = expected;
        wrongFirst[0] = 'x';
        QByteArray wrongLast = expected;
        wrongLast[wrongLast.size() - 1] = 'x';
        const auto fastest = [&expected](const QByteArray& given) {
            qint64 best = std::numeric_limits<qint64>::max();
            for (int i = 0; i < 30; ++i) {
                QElapsedTimer clock;
                clock.start();
                const bool equal = constantTimeEquals(given, expected);
                best = std::min(best, clock.nsecsElapsed());
                if (equal) {
                    return qint64(-1);
                }
            }
            return best;
        };
        const qint64 first = fastest(wrongFirst);
        const qint64 last = fastest(wrongLast);
        QVERIFY(first > 0 && last > 0);
        QVERIFY2(first * 4 > last,
                 qPrintable(QStringLiteral("first byte wrong: %1 ns, last: %2 ns").arg(first).arg(last)));
    }

    void partitionNamesFromTheCatalogAreQuoted()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("partitions are PostgreSQL's");
        }
        test::TestDatabase db(m_backend);
        db.database().exec(QStringLiteral(R"(CREATE TABLE "killmails_y2031m01""odd" PARTITION OF killmails )"
                                          R"(FOR VALUES FROM ('2031-01-01') TO ('2031-02-01'))"));
        db.database().exec(QStringLiteral(R"(INSERT INTO "killmails_y2031m01""odd" ("killmailId", "killmailTime", )"
                                          R"("solarSystemId", "victimShipTypeId", "victimDamageTaken", "hash") )"
                                          R"(VALUES (1, '2031-01-05 00:00:00', 30000142, 587, 1, 'h'))"));
        const QList<PartitionInfo> partitions = PartitionManager(db.database()).list();
        const auto odd = std::find_if(partitions.begin(), partitions.end(), [](const PartitionInfo& info) {
            return info.partition == QStringLiteral("killmails_y2031m01\"odd");
        });
        QVERIFY(odd != partitions.end());
        QCOMPARE(odd->rows, qint64(1));
    }

    void aPasswordNeverShowsWithTheDatabaseUp()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("an SQLite URL holds no password");
        }
        test::TestDatabase db(m_backend);
        const QString url = urlWithPassword(db);
        QByteArray said = commandsOn(url);
        QVERIFY2(said.contains("stored: 294 killmails"), said.constData()); // they did reach the database
        QVERIFY2(said.contains(":***@"), said.constData()); // and named it, masked
        const QByteArray headless = headlessUntil(url, "maintenance done");
        QVERIFY(!headless.isEmpty());
        said += headless;
        QVERIFY2(!said.contains(secret), said.constData());

        // Nor is it in anything the engine and the commands wrote to the database (reports, jobs, state...).
        QStringList tables;
        QSqlQuery listed = db.database().exec(
            QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"));
        while (listed.next()) {
            tables << listed.value(0).toString();
        }
        int searched = 0;
        for (const QString& table : tables) {
            const qint64 holding =
                db.database()
                    .scalar(QStringLiteral("SELECT COUNT(*) FROM %1 t WHERE row_to_json(t)::text LIKE ?")
                                .arg(QStringLiteral("\"%1\"").arg(table)),
                            {QStringLiteral("%") + QString::fromLatin1(secret) + u'%'})
                    .toLongLong();
            QVERIFY2(holding == 0, qPrintable(table));
            ++searched;
        }
        QVERIFY(searched > 5);
    }

    void aPasswordNeverShowsWithTheDatabaseGone()
    {
        const QString gone = QStringLiteral("postgresql://reader:%1@127.0.0.1:%2/killmails?connect_timeout=2")
                                 .arg(QString::fromLatin1(secret))
                                 .arg(freePort());
        QByteArray said = commandsOn(gone);
        QVERIFY2(said.contains("reader:***@127.0.0.1"), said.constData()); // the errors name the database, masked
        const QByteArray headless = headlessUntil(gone, "waiting for the database");
        QVERIFY(!headless.isEmpty());
        said += headless;
        QVERIFY2(!said.contains(secret), said.constData());
    }

    void aPasswordNeverShowsInAMalformedUrl_data()
    {
        QTest::addColumn<QString>("url");
        const QString password = QString::fromLatin1(secret);
        QTest::newRow("port not a number") << QStringLiteral("postgresql://reader:%1@127.0.0.1:port/db").arg(password);
        QTest::newRow("no database") << QStringLiteral("postgresql://reader:%1@127.0.0.1:5432/").arg(password);
        QTest::newRow("unknown scheme") << QStringLiteral("postgre://reader:%1@127.0.0.1/db").arg(password);
        QTest::newRow("password option, bad timeout")
            << QStringLiteral("postgresql://reader@127.0.0.1/db?password=%1&connect_timeout=soon").arg(password);
    }

    void aPasswordNeverShowsInAMalformedUrl()
    {
        QFETCH(QString, url);
        // On the command line, in the environment, and in the config file that config:show lists.
        QByteArray said = runToEnd({QStringLiteral("--database"), url, QStringLiteral("status")});
        said += runToEnd({QStringLiteral("config:show"), QStringLiteral("--database"), url});
        QVERIFY2(said.contains("database URL"), said.constData()); // refused, saying why
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("killmail-console.conf"));
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[database]\nurl = " + url.toUtf8() + "\n");
        file.close();
        said += runToEnd({QStringLiteral("--config"), config, QStringLiteral("config:show")});
        said += runToEnd({QStringLiteral("--config"), config, QStringLiteral("status")});
        QVERIFY2(!said.contains(secret), said.constData());
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestSecurity suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_security.moc"
