#include "parse/KillmailParser.h"

#include "util/UtcTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <functional>
#include <stdexcept>

namespace km {
namespace {

/// Thrown inside the parser only, caught per document entry; carries the dotted path of the bad field.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr double maxSafeInteger = 9007199254740992.0; // 2^53: beyond it a JSON number is not an exact integer
/// Attackers and items each get row IDs killmailId * 100000 + position (storage/KillmailRows.h).
constexpr qsizetype maxRowsPerKillmail = 100'000;
/// Row IDs must fit a BIGINT: 9.2e18 / 100000. Real killmail IDs are around 1.3e8.
constexpr std::int64_t maxKillmailId = 90'000'000'000'000;

QString typeName(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

/// Reads typed fields from one JSON object, naming `path.field` in every error.
class FieldReader {
public:
    FieldReader(const QJsonObject& object, QString path)
        : m_object(object)
        , m_path(std::move(path))
    {
    }

    [[nodiscard]] QString pathOf(QLatin1StringView field) const
    {
        return m_path.isEmpty() ? QString(field) : m_path + u'.' + field;
    }

    [[nodiscard]] bool has(QLatin1StringView field) const
    {
        const QJsonValue value = m_object.value(field);
        return !value.isUndefined() && !value.isNull();
    }

    [[nodiscard]] std::int64_t requiredInteger(QLatin1StringView field) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            fail(field, QStringLiteral("required field is missing"));
        }
        return toInteger(field, value);
    }

    [[nodiscard]] std::optional<std::int64_t> optionalInteger(QLatin1StringView field) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            return std::nullopt;
        }
        return toInteger(field, value);
    }

    [[nodiscard]] std::int64_t nonNegative(QLatin1StringView field, std::int64_t value) const
    {
        if (value < 0) {
            fail(field, QStringLiteral("must not be negative, got %1").arg(value));
        }
        return value;
    }

    [[nodiscard]] int requiredInt32(QLatin1StringView field) const { return toInt32(field, requiredInteger(field)); }

    [[nodiscard]] std::optional<int> optionalInt32(QLatin1StringView field) const
    {
        const auto value = optionalInteger(field);
        return value ? std::optional<int>(toInt32(field, *value)) : std::nullopt;
    }

    [[nodiscard]] double optionalNumber(QLatin1StringView field, double fallback) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            return fallback;
        }
        if (!value.isDouble()) {
            fail(field, QStringLiteral("expected a number, got %1").arg(typeName(value)));
        }
        return value.toDouble();
    }

    [[nodiscard]] bool requiredBool(QLatin1StringView field) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            fail(field, QStringLiteral("required field is missing"));
        }
        if (!value.isBool()) {
            fail(field, QStringLiteral("expected a boolean, got %1").arg(typeName(value)));
        }
        return value.toBool();
    }

    [[nodiscard]] bool optionalBool(QLatin1StringView field) const { return has(field) ? requiredBool(field) : false; }

    [[nodiscard]] QString requiredString(QLatin1StringView field) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            fail(field, QStringLiteral("required field is missing"));
        }
        if (!value.isString()) {
            fail(field, QStringLiteral("expected a string, got %1").arg(typeName(value)));
        }
        return value.toString();
    }

    [[nodiscard]] QJsonObject requiredObject(QLatin1StringView field) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            fail(field, QStringLiteral("required field is missing"));
        }
        if (!value.isObject()) {
            fail(field, QStringLiteral("expected an object, got %1").arg(typeName(value)));
        }
        return value.toObject();
    }

    [[nodiscard]] QJsonArray array(QLatin1StringView field, bool required) const
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() || value.isNull()) {
            if (required) {
                fail(field, QStringLiteral("required field is missing"));
            }
            return {};
        }
        if (!value.isArray()) {
            fail(field, QStringLiteral("expected an array, got %1").arg(typeName(value)));
        }
        return value.toArray();
    }

    [[noreturn]] void fail(QLatin1StringView field, const QString& message) const
    {
        throw FieldError((pathOf(field) + QStringLiteral(": ") + message).toStdString());
    }

private:
    std::int64_t toInteger(QLatin1StringView field, const QJsonValue& value) const
    {
        if (!value.isDouble()) {
            fail(field, QStringLiteral("expected an integer, got %1").arg(typeName(value)));
        }
        const double number = value.toDouble();
        if (std::trunc(number) != number || std::fabs(number) > maxSafeInteger) {
            fail(field, QStringLiteral("expected an integer, got %1").arg(number));
        }
        return static_cast<std::int64_t>(number);
    }

    int toInt32(QLatin1StringView field, std::int64_t value) const
    {
        if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
            fail(field, QStringLiteral("%1 is out of range").arg(value));
        }
        return static_cast<int>(value);
    }

    const QJsonObject& m_object;
    QString m_path;
};

QString indexed(const QString& path, qsizetype index) { return QStringLiteral("%1[%2]").arg(path).arg(index); }

QJsonObject elementObject(const QJsonValue& value, const QString& path)
{
    if (!value.isObject()) {
        throw FieldError(QStringLiteral("%1: expected an object, got %2").arg(path, typeName(value)).toStdString());
    }
    return value.toObject();
}

std::vector<Item> parseItems(const QJsonArray& array, const QString& path, int depth)
{
    std::vector<Item> items;
    items.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = indexed(path, i);
        const QJsonObject object = elementObject(array.at(i), itemPath);
        const FieldReader reader(object, itemPath);
        Item item;
        item.typeId = reader.requiredInt32(QLatin1StringView("item_type_id"));
        item.flag = reader.requiredInt32(QLatin1StringView("flag"));
        item.singleton = reader.requiredInt32(QLatin1StringView("singleton"));
        const auto destroyed = QLatin1StringView("quantity_destroyed");
        const auto dropped = QLatin1StringView("quantity_dropped");
        item.quantityDestroyed = reader.nonNegative(destroyed, reader.optionalInteger(destroyed).value_or(0));
        item.quantityDropped = reader.nonNegative(dropped, reader.optionalInteger(dropped).value_or(0));
        const QJsonArray children = reader.array(QLatin1StringView("items"), false);
        if (!children.isEmpty()) {
            if (depth >= 4) {
                reader.fail(QLatin1StringView("items"), QStringLiteral("nested deeper than any real killmail"));
            }
            item.items = parseItems(children, reader.pathOf(QLatin1StringView("items")), depth + 1);
        }
        items.push_back(std::move(item));
    }
    return items;
}

Victim parseVictim(const QJsonObject& object)
{
    const FieldReader reader(object, QStringLiteral("victim"));
    Victim victim;
    victim.characterId = reader.optionalInteger(QLatin1StringView("character_id"));
    victim.corporationId = reader.optionalInteger(QLatin1StringView("corporation_id"));
    victim.allianceId = reader.optionalInteger(QLatin1StringView("alliance_id"));
    victim.factionId = reader.optionalInteger(QLatin1StringView("faction_id"));
    victim.shipTypeId = reader.requiredInt32(QLatin1StringView("ship_type_id"));
    const auto damage = QLatin1StringView("damage_taken");
    victim.damageTaken = reader.nonNegative(damage, reader.requiredInteger(damage));
    if (reader.has(QLatin1StringView("position"))) {
        const QJsonObject position = reader.requiredObject(QLatin1StringView("position"));
        const FieldReader positionReader(position, QStringLiteral("victim.position"));
        victim.position = Position{positionReader.optionalNumber(QLatin1StringView("x"), 0),
                                   positionReader.optionalNumber(QLatin1StringView("y"), 0),
                                   positionReader.optionalNumber(QLatin1StringView("z"), 0)};
    }
    victim.items = parseItems(reader.array(QLatin1StringView("items"), false), QStringLiteral("victim.items"), 0);
    return victim;
}

std::vector<Attacker> parseAttackers(const FieldReader& body)
{
    const QJsonArray array = body.array(QLatin1StringView("attackers"), true);
    if (array.isEmpty()) {
        body.fail(QLatin1StringView("attackers"), QStringLiteral("a killmail needs at least one attacker"));
    }
    if (array.size() >= maxRowsPerKillmail) {
        body.fail(QLatin1StringView("attackers"),
                  QStringLiteral("%1 attackers is more than any killmail can have").arg(array.size()));
    }
    std::vector<Attacker> attackers;
    attackers.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString path = indexed(QStringLiteral("attackers"), i);
        const QJsonObject object = elementObject(array.at(i), path);
        const FieldReader reader(object, path);
        Attacker attacker;
        attacker.characterId = reader.optionalInteger(QLatin1StringView("character_id"));
        attacker.corporationId = reader.optionalInteger(QLatin1StringView("corporation_id"));
        attacker.allianceId = reader.optionalInteger(QLatin1StringView("alliance_id"));
        attacker.factionId = reader.optionalInteger(QLatin1StringView("faction_id"));
        attacker.shipTypeId = reader.optionalInt32(QLatin1StringView("ship_type_id"));
        attacker.weaponTypeId = reader.optionalInt32(QLatin1StringView("weapon_type_id"));
        const auto damage = QLatin1StringView("damage_done");
        attacker.damageDone = reader.nonNegative(damage, reader.requiredInteger(damage));
        attacker.finalBlow = reader.requiredBool(QLatin1StringView("final_blow"));
        attacker.securityStatus = reader.optionalNumber(QLatin1StringView("security_status"), 0);
        attackers.push_back(attacker);
    }
    return attackers;
}

void requireValidHash(const QString& hash, const QString& field)
{
    if (!hash.isEmpty() && !KillmailParser::isValidHash(hash)) {
        throw FieldError(QStringLiteral("%1: '%2' is not a killmail hash (40 hexadecimal digits)")
                             .arg(field, hash.left(64))
                             .toStdString());
    }
}

Killmail parseBody(const QJsonObject& body, const QString& hash)
{
    const FieldReader reader(body, QString());
    Killmail killmail;
    killmail.killmailId = reader.requiredInteger(QLatin1StringView("killmail_id"));
    if (killmail.killmailId <= 0 || killmail.killmailId > maxKillmailId) {
        reader.fail(QLatin1StringView("killmail_id"),
                    QStringLiteral("%1 is not a killmail id").arg(killmail.killmailId));
    }
    const QString time = reader.requiredString(QLatin1StringView("killmail_time"));
    const auto parsedTime = utc::parseIso8601(time);
    if (!parsedTime) {
        reader.fail(QLatin1StringView("killmail_time"),
                    QStringLiteral("'%1' is not an ISO 8601 UTC time").arg(time.left(40)));
    }
    killmail.killmailTime = *parsedTime;
    killmail.solarSystemId = reader.requiredInt32(QLatin1StringView("solar_system_id"));
    killmail.moonId = reader.optionalInteger(QLatin1StringView("moon_id"));
    killmail.warId = reader.optionalInteger(QLatin1StringView("war_id"));
    killmail.victim = parseVictim(reader.requiredObject(QLatin1StringView("victim")));
    qsizetype items = 0;
    const std::function<void(const std::vector<Item>&)> countItems = [&](const std::vector<Item>& level) {
        items += qsizetype(level.size());
        for (const Item& item : level) {
            countItems(item.items);
        }
    };
    countItems(killmail.victim.items);
    if (items >= maxRowsPerKillmail) {
        reader.fail(QLatin1StringView("victim"),
                    QStringLiteral("%1 items is more than any killmail can have").arg(items));
    }
    killmail.attackers = parseAttackers(reader);
    killmail.hash = hash;
    return killmail;
}

ZkbSummary parseZkb(const QJsonObject& zkb)
{
    const FieldReader reader(zkb, QStringLiteral("zkb"));
    ZkbSummary summary;
    summary.npc = reader.optionalBool(QLatin1StringView("npc"));
    summary.solo = reader.optionalBool(QLatin1StringView("solo"));
    summary.awox = reader.optionalBool(QLatin1StringView("awox"));
    summary.totalValue = reader.optionalNumber(QLatin1StringView("totalValue"), 0);
    summary.destroyedValue = reader.optionalNumber(QLatin1StringView("destroyedValue"), 0);
    summary.droppedValue = reader.optionalNumber(QLatin1StringView("droppedValue"), 0);
    summary.fittedValue = reader.optionalNumber(QLatin1StringView("fittedValue"), 0);
    return summary;
}

QString stringField(const QJsonObject& object, QLatin1StringView field)
{
    const QJsonValue value = object.value(field);
    if (value.isUndefined() || value.isNull()) {
        return {};
    }
    if (!value.isString()) {
        throw FieldError(QStringLiteral("%1: expected a string, got %2").arg(field, typeName(value)).toStdString());
    }
    return value.toString();
}

ParseOutcome withBody(const QJsonObject& body, const QString& hash, const QString& hashField,
                      const std::optional<QJsonObject>& zkb)
{
    requireValidHash(hash, hashField);
    ParsedKillmail parsed{parseBody(body, hash), std::nullopt};
    if (zkb) {
        parsed.zkb = parseZkb(*zkb);
    }
    return parsed;
}

ParseOutcome referenceOf(std::int64_t id, const QString& hash, const QString& idField, const QString& hashField)
{
    if (id <= 0) {
        throw FieldError(QStringLiteral("%1: must be a positive killmail id").arg(idField).toStdString());
    }
    if (hash.isEmpty()) {
        throw FieldError(QStringLiteral("%1: required field is missing").arg(hashField).toStdString());
    }
    requireValidHash(hash, hashField);
    return KillmailReference{id, hash};
}

std::optional<QJsonObject> optionalObject(const QJsonObject& object, QLatin1StringView field)
{
    const QJsonValue value = object.value(field);
    if (value.isObject()) {
        return value.toObject();
    }
    if (!value.isUndefined() && !value.isNull()) {
        throw FieldError(QStringLiteral("%1: expected an object, got %2").arg(field, typeName(value)).toStdString());
    }
    return std::nullopt;
}

ParseOutcome parseShape(const QJsonObject& object)
{
    if (object.contains(QLatin1StringView("package"))) {
        const auto package = optionalObject(object, QLatin1StringView("package"));
        if (!package) {
            throw FieldError("package: RedisQ package is empty (no killmail was waiting)");
        }
        return parseShape(*package);
    }
    const auto zkb = optionalObject(object, QLatin1StringView("zkb"));
    const QString zkbHash = zkb ? stringField(*zkb, QLatin1StringView("hash")) : QString();
    if (object.contains(QLatin1StringView("killID"))) { // RedisQ package content
        if (const auto body = optionalObject(object, QLatin1StringView("killmail"))) {
            return withBody(*body, zkbHash, QStringLiteral("zkb.hash"), zkb);
        }
        const FieldReader reader(object, QString());
        return referenceOf(reader.requiredInteger(QLatin1StringView("killID")), zkbHash, QStringLiteral("killID"),
                           QStringLiteral("zkb.hash"));
    }
    if (const auto esi = optionalObject(object, QLatin1StringView("esi"))) { // R2Z2 record
        QString hash = stringField(object, QLatin1StringView("hash"));
        return withBody(*esi, hash.isEmpty() ? zkbHash : hash, QStringLiteral("hash"), zkb);
    }
    if (object.contains(QLatin1StringView("killmail_hash"))) {
        const QString hash = stringField(object, QLatin1StringView("killmail_hash"));
        if (object.contains(QLatin1StringView("victim"))) { // EVE Ref archive entry
            return withBody(object, hash, QStringLiteral("killmail_hash"), zkb);
        }
        const FieldReader reader(object, QString()); // EVE-KILL document
        return referenceOf(reader.requiredInteger(QLatin1StringView("killmail_id")), hash,
                           QStringLiteral("killmail_id"), QStringLiteral("killmail_hash"));
    }
    if (zkb && !object.contains(QLatin1StringView("victim")) && object.contains(QLatin1StringView("killmail_id"))) {
        const FieldReader reader(object, QString()); // zKillboard API list entry without the ESI body
        return referenceOf(reader.requiredInteger(QLatin1StringView("killmail_id")), zkbHash,
                           QStringLiteral("killmail_id"), QStringLiteral("zkb.hash"));
    }
    return withBody(object, zkbHash, QStringLiteral("zkb.hash"), zkb); // zKillboard API object or bare ESI body
}

bool isHistoryDayFile(const QJsonObject& object)
{
    if (object.isEmpty()) {
        return false;
    }
    bool numeric = false;
    object.constBegin().key().toLongLong(&numeric);
    return numeric;
}

template <typename Parse>
ParseOutcome guarded(const QString& where, Parse&& parse)
{
    try {
        return parse();
    } catch (const FieldError& error) {
        return ParseError{where, QString::fromStdString(error.what())};
    }
}

void parseHistoryDay(const QJsonObject& day, const QString& origin, std::vector<ParseOutcome>& out)
{
    out.reserve(out.size() + day.size());
    for (auto it = day.constBegin(); it != day.constEnd(); ++it) {
        const QString where = QStringLiteral("%1: %2").arg(origin, it.key());
        out.push_back(guarded(where, [&]() -> ParseOutcome {
            bool numeric = false;
            const std::int64_t id = it.key().toLongLong(&numeric);
            if (!numeric) {
                throw FieldError(QStringLiteral("'%1' is not a killmail id").arg(it.key().left(40)).toStdString());
            }
            if (it.value().isString()) {
                return referenceOf(id, it.value().toString(), it.key(), it.key());
            }
            if (!it.value().isObject()) {
                throw FieldError(
                    QStringLiteral("expected a hash or a killmail, got %1").arg(typeName(it.value())).toStdString());
            }
            ParseOutcome outcome = withBody(it.value().toObject(), QString(), QString(), std::nullopt);
            if (const auto* parsed = std::get_if<ParsedKillmail>(&outcome);
                parsed && parsed->killmail.killmailId != id) {
                throw FieldError(
                    QStringLiteral("key %1 holds killmail %2").arg(id).arg(parsed->killmail.killmailId).toStdString());
            }
            return outcome;
        }));
    }
}

} // namespace

bool KillmailParser::isValidHash(const QString& hash)
{
    if (hash == QLatin1StringView("CCP VERIFIED")) {
        return true;
    }
    if (hash.size() != 40) {
        return false;
    }
    for (const QChar c : hash) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F'))) {
            return false;
        }
    }
    return true;
}

std::vector<ParseOutcome> KillmailParser::parseDocument(const QByteArray& json, const QString& origin)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        return {ParseError{origin,
                           QStringLiteral("malformed JSON at byte %1: %2").arg(error.offset).arg(error.errorString())}};
    }
    std::vector<ParseOutcome> outcomes;
    if (document.isArray()) {
        const QJsonArray array = document.array();
        outcomes.reserve(array.size());
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString where = indexed(origin, i);
            const QJsonValue element = array.at(i);
            if (!element.isObject()) {
                outcomes.emplace_back(
                    ParseError{where, QStringLiteral("expected a killmail object, got %1").arg(typeName(element))});
                continue;
            }
            outcomes.push_back(parseObject(element.toObject(), where));
        }
        return outcomes;
    }
    if (!document.isObject()) {
        return {ParseError{origin, QStringLiteral("expected a killmail object, got a scalar")}};
    }
    const QJsonObject object = document.object();
    if (isHistoryDayFile(object)) {
        parseHistoryDay(object, origin, outcomes);
        return outcomes;
    }
    outcomes.push_back(parseObject(object, origin));
    return outcomes;
}

ParseOutcome KillmailParser::parseObject(const QJsonObject& object, const QString& origin)
{
    return guarded(origin, [&] { return parseShape(object); });
}

ParseOutcome KillmailParser::parseEsiBody(const QJsonObject& body, const QString& hash, const QString& origin)
{
    return guarded(origin, [&] { return withBody(body, hash, QStringLiteral("hash"), std::nullopt); });
}

} // namespace km
