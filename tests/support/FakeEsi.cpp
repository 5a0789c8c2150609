#include "FakeEsi.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <algorithm>

namespace km::test {
namespace {

using std::chrono::milliseconds;

int costOf(int status)
{
    if (status >= 200 && status < 300) {
        return 2;
    }
    if (status >= 300 && status < 400) {
        return 1;
    }
    return status >= 400 && status < 500 ? 5 : 0;
}

QByteArray compact(const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); }

QByteArray windowText(milliseconds window)
{
    if (window.count() % 3600000 == 0) {
        return QByteArray::number(window.count() / 3600000) + 'h';
    }
    if (window.count() % 60000 == 0) {
        return QByteArray::number(window.count() / 60000) + 'm';
    }
    return QByteArray::number((window.count() + 999) / 1000) + 's';
}

qint64 ceilSeconds(std::chrono::steady_clock::duration duration)
{
    return std::max<qint64>(0, std::chrono::ceil<std::chrono::seconds>(duration).count());
}

/// Without a version prefix, query or trailing slash: "/latest/killmails/1/ab/" -> "/killmails/1/ab".
QString normalized(const QString& path)
{
    QString plain = path.section(QLatin1Char('?'), 0, 0);
    for (const char* prefix : {"/latest/", "/legacy/", "/dev/", "/v1/", "/v2/", "/v3/", "/v4/", "/v5/"}) {
        if (plain.startsWith(QLatin1String(prefix))) {
            plain = plain.mid(int(qstrlen(prefix)) - 1);
            break;
        }
    }
    while (plain.size() > 1 && plain.endsWith(QLatin1Char('/'))) {
        plain.chop(1);
    }
    return plain;
}

std::optional<QList<qint64>> idList(const QByteArray& body)
{
    const QJsonDocument json = QJsonDocument::fromJson(body);
    if (!json.isArray()) {
        return std::nullopt;
    }
    QList<qint64> ids;
    for (const QJsonValue& value : json.array()) {
        if (!value.isDouble() || value.toDouble() != double(value.toInteger()) || value.toInteger() <= 0) {
            return std::nullopt;
        }
        ids.append(value.toInteger());
    }
    return ids;
}

QString category(qint64 id)
{
    if (id >= 500000 && id < 1000000) {
        return QStringLiteral("faction");
    }
    if ((id >= 1000000 && id < 2000000) || (id >= 98000000 && id < 99000000)) {
        return QStringLiteral("corporation");
    }
    if (id >= 99000000 && id < 100000000) {
        return QStringLiteral("alliance");
    }
    if (id >= 10000000 && id < 13000000) {
        return QStringLiteral("region");
    }
    if (id >= 30000000 && id < 33000000) {
        return QStringLiteral("solar_system");
    }
    if ((id >= 3000000 && id < 4000000) || (id >= 90000000 && id < 98000000) || id >= 2100000000) {
        return QStringLiteral("character");
    }
    return QStringLiteral("inventory_type");
}

qint64 corporationOf(qint64 characterId) { return 98000000 + characterId % 100000; }

std::optional<qint64> allianceOf(qint64 corporationId)
{
    if (corporationId % 3 == 0) {
        return std::nullopt;
    }
    return 99000000 + corporationId % 1000;
}

} // namespace

FakeEsi::FakeEsi(QObject* parent)
    : FakeHttpServer(parent)
    , m_errorWindowStart(std::chrono::steady_clock::now())
{
    m_marketPrices = QByteArrayLiteral(R"([{"adjusted_price":440000.5,"average_price":450000.25,"type_id":587},)"
                                       R"({"adjusted_price":10000.0,"average_price":10000.0,"type_id":670},)"
                                       R"({"adjusted_price":5.5,"average_price":6.25,"type_id":34}])");
}

void FakeEsi::addKillmail(qint64 id, const QString& hash, const QByteArray& esiBody)
{
    QMutexLocker lock(&mutex());
    m_killmails.insert(id, {hash.toLower(), esiBody});
}

void FakeEsi::setUnknownIds(const QSet<qint64>& ids)
{
    QMutexLocker lock(&mutex());
    m_unknownIds = ids;
}

void FakeEsi::setMarketPrices(const QByteArray& json)
{
    QMutexLocker lock(&mutex());
    m_marketPrices = json;
}

void FakeEsi::enforceBucket(int tokens, milliseconds window)
{
    QMutexLocker lock(&mutex());
    m_bucketTokens = std::max(1, tokens);
    m_bucketWindow = std::max(milliseconds(1), window);
    m_bucketSpent.clear();
}

void FakeEsi::enforceErrorLimit(int errors, milliseconds window)
{
    QMutexLocker lock(&mutex());
    m_errorLimit = std::max(1, errors);
    m_errorWindow = std::max(milliseconds(1), window);
    m_errorWindowStart = std::chrono::steady_clock::now();
    m_errors = 0;
}

int FakeEsi::tooManyRequestsSent() const
{
    QMutexLocker lock(&mutex());
    return m_tooManyRequests;
}

int FakeEsi::errorLimitedSent() const
{
    QMutexLocker lock(&mutex());
    return m_errorLimited;
}

void FakeEsi::clearCounters()
{
    m_tooManyRequests = 0;
    m_errorLimited = 0;
}

std::optional<FakeEsi::Answer> FakeEsi::preempt(const Request& /*request*/)
{
    const TimePoint now = std::chrono::steady_clock::now();
    if (now - m_errorWindowStart >= m_errorWindow) {
        m_errorWindowStart += m_errorWindow * ((now - m_errorWindowStart) / m_errorWindow);
        m_errors = 0;
    }
    if (m_errors >= m_errorLimit) {
        return Answer{420, errorBody(QStringLiteral("This software has exceeded the error limit for ESI.")), {}};
    }
    return std::nullopt;
}

void FakeEsi::decorate(const Request& request, Answer& answer)
{
    const TimePoint now = std::chrono::steady_clock::now();
    if (normalized(request.path).startsWith(QLatin1String("/killmails/")) && answer.status != 420) {
        chargeBucket(answer, now);
    } else {
        m_errors += answer.status >= 400 && answer.status != 420 ? 1 : 0;
        errorLimitHeaders(answer, now);
    }
    m_tooManyRequests += answer.status == 429 ? 1 : 0;
    m_errorLimited += answer.status == 420 ? 1 : 0;
}

void FakeEsi::chargeBucket(Answer& answer, TimePoint now)
{
    while (!m_bucketSpent.empty() && m_bucketSpent.front().first + m_bucketWindow <= now) {
        m_bucketSpent.pop_front();
    }
    int spent = 0;
    for (const auto& entry : m_bucketSpent) {
        spent += entry.second;
    }
    int cost = answer.status == 429 ? 0 : costOf(answer.status);
    if (spent + cost > m_bucketTokens) {
        // Retry-After: when enough of the spent tokens have come back for this request.
        int returned = 0;
        qint64 retryAfter = 1;
        for (const auto& [at, amount] : m_bucketSpent) {
            returned += amount;
            if (spent - returned + cost <= m_bucketTokens) {
                retryAfter = std::max<qint64>(1, ceilSeconds(at + m_bucketWindow - now));
                break;
            }
        }
        answer = {429, errorBody(QStringLiteral("Too many requests")), {}, Answer::Normal};
        answer.headers.append({"Retry-After", QByteArray::number(retryAfter)});
        cost = 0;
    } else if (cost > 0) {
        m_bucketSpent.emplace_back(now, cost);
    }
    answer.headers.append({QByteArrayLiteral("X-Ratelimit-Group"), QByteArrayLiteral("killmail")});
    answer.headers.append({"X-Ratelimit-Limit", QByteArray::number(m_bucketTokens) + '/' + windowText(m_bucketWindow)});
    answer.headers.append({"X-Ratelimit-Remaining", QByteArray::number(std::max(0, m_bucketTokens - spent - cost))});
    answer.headers.append({"X-Ratelimit-Used", QByteArray::number(cost)});
}

void FakeEsi::errorLimitHeaders(Answer& answer, TimePoint now)
{
    answer.headers.append({"X-ESI-Error-Limit-Remain", QByteArray::number(std::max(0, m_errorLimit - m_errors))});
    answer.headers.append(
        {"X-ESI-Error-Limit-Reset", QByteArray::number(ceilSeconds(m_errorWindowStart + m_errorWindow - now))});
}

FakeEsi::Answer FakeEsi::route(const Request& request)
{
    const QString path = normalized(request.path);
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    bool numeric = false;
    const qint64 id = segments.size() >= 2 ? segments[1].toLongLong(&numeric) : 0;

    if (segments.size() == 3 && segments[0] == QLatin1String("killmails")) {
        if (!get) {
            return {405, errorBody(QStringLiteral("Method not allowed")), {}};
        }
        bool idOk = false;
        const qint64 killmailId = segments[1].toLongLong(&idOk);
        const auto found = m_killmails.constFind(killmailId);
        if (!idOk || found == m_killmails.cend() || found->first != segments[2].toLower()) {
            return {422, errorBody(QStringLiteral("Invalid killmail_id and/or killmail_hash")), {}};
        }
        return {200, found->second, {{"ETag", '"' + segments[2].toLatin1() + '"'}}};
    }
    if (segments == QStringList{QStringLiteral("universe"), QStringLiteral("names")}) {
        return post ? names(request.body) : Answer{405, errorBody(QStringLiteral("Method not allowed")), {}};
    }
    if (segments == QStringList{QStringLiteral("characters"), QStringLiteral("affiliation")}) {
        return post ? affiliation(request.body) : Answer{405, errorBody(QStringLiteral("Method not allowed")), {}};
    }
    if (segments == QStringList{QStringLiteral("markets"), QStringLiteral("prices")} && get) {
        return entity(QStringLiteral("prices"), 0, request);
    }
    if (segments.size() == 2 && numeric && id > 0 && get
        && QStringList{QStringLiteral("characters"), QStringLiteral("corporations"), QStringLiteral("alliances")}
               .contains(segments[0])) {
        return entity(segments[0], id, request);
    }
    if (segments.size() == 3 && segments[0] == QLatin1String("universe") && segments[1] == QLatin1String("types")
        && get) {
        bool ok = false;
        const qint64 typeId = segments[2].toLongLong(&ok);
        if (ok && typeId > 0) {
            return entity(QStringLiteral("types"), typeId, request);
        }
    }
    return {404, errorBody(QStringLiteral("Not found")), {}};
}

FakeEsi::Answer FakeEsi::entity(const QString& kind, qint64 id, const Request& request)
{
    if (m_unknownIds.contains(id)) {
        return {404, errorBody(QStringLiteral("%1 not found").arg(kind)), {}};
    }
    QByteArray body;
    const QString number = QString::number(id);
    if (kind == QLatin1String("characters")) {
        QJsonObject object{{QStringLiteral("name"), QStringLiteral("Character ") + number},
                           {QStringLiteral("corporation_id"), corporationOf(id)},
                           {QStringLiteral("birthday"), QStringLiteral("2010-01-01T00:00:00Z")},
                           {QStringLiteral("gender"), QStringLiteral("female")},
                           {QStringLiteral("race_id"), 1},
                           {QStringLiteral("bloodline_id"), 1},
                           {QStringLiteral("security_status"), 0.5}};
        if (const auto alliance = allianceOf(corporationOf(id))) {
            object.insert(QStringLiteral("alliance_id"), *alliance);
        }
        body = compact(object);
    } else if (kind == QLatin1String("corporations")) {
        QJsonObject object{{QStringLiteral("name"), QStringLiteral("Corporation ") + number},
                           {QStringLiteral("ticker"), QStringLiteral("C") + number.right(4)},
                           {QStringLiteral("member_count"), 10},
                           {QStringLiteral("ceo_id"), 90000000 + id % 1000},
                           {QStringLiteral("creator_id"), 90000000 + id % 1000},
                           {QStringLiteral("tax_rate"), 0.1}};
        if (const auto alliance = allianceOf(id)) {
            object.insert(QStringLiteral("alliance_id"), *alliance);
        }
        body = compact(object);
    } else if (kind == QLatin1String("alliances")) {
        body = compact({{QStringLiteral("name"), QStringLiteral("Alliance ") + number},
                        {QStringLiteral("ticker"), QStringLiteral("A") + number.right(4)},
                        {QStringLiteral("creator_id"), 90000000 + id % 1000},
                        {QStringLiteral("creator_corporation_id"), 98000000 + id % 1000},
                        {QStringLiteral("executor_corporation_id"), 98000000 + id % 1000},
                        {QStringLiteral("date_founded"), QStringLiteral("2010-01-01T00:00:00Z")}});
    } else if (kind == QLatin1String("types")) {
        body = compact({{QStringLiteral("type_id"), id},
                        {QStringLiteral("name"), QStringLiteral("Type ") + number},
                        {QStringLiteral("group_id"), 25},
                        {QStringLiteral("published"), true},
                        {QStringLiteral("description"), QString()}});
    } else {
        body = m_marketPrices;
    }
    const QByteArray etag = '"' + QCryptographicHash::hash(body, QCryptographicHash::Md5).toHex().left(20) + '"';
    if (request.header("If-None-Match") == etag) {
        return {304, {}, {{"ETag", etag}}};
    }
    return {200, body, {{"ETag", etag}}};
}

FakeEsi::Answer FakeEsi::names(const QByteArray& body)
{
    const auto ids = idList(body);
    if (!ids || ids->isEmpty() || ids->size() > 1000 || QSet<qint64>(ids->begin(), ids->end()).size() != ids->size()) {
        return {400, errorBody(QStringLiteral("Expected a JSON array of 1 to 1000 unique positive ids")), {}};
    }
    QJsonArray resolved;
    for (qint64 id : *ids) {
        if (m_unknownIds.contains(id)) {
            return {404, errorBody(QStringLiteral("Ensure all IDs are valid before resolving")), {}};
        }
        const QString kind = category(id);
        QString name = kind;
        name[0] = name[0].toUpper();
        resolved.append(QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("name"), name.replace(QLatin1Char('_'), QLatin1Char(' ')) + ' ' + QString::number(id)},
            {QStringLiteral("category"), kind}});
    }
    return {200, QJsonDocument(resolved).toJson(QJsonDocument::Compact), {}};
}

FakeEsi::Answer FakeEsi::affiliation(const QByteArray& body)
{
    const auto ids = idList(body);
    if (!ids || ids->isEmpty() || ids->size() > 1000) {
        return {400, errorBody(QStringLiteral("Expected a JSON array of 1 to 1000 character ids")), {}};
    }
    QJsonArray affiliations;
    for (qint64 id : *ids) {
        if (m_unknownIds.contains(id)) {
            continue;
        }
        QJsonObject entry{{QStringLiteral("character_id"), id}, {QStringLiteral("corporation_id"), corporationOf(id)}};
        if (const auto alliance = allianceOf(corporationOf(id))) {
            entry.insert(QStringLiteral("alliance_id"), *alliance);
        }
        affiliations.append(entry);
    }
    return {200, QJsonDocument(affiliations).toJson(QJsonDocument::Compact), {}};
}

} // namespace km::test
