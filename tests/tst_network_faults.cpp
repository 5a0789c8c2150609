// Every fault a peer can make, from every fake the engine talks to: stalls, connections dropped mid-body, garbage,
// gigantic and never-ending bodies, endless redirects, slow-drip answers. Each request ends, bounded in time and
// memory, with an error naming what went wrong and worth asking again; the next request after the fake behaves
// again succeeds.
#include "CoroTest.h"
#include "FakeEsi.h"
#include "FakeEveKill.h"
#include "FakeEveRef.h"
#include "FakeEveRefMarket.h"
#include "FakeRedisq.h"
#include "FakeSde.h"
#include "FakeZkillboard.h"
#include "NetworkFaults.h"
#include "config/SettingsTable.h"
#include "net/HttpClient.h"
#include "runtime/Engine.h"

#include <QCoroTimer>
#include <QDate>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace km;
using namespace std::chrono_literals;

using Answer = test::FakeHttpServer::Answer;

namespace {

/// One service: its fake, and a request it answers well.
struct Service {
    std::function<std::unique_ptr<test::FakeHttpServer>()> make;
    QString path;
    QByteArray postBody;
    RequestKind kind = RequestKind::Answer;
};

using MakeFake = std::function<std::unique_ptr<test::FakeHttpServer>()>;

Service get(MakeFake make, const QString& path, RequestKind kind = RequestKind::Answer)
{
    return {std::move(make), path, {}, kind};
}

template <typename Fake>
MakeFake fake()
{
    return [] { return std::make_unique<Fake>(); };
}

const QMap<QString, Service>& services()
{
    static const QMap<QString, Service> all{
        {QStringLiteral("R2Z2"), get(fake<test::FakeZkillboard>(), QStringLiteral("/ephemeral/sequence.json"))},
        {QStringLiteral("zKillboard history"),
         get(fake<test::FakeZkillboard>(), test::FakeZkillboard::dayPath(QDate(2025, 1, 1), true),
             RequestKind::DayFile)},
        {QStringLiteral("RedisQ"), get(fake<test::FakeRedisq>(), QStringLiteral("/listen.php?queueID=faults&ttw=1"))},
        {QStringLiteral("EVE-KILL export"),
         {fake<test::FakeEveKillExport>(), QStringLiteral("/api/export/killmails"),
          R"({"filter": {"character_ids": [1]}, "options": {"limit": 10, "skip": 0}})", RequestKind::Answer}},
        {QStringLiteral("EVE Ref archives"), get(fake<test::FakeEveRef>(), QStringLiteral("/killmails/totals.json"))},
        {QStringLiteral("EVE Ref market history"),
         get(fake<test::FakeEveRefMarket>(), QStringLiteral("/market-history/totals.json"))},
        {QStringLiteral("SDE"),
         get(
             [] {
                 auto sde = std::make_unique<test::FakeSde>();
                 sde->publish(1, {{QStringLiteral("types.jsonl"), "{}\n"}});
                 return sde;
             },
             QStringLiteral("/latest.jsonl"))},
        {QStringLiteral("ESI"), get(fake<test::FakeEsi>(), QStringLiteral("/latest/markets/prices/"))},
    };
    return all;
}

QCoro::Task<HttpReply> ask(HttpClient& http, const test::FakeHttpServer& fake, const Service& service)
{
    const QUrl url = fake.url().resolved(QUrl(service.path));
    if (!service.postBody.isEmpty()) {
        co_return co_await http.post(url, service.postBody);
    }
    co_return co_await http.get(url, service.kind);
}

} // namespace

class NetworkFaultsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFaultEndsBoundedAndTheNextRequestSucceeds_data()
    {
        QTest::addColumn<QString>("service");
        QTest::addColumn<Answer>("fault");
        QTest::addColumn<QString>("reported");

        for (auto it = services().cbegin(); it != services().cend(); ++it) {
            for (const test::NetworkFault& fault : test::networkFaults()) {
                QTest::addRow("%s, %s", qPrintable(it.key()), qPrintable(fault.name))
                    << it.key() << fault.answer << fault.reported;
            }
        }
    }

    void everyFaultEndsBoundedAndTheNextRequestSucceeds()
    {
        QFETCH(QString, service);
        QFETCH(Answer, fault);
        QFETCH(QString, reported);

        const Service& asked = services()[service];
        const std::unique_ptr<test::FakeHttpServer> fake = asked.make();
        fake->setDripInterval(100ms);
        fake->setFault(QUrl(asked.path).path(), fault);
        HttpClient http(test::boundedHttpSettings(test::userAgent, 3s)); // RedisQ holds a quiet poll 1 s
        const auto faulty = [&]() -> QCoro::Task<> {
            const HttpReply reply = co_await ask(http, *fake, asked);
            QString problem;
            const bool cutMidBody = fault.mode == Answer::CutChunked || fault.mode == Answer::DropMidBody;
            if (cutMidBody && reply.status.good()) { // Qt 6.4's race, see networkFaults()
                KM_CO_VERIFY2(!reply.json(QStringLiteral("the cut-off body"), problem), reply.body.constData());
                co_return;
            }
            KM_CO_VERIFY(!reply.status.good());
            KM_CO_VERIFY(reply.status.transient()); // the sources ask again, after a backoff
            KM_CO_VERIFY2(reply.status.message.contains(QRegularExpression(reported)),
                          qPrintable(reply.status.message));
            KM_CO_VERIFY2(reply.status.message.contains(fake->url().toDisplayString()),
                          qPrintable(reply.status.message));
            KM_CO_VERIFY(reply.body.size() <= 2 * test::boundedAnswerBytes);
        };
        KM_CO_RUN(faulty());

        fake->clearFaults();
        const auto healthy = [&]() -> QCoro::Task<> {
            HttpReply reply = co_await ask(http, *fake, asked);
            if (reply.status.code == RequestStatus::Code::TooManyRequests) {
                // Qt sends a request again by itself when a connection it kept drops (as one left half-read may):
                // RedisQ then refuses the second poll in flight, as the real one does. Its poll has ended by now.
                co_await QCoro::sleepFor(1500ms);
                reply = co_await ask(http, *fake, asked);
            } else if (reply.status.code == RequestStatus::Code::Timeout && fault.mode == Answer::Endless) {
                // Under load the request after a cut never-ending body has waited past the test's 3 s pause (the
                // EVE-KILL export's POST, about once in five asan runs), most likely behind the fake's thread, which
                // streams into the cut connection until it sees it gone. The sources ask again after a backoff; so
                // does this, once: a client left broken would time out again.
                reply = co_await ask(http, *fake, asked);
            }
            KM_CO_VERIFY2(reply.status.good(), qPrintable(reply.status.message));
        };
        KM_CO_RUN(healthy());
    }

    void aDownloadIsBoundedAndLeavesNoFile_data()
    {
        QTest::addColumn<Answer>("fault");
        QTest::addColumn<QString>("reported");
        QTest::newRow("never-ending") << Answer{200, {}, {}, Answer::Endless}
                                      << QStringLiteral("larger than 4 MiB, the most this request may bring");
        QTest::newRow("slow drip") << Answer{200, QByteArray(1000, ' '), {}, Answer::SlowDrip}
                                   << QStringLiteral("(deadline");
    }

    void aDownloadIsBoundedAndLeavesNoFile()
    {
        QFETCH(Answer, fault);
        QFETCH(QString, reported);

        test::FakeEveRef fake;
        fake.setDripInterval(100ms);
        const QString archive = test::FakeEveRef::archivePath(QDate(2025, 4, 1));
        fake.setFault(archive, fault);
        HttpClient http(test::boundedHttpSettings(test::userAgent, 3s)); // RedisQ holds a quiet poll 1 s
        QTemporaryDir folder;
        const QString path = folder.filePath(QStringLiteral("archive.tar.bz2"));
        const auto download = [&]() -> QCoro::Task<> {
            const HttpReply reply = co_await http.download(fake.url().resolved(QUrl(archive)), path);
            KM_CO_VERIFY(!reply.status.good());
            KM_CO_VERIFY2(reply.status.message.contains(reported), qPrintable(reply.status.message));
            KM_CO_VERIFY2(reply.downloaded <= 5 * test::boundedAnswerBytes, // the limit and one read
                          qPrintable(QString::number(reply.downloaded)));
        };
        KM_CO_RUN(download());
        QVERIFY(!QFileInfo::exists(path));
    }

    void theOperatorsLowerLimitsAreHonoured()
    {
        // As an operator sets them: read with the other settings, handed to every client of the public services.
        qputenv("KILLMAIL_HTTP_ANSWER_MIB", "1");
        qputenv("KILLMAIL_HTTP_DAY_MIB", "1");
        qputenv("KILLMAIL_HTTP_MAX_REDIRECTS", "2");
        QString error;
        std::optional<Configuration> configuration = SettingsTable::read({}, {}, error);
        qunsetenv("KILLMAIL_HTTP_ANSWER_MIB");
        qunsetenv("KILLMAIL_HTTP_DAY_MIB");
        qunsetenv("KILLMAIL_HTTP_MAX_REDIRECTS");
        QVERIFY2(configuration, qPrintable(error));
        configuration->engine.workers.esi.contact = QStringLiteral("tests@example.org");
        HttpClient http(publicHttpSettings(configuration->engine));

        test::FakeZkillboard fake;
        const QString record = QStringLiteral("/ephemeral/sequence.json");
        const QString day = test::FakeZkillboard::dayPath(QDate(2025, 1, 1), true);
        const QByteArray twoMebibytes(2 << 20, ' ');
        const auto limited = [&]() -> QCoro::Task<> {
            fake.setFault(record, Answer{200, twoMebibytes, {}, Answer::Normal});
            HttpReply reply = co_await http.get(fake.url().resolved(QUrl(record)));
            KM_CO_VERIFY2(
                reply.status.message.contains(QStringLiteral("larger than 1 MiB, the most this request may bring "
                                                             "(cut off; setting http/answer-mib)")),
                qPrintable(reply.status.message));
            fake.setFault(day, Answer{200, twoMebibytes, {}, Answer::Normal});
            reply = co_await http.get(fake.url().resolved(QUrl(day)), RequestKind::DayFile);
            KM_CO_VERIFY2(
                reply.status.message.contains(QStringLiteral("larger than 1 MiB, the most this request may bring "
                                                             "(cut off; setting http/day-mib)")),
                qPrintable(reply.status.message));
            fake.clearFaults();
            fake.setFault(record, Answer{302, {}, {}, Answer::RedirectLoop});
            reply = co_await http.get(fake.url().resolved(QUrl(record)));
            KM_CO_VERIFY2(
                reply.status.message.contains(QStringLiteral("more than 2 redirects (setting http/max-redirects)")),
                qPrintable(reply.status.message));
            // Under the default limits the same 2 MiB answer comes whole.
            fake.clearFaults();
            fake.setFault(record, Answer{200, twoMebibytes, {}, Answer::Normal});
            HttpClient roomy(publicHttpSettings(SettingsTable::read({}, {}, error)->engine));
            reply = co_await roomy.get(fake.url().resolved(QUrl(record)));
            KM_CO_VERIFY2(reply.body.size() == twoMebibytes.size(), qPrintable(reply.status.message));
        };
        KM_CO_RUN(limited());
    }

    void aRequestWithoutAProperUserAgentIsRefused_data()
    {
        QTest::addColumn<QString>("service");
        for (auto it = services().cbegin(); it != services().cend(); ++it) {
            QTest::newRow(qPrintable(it.key())) << it.key();
        }
    }

    void aRequestWithoutAProperUserAgentIsRefused()
    {
        QFETCH(QString, service);
        const Service& asked = services()[service];
        const std::unique_ptr<test::FakeHttpServer> fake = asked.make();
        for (const QString& userAgent :
             {QString(), QStringLiteral("Mozilla/5.0"), QStringLiteral("killmail-console")}) {
            HttpClient http(HttpSettings{userAgent, 5s});
            const auto refused = [&]() -> QCoro::Task<> {
                const HttpReply reply = co_await ask(http, *fake, asked);
                KM_CO_COMPARE(reply.status.httpStatus, 403);
                KM_CO_VERIFY2(reply.status.message.contains(QLatin1StringView("User-Agent")),
                              qPrintable(reply.status.message));
            };
            KM_CO_RUN(refused());
        }
    }
};

QTEST_GUILESS_MAIN(NetworkFaultsTest)
#include "tst_network_faults.moc"
