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
#include "net/HttpClient.h"

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
using Mode = Answer::Mode;
Q_DECLARE_METATYPE(Answer)

namespace {

constexpr qint64 maxAnswerBytes = qint64(1) << 20;

/// Short bounds, so that a fault ends within a test: a pause of 1 s, a request of 3 s, an answer of 1 MiB.
HttpSettings faultSettings()
{
    HttpSettings settings{QStringLiteral("killmail-console-tests/1.0 (tests@example.org)"), 1s};
    settings.answer = {maxAnswerBytes, 3s};
    settings.dayFile = {2 * maxAnswerBytes, 3s};
    settings.download = {4 * maxAnswerBytes, 3s};
    return settings;
}

/// One service: its fake, and a request it answers well.
struct Service {
    std::function<std::unique_ptr<test::FakeHttpServer>()> make;
    QString path;
    QByteArray postBody;
    RequestKind kind = RequestKind::Answer;
};

const QMap<QString, Service>& services()
{
    static const QMap<QString, Service> all{
        {QStringLiteral("R2Z2"),
         {[] { return std::make_unique<test::FakeZkillboard>(); }, QStringLiteral("/ephemeral/sequence.json")}},
        {QStringLiteral("zKillboard history"),
         {[] { return std::make_unique<test::FakeZkillboard>(); },
          test::FakeZkillboard::dayPath(QDate(2025, 1, 1), true),
          {},
          RequestKind::DayFile}},
        {QStringLiteral("RedisQ"),
         {[] { return std::make_unique<test::FakeRedisq>(); }, QStringLiteral("/listen.php?queueID=faults&ttw=1")}},
        {QStringLiteral("EVE-KILL export"),
         {[] { return std::make_unique<test::FakeEveKillExport>(); }, QStringLiteral("/api/export/killmails"),
          R"({"filter": {}, "options": {"limit": 10, "skip": 0}})"}},
        {QStringLiteral("EVE Ref archives"),
         {[] { return std::make_unique<test::FakeEveRef>(); }, QStringLiteral("/killmails/totals.json")}},
        {QStringLiteral("EVE Ref market history"),
         {[] { return std::make_unique<test::FakeEveRefMarket>(); }, QStringLiteral("/market-history/totals.json")}},
        {QStringLiteral("SDE"),
         {[] {
              auto sde = std::make_unique<test::FakeSde>();
              sde->publish(1, {{QStringLiteral("types.jsonl"), "{}\n"}});
              return sde;
          },
          QStringLiteral("/latest.jsonl")}},
        {QStringLiteral("ESI"),
         {[] { return std::make_unique<test::FakeEsi>(); }, QStringLiteral("/latest/markets/prices/")}},
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

/// A body that would take 100 s to drip at the fakes' 100 ms a byte.
QByteArray dripped() { return QByteArray(1000, ' '); }

} // namespace

class NetworkFaultsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFaultEndsBoundedAndTheNextRequestSucceeds_data()
    {
        QTest::addColumn<QString>("service");
        QTest::addColumn<Answer>("fault");
        QTest::addColumn<QString>("reported");

        const QByteArray json = R"({"package": null, "sequence": 1})";
        const QString lost = QStringLiteral("network error|cut off");
        const QList<std::tuple<QString, Answer, QString>> faults{
            {QStringLiteral("stall"),
             {200, {}, {}, Mode::Hang},
             QStringLiteral("no answer within 1.0 s \\(timeout\\)")},
            {QStringLiteral("dropped"), {200, {}, {}, Mode::Drop}, lost},
            {QStringLiteral("dropped mid-body"), {200, json, {}, Mode::DropMidBody}, lost},
            {QStringLiteral("cut off chunked"), {200, json, {}, Mode::CutChunked}, lost},
            {QStringLiteral("cut off"), {200, json, {}, Mode::Truncate}, QStringLiteral("cut off")},
            {QStringLiteral("garbage"), {200, {}, {}, Mode::Garbage}, QStringLiteral("network error")},
            {QStringLiteral("never-ending body"),
             {200, {}, {}, Mode::Endless},
             QStringLiteral("larger than \\d+ MiB, the most this request may bring")},
            {QStringLiteral("5 GB announced"),
             {200, json, {{"Content-Length", "5000000000"}}, Mode::Normal},
             QStringLiteral("larger than \\d+ MiB, the most this request may bring")},
            {QStringLiteral("slow drip"),
             {200, dripped(), {}, Mode::SlowDrip},
             QStringLiteral("not done within 3.0 s, the most this request may take \\(deadline")},
            {QStringLiteral("endless redirects"),
             {302, {}, {}, Mode::RedirectLoop},
             QStringLiteral("more than 5 redirects")},
        };
        for (auto it = services().cbegin(); it != services().cend(); ++it) {
            for (const auto& [name, fault, reported] : faults) {
                QTest::addRow("%s, %s", qPrintable(it.key()), qPrintable(name)) << it.key() << fault << reported;
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
        HttpClient http(faultSettings());
        const auto faulty = [&]() -> QCoro::Task<> {
            const HttpReply reply = co_await ask(http, *fake, asked);
            KM_CO_VERIFY(!reply.ok());
            KM_CO_VERIFY(reply.transient()); // the sources ask again, after a backoff
            KM_CO_VERIFY2(reply.error.contains(QRegularExpression(reported)), qPrintable(reply.error));
            KM_CO_VERIFY2(reply.error.contains(fake->url().toDisplayString()), qPrintable(reply.error));
            KM_CO_VERIFY(reply.body.size() <= 2 * maxAnswerBytes);
        };
        KM_CO_RUN(faulty());

        fake->clearFaults();
        const auto healthy = [&]() -> QCoro::Task<> {
            const HttpReply reply = co_await ask(http, *fake, asked);
            KM_CO_VERIFY2(reply.ok(), qPrintable(reply.error));
        };
        KM_CO_RUN(healthy());
    }

    void aDownloadIsBoundedAndLeavesNoFile_data()
    {
        QTest::addColumn<Answer>("fault");
        QTest::addColumn<QString>("reported");
        QTest::newRow("never-ending") << Answer{200, {}, {}, Mode::Endless}
                                      << QStringLiteral("larger than 4 MiB, the most this request may bring");
        QTest::newRow("slow drip") << Answer{200, dripped(), {}, Mode::SlowDrip}
                                   << QStringLiteral("not done within 3.0 s");
    }

    void aDownloadIsBoundedAndLeavesNoFile()
    {
        QFETCH(Answer, fault);
        QFETCH(QString, reported);

        test::FakeEveRef fake;
        fake.setDripInterval(100ms);
        const QString archive = test::FakeEveRef::archivePath(QDate(2025, 4, 1));
        fake.setFault(archive, fault);
        HttpClient http(faultSettings());
        QTemporaryDir folder;
        const QString path = folder.filePath(QStringLiteral("archive.tar.bz2"));
        const auto download = [&]() -> QCoro::Task<> {
            const HttpReply reply = co_await http.download(fake.url().resolved(QUrl(archive)), path);
            KM_CO_VERIFY(!reply.ok());
            KM_CO_VERIFY2(reply.error.contains(reported), qPrintable(reply.error));
            KM_CO_VERIFY(reply.downloaded <= 4 * maxAnswerBytes + (1 << 20));
        };
        KM_CO_RUN(download());
        QVERIFY(!QFileInfo::exists(path));
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
                KM_CO_COMPARE(reply.status, 403);
                KM_CO_VERIFY2(reply.error.contains(QLatin1StringView("User-Agent")), qPrintable(reply.error));
            };
            KM_CO_RUN(refused());
        }
    }
};

QTEST_GUILESS_MAIN(NetworkFaultsTest)
#include "tst_network_faults.moc"
