#include "processing/EntityUpdater.h"

#include "esi/EsiClient.h"
#include "storage/Database.h"
#include "util/ThreadAffinity.h"
#include "util/UtcTime.h"

#include <QCoroSignal>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

#include <cmath>

namespace km {
namespace {

/// Integers beyond 2^53 are not exact in a JSON number.
constexpr double largestExactInteger = 9007199254740992.0;

/// An ID or count in ESI's JSON: a whole number from 0 to 2^53. Anything else (a fraction, a number too large to be
/// exact or to fit an integer, a string) is nullopt: converting it to an integer would be undefined behaviour.
std::optional<qint64> wholeNumber(const QJsonValue& value)
{
    const double number = value.toDouble();
    if (!value.isDouble() || !(number >= 0 && number <= largestExactInteger) || std::floor(number) != number) {
        return std::nullopt;
    }
    return qint64(number);
}

/// Copies the whole-number fields of ESI's description of an entity into its row's columns, NULL where the field is
/// absent or null; the first that holds anything else is named in problem(), and nothing should be stored then.
class NumberFields {
public:
    NumberFields(const QJsonObject& object, EntityRow& row)
        : m_object(object)
        , m_row(row)
    {
    }

    void copy(QLatin1StringView key, const QString& column)
    {
        const QJsonValue value = m_object.value(key);
        const std::optional<qint64> number = wholeNumber(value);
        if (number || value.isNull() || value.isUndefined()) {
            m_row.details.insert(column, number ? QVariant(*number) : QVariant());
        } else if (m_problem.isEmpty()) {
            const QString shown = value.isDouble()
                ? QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest)
                : value.isString() ? QStringLiteral("\"%1\"").arg(value.toString().left(64))
                                   : QStringLiteral("not a number");
            m_problem = QStringLiteral("ESI's %1 for %2 is %3, not a whole number from 0 to 2^53")
                            .arg(key)
                            .arg(m_row.id)
                            .arg(shown);
        }
    }

    [[nodiscard]] const QString& problem() const { return m_problem; }

private:
    const QJsonObject& m_object;
    EntityRow& m_row;
    QString m_problem;
};

/// The job's end when ESI gave no usable answer: tried again later when that may help.
JobResult failureOf(qint64 jobId, const RequestStatus& status)
{
    if (!status.transient()) {
        return JobResult::fail(jobId, status.message);
    }
    return JobResult::retry(jobId, status.message,
                            status.retryAfter ? std::optional<std::chrono::milliseconds>(*status.retryAfter)
                                              : std::nullopt);
}

/**
 * One batch's answer, which says once that it is in. Each batch has its own: a signal that several batches emitted
 * would queue a call per emission to every waiter's connection, and QCoro's signal awaiter runs every call queued
 * for it, even one queued before the first had resumed and finished its coroutine (seen under ThreadSanitizer in
 * tst_processing: a character job resumed after it had returned).
 */
class CharacterBatchResult : public QObject {
    Q_OBJECT
public:
    bool done = false;
    QHash<EntityId, EntityRow> rows;
    /// Characters whose affiliation ESI described with something that is not an ID, and what it was.
    QHash<EntityId, QString> unusable;
    /// Of the call that failed, when one did.
    RequestStatus status;

Q_SIGNALS:
    void finished();
};

} // namespace

/**
 * Gathers the character jobs that run at the same time into one pair of bulk calls: every run() joins the
 * batch being filled, which goes out when it is full or a moment after its first member, and waits for it.
 */
class EntityUpdater::CharacterBatch : public QObject {
public:
    using Result = CharacterBatchResult;

    explicit CharacterBatch(EsiClient& esi)
        : m_esi(esi)
    {
        m_timer.setSingleShot(true);
        m_timer.setInterval(50);
        connect(&m_timer, &QTimer::timeout, this, [this] { send(); });
    }

    QCoro::Task<std::shared_ptr<Result>> resolve(EntityId id)
    {
        std::shared_ptr<Result> result = m_filling;
        m_ids << id;
        if (m_ids.size() >= EsiClient::maxIdsPerCall) {
            send();
        } else if (!m_timer.isActive()) {
            m_timer.start();
        }
        if (!result->done) {
            co_await qCoro(result.get(), &Result::finished);
        }
        co_return result;
    }

private:
    QCoro::Task<> send()
    {
        m_timer.stop();
        const std::shared_ptr<Result> result = std::exchange(m_filling, std::make_shared<Result>());
        const QList<qint64> ids = std::exchange(m_ids, {});
        const EsiJson names = co_await m_esi.names(ids);
        EsiJson affiliations = names;
        if (names.status.good()) {
            affiliations = co_await m_esi.affiliation(ids);
        }
        if (!affiliations.status.good()) {
            result->status = affiliations.status;
        } else {
            // IDs are unique across categories, and these came from character fields: the category is not checked
            // (old characters have IDs outside today's character ranges).
            for (const auto& entry : names.json.array()) {
                const QJsonObject name = entry.toObject();
                const std::optional<qint64> id = wholeNumber(name.value(QLatin1StringView("id")));
                if (id && ids.contains(*id)) {
                    result->rows.insert(*id, EntityRow{*id, name.value(QLatin1StringView("name")).toString(), {}});
                }
            }
            for (const auto& entry : affiliations.json.array()) {
                const QJsonObject affiliation = entry.toObject();
                const std::optional<qint64> id = wholeNumber(affiliation.value(QLatin1StringView("character_id")));
                const auto row = id ? result->rows.find(*id) : result->rows.end();
                if (row == result->rows.end()) {
                    continue;
                }
                NumberFields fields(affiliation, *row);
                fields.copy(QLatin1StringView("corporation_id"), QStringLiteral("corporationId"));
                fields.copy(QLatin1StringView("alliance_id"), QStringLiteral("allianceId"));
                fields.copy(QLatin1StringView("faction_id"), QStringLiteral("factionId"));
                if (!fields.problem().isEmpty()) {
                    result->unusable.insert(*id, fields.problem());
                }
            }
        }
        result->done = true;
        Q_EMIT result->finished();
    }

    EsiClient& m_esi;
    QTimer m_timer;
    QList<qint64> m_ids;
    std::shared_ptr<Result> m_filling = std::make_shared<Result>();
};

EntityUpdater::EntityUpdater(Database& database, std::unique_ptr<EsiClient> esi, EntityKind kind)
    : m_database(database)
    , m_esi(std::move(esi))
    , m_table(entityTable(kind))
    , m_characters(kind == EntityKind::Character ? std::make_unique<CharacterBatch>(*m_esi) : nullptr)
{
}

EntityUpdater::~EntityUpdater() = default;

std::optional<EntityId> EntityUpdater::idOf(const Job& job)
{
    bool ok = false;
    const EntityId id = job.dedupKey.toLongLong(&ok);
    return ok && id > 0 ? std::optional<EntityId>(id) : std::nullopt;
}

QCoro::Task<JobResult> EntityUpdater::run(const Job& job)
{
    assertThread(m_owner);
    const std::optional<EntityId> id = idOf(job);
    if (!id) {
        co_return JobResult::fail(job.id, QStringLiteral("%1 job: '%2' is not an ID").arg(m_table.queue, job.dedupKey));
    }
    if (m_aborting) {
        co_return JobResult::retry(job.id, QStringLiteral("stopping"));
    }
    if (m_characters) { // (GCC 12 mis-compiles co_await inside a conditional expression)
        co_return co_await runCharacter(job, *id);
    }
    co_return co_await runOrganisation(job, *id);
}

QCoro::Task<JobResult> EntityUpdater::runCharacter(const Job& job, EntityId id)
{
    const std::shared_ptr<CharacterBatch::Result> batch = co_await m_characters->resolve(id);
    if (!batch->status.good()) {
        co_return failureOf(job.id, batch->status);
    }
    if (const auto unusable = batch->unusable.constFind(id); unusable != batch->unusable.cend()) {
        co_return JobResult::fail(job.id, *unusable);
    }
    const auto row = batch->rows.constFind(id);
    if (row == batch->rows.cend()) {
        co_return JobResult::fail(job.id, QStringLiteral("ESI does not know character %1").arg(id));
    }
    m_rows.insert(job.id, *row);
    co_return JobResult::completed(job.id);
}

QCoro::Task<JobResult> EntityUpdater::runOrganisation(const Job& job, EntityId id)
{
    const EsiJson answer = co_await m_esi->getJson(QStringLiteral("/%1s/%2").arg(m_table.queue).arg(id));
    if (!answer.status.good()) {
        co_return failureOf(job.id, answer.status);
    }
    const QJsonObject object = answer.json.object();
    EntityRow row{id, object.value(QLatin1StringView("name")).toString(), {}};
    row.details.insert(QStringLiteral("ticker"), object.value(QLatin1StringView("ticker")).toString());
    NumberFields fields(object, row);
    if (m_table.kind == EntityKind::Corporation) {
        fields.copy(QLatin1StringView("alliance_id"), QStringLiteral("allianceId"));
        fields.copy(QLatin1StringView("faction_id"), QStringLiteral("factionId"));
        fields.copy(QLatin1StringView("member_count"), QStringLiteral("memberCount"));
    } else {
        fields.copy(QLatin1StringView("executor_corporation_id"), QStringLiteral("executorCorporationId"));
    }
    if (!fields.problem().isEmpty()) {
        co_return JobResult::fail(job.id, fields.problem());
    }
    m_rows.insert(job.id, row);
    co_return JobResult::completed(job.id);
}

void EntityUpdater::commit(std::vector<FinishedJob>& finished, JobQueue& /*queue*/)
{
    assertThread(m_owner);
    for (const FinishedJob& job : finished) {
        const auto row = m_rows.constFind(job.job.id);
        if (job.result.outcome == JobResult::Outcome::Completed && row != m_rows.cend()) {
            upsert(*row);
        }
    }
}

void EntityUpdater::upsert(const EntityRow& row)
{
    QStringList columns{QStringLiteral("\"%1\"").arg(m_table.keyColumn), QStringLiteral("\"name\""),
                        QStringLiteral("\"updatedAt\"")};
    QVariantList values{qint64(row.id), row.name,
                        QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()))};
    for (auto detail = row.details.cbegin(); detail != row.details.cend(); ++detail) {
        columns << QStringLiteral("\"%1\"").arg(detail.key());
        values << detail.value();
    }
    QStringList updates;
    for (qsizetype i = 1; i < columns.size(); ++i) {
        updates << QStringLiteral("%1 = excluded.%1").arg(columns[i]);
    }
    m_database.exec(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT (%4) DO UPDATE SET %5")
                        .arg(m_table.table, columns.join(u','),
                             QStringList(columns.size(), QStringLiteral("?")).join(u','), columns.front(),
                             updates.join(u',')),
                    values, "store an entity");
}

void EntityUpdater::committed(const std::vector<FinishedJob>& finished)
{
    assertThread(m_owner);
    for (const FinishedJob& job : finished) {
        m_rows.remove(job.job.id);
    }
}

void EntityUpdater::abort()
{
    assertThread(m_owner);
    m_aborting = true;
    m_esi->abortAll();
}

void EntityUpdater::discard(const std::vector<qint64>& jobIds)
{
    assertThread(m_owner);
    for (const qint64 id : jobIds) {
        m_rows.remove(id);
    }
}

} // namespace km

#include "EntityUpdater.moc"
