#include "FakeRedisq.h"

#include <QJsonDocument>
#include <QMutexLocker>
#include <QUrl>
#include <QUrlQuery>

namespace km::test {
namespace {

const QString listenPath = QStringLiteral("/listen.php");
const QString objectPath = QStringLiteral("/object.php");

QString queryValue(const FakeHttpServer::Request& request, const QString& name)
{
    return QUrlQuery(QUrl(request.path)).queryItemValue(name, QUrl::FullyDecoded);
}

QJsonObject zkbOf(const EsiFixture& fixture)
{
    return QJsonObject{
        {QStringLiteral("hash"), fixture.hash},
        {QStringLiteral("href"),
         QStringLiteral("https://esi.evetech.net/v1/killmails/%1/%2/").arg(fixture.killmailId).arg(fixture.hash)}};
}

} // namespace

FakeRedisq::FakeRedisq(QObject* parent)
    : FakeHttpServer(parent)
{
}

void FakeRedisq::push(const QString& queueId, const QJsonValue& package)
{
    QMutexLocker lock(&mutex());
    m_queues[queueId].append(package);
}

int FakeRedisq::waiting(const QString& queueId) const
{
    QMutexLocker lock(&mutex());
    return int(m_queues.value(queueId).size());
}

void FakeRedisq::holdAnswers(std::chrono::milliseconds hold)
{
    setLatency(hold);
    QMutexLocker lock(&mutex());
    m_hold = hold;
}

int FakeRedisq::overlappingPolls() const
{
    QMutexLocker lock(&mutex());
    return m_overlapping;
}

QJsonObject FakeRedisq::packageWithKillmail(const EsiFixture& fixture)
{
    return QJsonObject{{QStringLiteral("killID"), qint64(fixture.killmailId)},
                       {QStringLiteral("killmail"), QJsonDocument::fromJson(fixture.body).object()},
                       {QStringLiteral("zkb"), zkbOf(fixture)}};
}

QJsonObject FakeRedisq::packageWithoutKillmail(const EsiFixture& fixture)
{
    return QJsonObject{{QStringLiteral("killID"), qint64(fixture.killmailId)}, {QStringLiteral("zkb"), zkbOf(fixture)}};
}

std::optional<FakeHttpServer::Answer> FakeRedisq::preempt(const Request& request)
{
    if (request.route() != listenPath) {
        return std::nullopt;
    }
    const auto open = m_openUntil.constFind(queryValue(request, QStringLiteral("queueID")));
    if (open == m_openUntil.cend() || open->hasExpired()) {
        return std::nullopt;
    }
    ++m_overlapping;
    return Answer{429, errorBody(QStringLiteral("One request at a time per queueID")), {}, Answer::Normal};
}

FakeHttpServer::Answer FakeRedisq::route(const Request& request)
{
    if (request.route() == listenPath) {
        return listen(request);
    }
    if (request.route() == objectPath) {
        return object(request);
    }
    return {404, errorBody(QStringLiteral("Not found")), {}, Answer::Normal};
}

FakeHttpServer::Answer FakeRedisq::listen(const Request& request)
{
    const QString queueId = queryValue(request, QStringLiteral("queueID"));
    if (queueId.isEmpty()) {
        return {400, errorBody(QStringLiteral("queueID is required")), {}, Answer::Normal};
    }
    bool numeric = false;
    const int ttw = queryValue(request, QStringLiteral("ttw")).toInt(&numeric);
    if (!numeric || ttw < 1 || ttw > 10) {
        return {400, errorBody(QStringLiteral("ttw must be 1 to 10")), {}, Answer::Normal};
    }
    QList<QJsonValue>& queue = m_queues[queueId];
    // A quiet poll is held for its ttw, and its queue counts as polled until the answer goes out.
    const std::chrono::milliseconds held = queue.isEmpty() ? std::chrono::seconds(ttw) : std::chrono::milliseconds(0);
    const QJsonValue package = queue.isEmpty() ? QJsonValue(QJsonValue::Null) : queue.takeFirst();
    const QString objectId = QString::number(m_nextObjectId++);
    m_objects.insert(
        objectId,
        {queueId, QJsonDocument(QJsonObject{{QStringLiteral("package"), package}}).toJson(QJsonDocument::Compact)});
    holdOpen(queueId, held);
    return {
        302, {}, {{"Location", (objectPath + QStringLiteral("?objectID=") + objectId).toUtf8()}}, Answer::Normal, held};
}

FakeHttpServer::Answer FakeRedisq::object(const Request& request)
{
    const auto found = m_objects.constFind(queryValue(request, QStringLiteral("objectID")));
    if (found == m_objects.cend()) {
        return {404, errorBody(QStringLiteral("No such object")), {}, Answer::Normal};
    }
    const auto [queueId, body] = *found;
    m_objects.erase(found);
    holdOpen(queueId, std::chrono::milliseconds(0));
    return {200, body, {}, Answer::Normal};
}

void FakeRedisq::holdOpen(const QString& queueId, std::chrono::milliseconds held)
{
    m_openUntil.insert(queueId, QDeadlineTimer(m_hold + held, Qt::PreciseTimer));
}

void FakeRedisq::clearCounters() { m_overlapping = 0; }

} // namespace km::test
