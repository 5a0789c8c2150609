// DatabaseThread runs a client's database actions on a thread of its own and hands back the results and failures.
#include "TestDatabase.h"

#include "runtime/DatabaseThread.h"
#include "storage/StorageError.h"

#include <QCoreApplication>
#include <QSemaphore>
#include <QTest>

using namespace km;

class TestDatabaseThread : public QObject {
    Q_OBJECT
public:
    explicit TestDatabaseThread(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void runsActionsOffTheCallersThread()
    {
        test::TestDatabase db(m_backend);
        db.database();
        DatabaseThread thread(db.url());
        QThread* ranOn = nullptr;
        QFuture<qint64> future = thread.run<qint64>([&ranOn](Database& database) {
            ranOn = QThread::currentThread();
            return database.scalar(QStringLiteral("SELECT count(*) FROM killmails")).toLongLong();
        });
        qint64 continued = -1;
        future.then(this, [&continued](qint64 count) { continued = count; });
        QTRY_COMPARE_WITH_TIMEOUT(continued, 0, 30000);
        QVERIFY(ranOn && ranOn != QThread::currentThread());
    }

    void failuresReachTheCaller()
    {
        test::TestDatabase db(m_backend);
        DatabaseThread thread(db.url());
        QString error;
        thread
            .run<void>([](Database& database) {
                database.exec(QStringLiteral("SELECT * FROM no_such_table"), {}, "reading what is not there");
            })
            .onFailed(this, [&error](const StorageError& failure) { error = failure.message(); });
        QTRY_VERIFY_WITH_TIMEOUT(!error.isEmpty(), 30000);
        QVERIFY2(error.contains(QStringLiteral("reading what is not there")), qPrintable(error));
    }

    void anUnreachableDatabaseFailsTheActionNotTheThread()
    {
        DatabaseThread thread(*DatabaseUrl::parse(QStringLiteral("sqlite:///proc/no-folder-here/x.db"), nullptr));
        bool failed = false;
        thread.run<int>([](Database&) { return 1; }).onFailed(this, [&failed](const StorageError&) {
            failed = true;
            return 0;
        });
        QTRY_VERIFY_WITH_TIMEOUT(failed, 30000);
    }

    void aClientGoneBeforeItsActionFinishesHearsNothing()
    {
        test::TestDatabase db(m_backend);
        db.database();
        DatabaseThread thread(db.url());
        QSemaphore started;
        QSemaphore release;
        auto client = std::make_unique<QObject>();
        bool delivered = false;
        thread.run<int>(
            [&](Database&) {
                started.release();
                release.acquire();
                return 1;
            },
            client.get(), [&delivered](QFuture<int>) { delivered = true; });
        started.acquire();
        client.reset(); // as a view closed while its read runs; Qt 6.4's .then(client, ...) aborted here (Debug)
        release.release();
        bool after = false;
        auto witness = std::make_unique<QObject>();
        thread.run<int>([](Database&) { return 2; }, witness.get(), [&after](QFuture<int>) { after = true; });
        QTRY_VERIFY_WITH_TIMEOUT(after, 30000); // delivered in order, so the first had its turn
        QVERIFY(!delivered);
    }

    void aFinishedActionIsDeliveredLaterNeverInsideTheCall()
    {
        test::TestDatabase db(m_backend);
        db.database();
        DatabaseThread thread(db.url());
        int result = 0;
        thread.run<int>([](Database&) { return 7; }, this, [&result](QFuture<int> done) { result = done.result(); });
        QCOMPARE(result, 0);
        QTRY_COMPARE_WITH_TIMEOUT(result, 7, 30000);
    }

    void aDroppedConnectionIsOpenedAgain()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("only a PostgreSQL server drops connections");
        }
        test::TestDatabase db(m_backend);
        DatabaseThread thread(db.url());
        qint64 backend = 0;
        thread
            .run<qint64>([](Database& database) {
                return database.scalar(QStringLiteral("SELECT pg_backend_pid()")).toLongLong();
            })
            .then(this, [&backend](qint64 pid) { backend = pid; });
        QTRY_VERIFY_WITH_TIMEOUT(backend != 0, 30000);
        db.database().exec(QStringLiteral("SELECT pg_terminate_backend(?)"), {backend});
        bool failed = false;
        thread.run<int>([](Database& database) { return database.scalar(QStringLiteral("SELECT 1")).toInt(); })
            .onFailed(this, [&failed](const StorageError&) {
                failed = true;
                return 0;
            });
        QTRY_VERIFY_WITH_TIMEOUT(failed, 30000);
        qint64 again = 0;
        thread
            .run<qint64>([](Database& database) {
                return database.scalar(QStringLiteral("SELECT pg_backend_pid()")).toLongLong();
            })
            .then(this, [&again](qint64 pid) { again = pid; });
        QTRY_VERIFY_WITH_TIMEOUT(again != 0, 30000);
        QVERIFY(again != backend);
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestDatabaseThread suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_database_thread.moc"
