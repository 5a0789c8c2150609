#include "FakeZkillboard.h"

#include "storage/Database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QSqlQuery>

namespace km::test {
namespace {

QJsonObject objectOf(const QByteArray& json) { return QJsonDocument::fromJson(json).object(); }

QByteArray compact(const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); }

FakeHttpServer::Answer json(const QJsonObject& object)
{
    return {200, compact(object), {}, FakeHttpServer::Answer::Normal};
}

FakeHttpServer::Answer notFound() { return {404, FakeHttpServer::errorBody(QStringLiteral("Not Found")), {}, {}}; }

} // namespace

R2z2Settings quickR2z2Settings(const FakeZkillboard& zkb)
{
    using namespace std::chrono_literals;
    R2z2Settings settings;
    settings.baseUrl = zkb.url();
    settings.notPublishedWait = 100ms;
    settings.minRequestInterval = 5ms;
    settings.backoffInitial = 20ms;
    settings.backoffMax = 100ms;
    settings.gapThreshold = 20;
    settings.malformedAttempts = 3;
    settings.repairLookBack = 0ms;
    settings.historySettle = 0ms;
    settings.history.backoffInitial = 20ms;
    settings.history.backoffMax = 100ms;
    settings.history.chunkSize = 2;
    return settings;
}

QMap<KillmailId, QueuedKillmail> queuedKillmails(Database& database)
{
    QSqlQuery query = database.exec(QStringLiteral(R"(SELECT "payload", "priority" FROM jobs WHERE "queue" = ?)"),
                                    {KillmailJobs::queueName});
    QMap<KillmailId, QueuedKillmail> queued;
    while (query.next()) {
        QString error;
        const std::optional<KillmailJob> job = KillmailJob::fromPayload(query.value(0).toByteArray(), error);
        if (!job) {
            qFatal("a killmail job that is not one: %s", qPrintable(error));
        }
        queued.insert(job->killmailId, {*job, Priority(query.value(1).toInt())});
    }
    return queued;
}

FakeZkillboard::FakeZkillboard(QObject* parent)
    : FakeHttpServer(parent)
{
}

void FakeZkillboard::setNextSequence(qint64 sequence)
{
    QMutexLocker lock(&mutex());
    m_nextSequence = sequence;
}

qint64 FakeZkillboard::publish(const EsiFixture& fixture, std::optional<qint64> republishes)
{
    QMutexLocker lock(&mutex());
    const qint64 sequence = m_nextSequence++;
    m_records.insert(sequence, {fixture, republishes});
    return sequence;
}

void FakeZkillboard::setAnnouncedSequence(qint64 sequence)
{
    QMutexLocker lock(&mutex());
    m_announced = sequence;
}

QByteArray FakeZkillboard::record(qint64 sequence) const
{
    QMutexLocker lock(&mutex());
    return recordLocked(sequence);
}

void FakeZkillboard::addToHistory(const EsiFixture& fixture, QDate day)
{
    QMutexLocker lock(&mutex());
    m_history[day.isValid() ? day : dayOf(fixture)].append(fixture);
}

void FakeZkillboard::setTotal(QDate day, qint64 count)
{
    QMutexLocker lock(&mutex());
    m_totals.insert(day, count);
}

void FakeZkillboard::removeRawDay(QDate day)
{
    QMutexLocker lock(&mutex());
    m_withoutRaw.insert(day);
}

void FakeZkillboard::removePlainDay(QDate day)
{
    QMutexLocker lock(&mutex());
    m_withoutPlain.insert(day);
}

QDate FakeZkillboard::dayOf(const EsiFixture& fixture)
{
    const QString time = objectOf(fixture.body).value(QLatin1StringView("killmail_time")).toString();
    return QDateTime::fromString(time, Qt::ISODate).toUTC().date();
}

QString FakeZkillboard::dayPath(QDate day, bool raw)
{
    return (raw ? QStringLiteral("/history/raw/") : QStringLiteral("/history/"))
        + day.toString(QStringLiteral("yyyyMMdd")) + QStringLiteral(".json");
}

QByteArray FakeZkillboard::recordLocked(qint64 sequence) const
{
    const auto found = m_records.constFind(sequence);
    if (found == m_records.cend()) {
        return {};
    }
    const EsiFixture& fixture = found->fixture;
    const QString href =
        QStringLiteral("https://esi.evetech.net/latest/killmails/%1/%2/").arg(fixture.killmailId).arg(fixture.hash);
    QJsonObject record{
        {QStringLiteral("killmail_id"), qint64(fixture.killmailId)},
        {QStringLiteral("hash"), fixture.hash},
        {QStringLiteral("esi"), objectOf(fixture.body)},
        {QStringLiteral("zkb"),
         QJsonObject{{QStringLiteral("locationID"), 50013452},
                     {QStringLiteral("hash"), fixture.hash},
                     {QStringLiteral("fittedValue"), 10000},
                     {QStringLiteral("droppedValue"), 0},
                     {QStringLiteral("destroyedValue"), 1000000.5},
                     {QStringLiteral("totalValue"), 1010000.5},
                     {QStringLiteral("points"), 1},
                     {QStringLiteral("npc"), false},
                     {QStringLiteral("solo"), false},
                     {QStringLiteral("awox"), false},
                     {QStringLiteral("attackerCount"), 1},
                     {QStringLiteral("labels"), QJsonArray{QStringLiteral("pvp")}},
                     {QStringLiteral("href"), href}}},
        {QStringLiteral("uploaded_at"), QDateTime::currentSecsSinceEpoch()},
        {QStringLiteral("sequence_id"), sequence},
    };
    if (found->republishes) {
        record.insert(QStringLiteral("sequence_updated"), *found->republishes);
    }
    return compact(record);
}

FakeHttpServer::Answer FakeZkillboard::route(const Request& request)
{
    if (request.method != "GET") {
        return {405, errorBody(QStringLiteral("Method Not Allowed")), {}, {}};
    }
    const QString path = request.route();
    if (path == QLatin1StringView("/ephemeral/sequence.json")) {
        const qint64 announced = m_announced.value_or(m_records.isEmpty() ? m_nextSequence - 1 : m_records.lastKey());
        return json({{QStringLiteral("sequence"), announced}});
    }
    static const QRegularExpression recordPath(QStringLiteral("^/ephemeral/(\\d+)\\.json$"));
    if (const QRegularExpressionMatch match = recordPath.match(path); match.hasMatch()) {
        const QByteArray body = recordLocked(match.captured(1).toLongLong());
        return body.isEmpty() ? notFound() : Answer{200, body, {}, Answer::Normal};
    }
    if (path == QLatin1StringView("/history/totals.json")) {
        QJsonObject totals;
        for (auto it = m_history.cbegin(); it != m_history.cend(); ++it) {
            totals.insert(it.key().toString(QStringLiteral("yyyyMMdd")), qint64(it->size()));
        }
        for (auto it = m_totals.cbegin(); it != m_totals.cend(); ++it) {
            totals.insert(it.key().toString(QStringLiteral("yyyyMMdd")), it.value());
        }
        return json(totals);
    }
    if (path.startsWith(QLatin1StringView("/history/"))) {
        return historyFile(path.mid(int(qstrlen("/history/"))));
    }
    return notFound();
}

FakeHttpServer::Answer FakeZkillboard::historyFile(const QString& name) const
{
    static const QRegularExpression dayFile(QStringLiteral("^(raw/)?(\\d{8})\\.json$"));
    const QRegularExpressionMatch match = dayFile.match(name);
    if (!match.hasMatch()) {
        return notFound();
    }
    const bool raw = match.hasCaptured(1);
    const QDate day = QDate::fromString(match.captured(2), QStringLiteral("yyyyMMdd"));
    if (!day.isValid() || day > QDateTime::currentDateTimeUtc().date()
        || (raw ? m_withoutRaw : m_withoutPlain).contains(day)) {
        return notFound();
    }
    QJsonObject file;
    for (const EsiFixture& fixture : m_history.value(day)) {
        const QString id = QString::number(fixture.killmailId);
        file.insert(id, raw ? QJsonValue(objectOf(fixture.body)) : QJsonValue(fixture.hash));
    }
    return json(file);
}

} // namespace km::test
