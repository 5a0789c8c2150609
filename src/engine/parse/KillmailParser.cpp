#include "parse/KillmailParser.h"

#include "util/UtcTime.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <simdjson.h>

#include <cmath>
#include <functional>
#include <stdexcept>

namespace km {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

/// Thrown inside the parser only, caught per document entry; carries the dotted path of the bad field.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr double maxSafeInteger = 9007199254740992.0; // 2^53: beyond it a JSON number is not an exact integer
/// Attackers and items each get row IDs killmailId * 100000 + position (storage/KillmailRows.h).
constexpr std::size_t maxRowsPerKillmail = 100'000;
/// Row IDs must fit a BIGINT: 9.2e18 / 100000. Real killmail IDs are around 1.3e8.
constexpr std::int64_t maxKillmailId = 90'000'000'000'000;

QString typeName(const element& value)
{
    switch (value.type()) {
    case element_type::NULL_VALUE: return QStringLiteral("null");
    case element_type::BOOL: return QStringLiteral("a boolean");
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return QStringLiteral("a number");
    case element_type::STRING: return QStringLiteral("a string");
    case element_type::ARRAY: return QStringLiteral("an array");
    case element_type::OBJECT: return QStringLiteral("an object");
    }
    return QStringLiteral("nothing");
}

QString toQString(std::string_view text) { return QString::fromUtf8(text.data(), qsizetype(text.size())); }

/// The member `field` of `object`, or nothing when it is absent or null.
std::optional<element> member(const simdjson::dom::object& object, std::string_view field)
{
    element value;
    if (object.at_key(field).get(value) != simdjson::SUCCESS || value.is_null()) {
        return std::nullopt;
    }
    return value;
}

/// Where a value lives ("victim.items[2].items[0]"), spelled out only when an error names it.
class JsonPath {
public:
    JsonPath() = default; // the killmail object itself

    [[nodiscard]] JsonPath member(std::string_view name) const { return JsonPath(this, name, std::nullopt); }
    [[nodiscard]] JsonPath element(std::size_t index) const { return JsonPath(this, {}, index); }

    [[nodiscard]] QString toString() const
    {
        const QString base = m_parent ? m_parent->toString() : QString();
        if (m_index) {
            return QStringLiteral("%1[%2]").arg(base).arg(*m_index);
        }
        return base.isEmpty() ? toQString(m_name) : base + u'.' + toQString(m_name);
    }

private:
    JsonPath(const JsonPath* parent, std::string_view name, std::optional<std::size_t> index)
        : m_parent(parent)
        , m_name(name)
        , m_index(index)
    {
    }

    const JsonPath* m_parent = nullptr;
    std::string_view m_name;
    std::optional<std::size_t> m_index;
};

/// The killmail object's own fields have bare names ("victim", not ".victim").
const JsonPath topLevel;

/// Reads typed fields from one JSON object, naming `path.field` in every error.
class FieldReader {
public:
    FieldReader(simdjson::dom::object object, const JsonPath& path)
        : m_object(object)
        , m_path(path)
    {
    }

    [[nodiscard]] const JsonPath& path() const { return m_path; }
    [[nodiscard]] QString pathOf(std::string_view field) const { return m_path.member(field).toString(); }

    [[nodiscard]] bool has(std::string_view field) const { return member(m_object, field).has_value(); }

    [[nodiscard]] element required(std::string_view field) const
    {
        const auto value = member(m_object, field);
        if (!value) {
            fail(field, QStringLiteral("required field is missing"));
        }
        return *value;
    }

    [[nodiscard]] std::int64_t requiredInteger(std::string_view field) const
    {
        return toInteger(field, required(field));
    }

    [[nodiscard]] std::optional<std::int64_t> optionalInteger(std::string_view field) const
    {
        const auto value = member(m_object, field);
        return value ? std::optional<std::int64_t>(toInteger(field, *value)) : std::nullopt;
    }

    [[nodiscard]] std::int64_t nonNegative(std::string_view field, std::int64_t value) const
    {
        if (value < 0) {
            fail(field, QStringLiteral("must not be negative, got %1").arg(value));
        }
        return value;
    }

    [[nodiscard]] int requiredInt32(std::string_view field) const { return toInt32(field, requiredInteger(field)); }

    [[nodiscard]] std::optional<int> optionalInt32(std::string_view field) const
    {
        const auto value = optionalInteger(field);
        return value ? std::optional<int>(toInt32(field, *value)) : std::nullopt;
    }

    [[nodiscard]] double optionalNumber(std::string_view field, double fallback) const
    {
        const auto value = member(m_object, field);
        if (!value) {
            return fallback;
        }
        double number = 0;
        if (value->get(number) != simdjson::SUCCESS) {
            fail(field, QStringLiteral("expected a number, got %1").arg(typeName(*value)));
        }
        return number;
    }

    [[nodiscard]] bool requiredBool(std::string_view field) const
    {
        const element value = required(field);
        bool flag = false;
        if (value.get(flag) != simdjson::SUCCESS) {
            fail(field, QStringLiteral("expected a boolean, got %1").arg(typeName(value)));
        }
        return flag;
    }

    [[nodiscard]] bool optionalBool(std::string_view field) const { return has(field) ? requiredBool(field) : false; }

    [[nodiscard]] QString requiredString(std::string_view field) const
    {
        const element value = required(field);
        std::string_view text;
        if (value.get(text) != simdjson::SUCCESS) {
            fail(field, QStringLiteral("expected a string, got %1").arg(typeName(value)));
        }
        return toQString(text);
    }

    [[nodiscard]] simdjson::dom::object requiredObject(std::string_view field) const
    {
        const element value = required(field);
        simdjson::dom::object object;
        if (value.get(object) != simdjson::SUCCESS) {
            fail(field, QStringLiteral("expected an object, got %1").arg(typeName(value)));
        }
        return object;
    }

    /// The array `field`; an absent or null one is empty unless `required`.
    [[nodiscard]] std::optional<simdjson::dom::array> array(std::string_view field, bool required) const
    {
        const auto value = member(m_object, field);
        if (!value) {
            if (required) {
                fail(field, QStringLiteral("required field is missing"));
            }
            return std::nullopt;
        }
        simdjson::dom::array array;
        if (value->get(array) != simdjson::SUCCESS) {
            fail(field, QStringLiteral("expected an array, got %1").arg(typeName(*value)));
        }
        return array;
    }

    [[noreturn]] void fail(std::string_view field, const QString& message) const
    {
        throw FieldError((pathOf(field) + QStringLiteral(": ") + message).toStdString());
    }

private:
    std::int64_t toInteger(std::string_view field, const element& value) const
    {
        std::int64_t integer = 0;
        if (value.get(integer) == simdjson::SUCCESS) {
            if (std::fabs(double(integer)) > maxSafeInteger) {
                fail(field, QStringLiteral("expected an integer, got %1").arg(integer));
            }
            return integer;
        }
        double number = 0;
        if (value.get(number) != simdjson::SUCCESS) {
            fail(field, QStringLiteral("expected an integer, got %1").arg(typeName(value)));
        }
        if (std::trunc(number) != number || std::fabs(number) > maxSafeInteger) {
            fail(field, QStringLiteral("expected an integer, got %1").arg(number));
        }
        return static_cast<std::int64_t>(number);
    }

    int toInt32(std::string_view field, std::int64_t value) const
    {
        if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
            fail(field, QStringLiteral("%1 is out of range").arg(value));
        }
        return static_cast<int>(value);
    }

    simdjson::dom::object m_object;
    const JsonPath& m_path;
};

QString indexed(const QString& path, std::size_t index) { return QStringLiteral("%1[%2]").arg(path).arg(index); }

simdjson::dom::object elementObject(const element& value, const JsonPath& path)
{
    simdjson::dom::object object;
    if (value.get(object) != simdjson::SUCCESS) {
        throw FieldError(
            QStringLiteral("%1: expected an object, got %2").arg(path.toString(), typeName(value)).toStdString());
    }
    return object;
}

std::vector<Item> parseItems(simdjson::dom::array array, const JsonPath& path, int depth)
{
    std::vector<Item> items;
    items.reserve(array.size());
    std::size_t index = 0;
    for (const element value : array) {
        const JsonPath itemPath = path.element(index++);
        const FieldReader reader(elementObject(value, itemPath), itemPath);
        Item item;
        item.typeId = reader.requiredInt32("item_type_id");
        item.flag = reader.requiredInt32("flag");
        item.singleton = reader.requiredInt32("singleton");
        item.quantityDestroyed =
            reader.nonNegative("quantity_destroyed", reader.optionalInteger("quantity_destroyed").value_or(0));
        item.quantityDropped =
            reader.nonNegative("quantity_dropped", reader.optionalInteger("quantity_dropped").value_or(0));
        const auto children = reader.array("items", false);
        if (children && children->size() > 0) {
            if (depth >= 4) {
                reader.fail("items", QStringLiteral("nested deeper than any real killmail"));
            }
            item.items = parseItems(*children, reader.path().member("items"), depth + 1);
        }
        items.push_back(std::move(item));
    }
    return items;
}

/// The character, corporation, alliance and faction of a victim or an attacker.
template <typename Party>
void readAffiliation(const FieldReader& reader, Party& party)
{
    party.characterId = reader.optionalInteger("character_id");
    party.corporationId = reader.optionalInteger("corporation_id");
    party.allianceId = reader.optionalInteger("alliance_id");
    party.factionId = reader.optionalInteger("faction_id");
}

Victim parseVictim(simdjson::dom::object object, const JsonPath& path)
{
    const FieldReader reader(object, path);
    Victim victim;
    readAffiliation(reader, victim);
    victim.shipTypeId = reader.requiredInt32("ship_type_id");
    victim.damageTaken = reader.nonNegative("damage_taken", reader.requiredInteger("damage_taken"));
    if (reader.has("position")) {
        const JsonPath positionPath = path.member("position");
        const FieldReader position(reader.requiredObject("position"), positionPath);
        victim.position =
            Position{position.optionalNumber("x", 0), position.optionalNumber("y", 0), position.optionalNumber("z", 0)};
    }
    if (const auto items = reader.array("items", false)) {
        victim.items = parseItems(*items, path.member("items"), 0);
    }
    return victim;
}

std::vector<Attacker> parseAttackers(const FieldReader& body)
{
    const simdjson::dom::array array = *body.array("attackers", true);
    const std::size_t count = array.size();
    if (count == 0) {
        body.fail("attackers", QStringLiteral("a killmail needs at least one attacker"));
    }
    if (count >= maxRowsPerKillmail) {
        body.fail("attackers", QStringLiteral("%1 attackers is more than any killmail can have").arg(count));
    }
    std::vector<Attacker> attackers;
    attackers.reserve(count);
    const JsonPath arrayPath = body.path().member("attackers");
    std::size_t index = 0;
    for (const element value : array) {
        const JsonPath path = arrayPath.element(index++);
        const FieldReader reader(elementObject(value, path), path);
        Attacker attacker;
        readAffiliation(reader, attacker);
        attacker.shipTypeId = reader.optionalInt32("ship_type_id");
        attacker.weaponTypeId = reader.optionalInt32("weapon_type_id");
        attacker.damageDone = reader.nonNegative("damage_done", reader.requiredInteger("damage_done"));
        attacker.finalBlow = reader.requiredBool("final_blow");
        attacker.securityStatus = reader.optionalNumber("security_status", 0);
        attackers.push_back(attacker);
    }
    return attackers;
}

/// Tranquility opened on 2003-05-06; a killmail dated before it, or beyond tomorrow, was made up (and PostgreSQL
/// cannot even look prices up for years such as 0001 or 9999).
constexpr UnixTime eveOnlineOpened = 1052179200; // 2003-05-06T00:00:00Z
constexpr UnixTime oneDay = 86400;

void requirePlausibleTime(std::int64_t killmailId, const QString& text, UnixTime time)
{
    const QString subject = QStringLiteral("killmail %1: killmail_time %2").arg(killmailId).arg(text.left(40));
    if (time < eveOnlineOpened) {
        throw FieldError((subject + QStringLiteral(" is before EVE Online opened (2003-05-06)")).toStdString());
    }
    if (time > QDateTime::currentSecsSinceEpoch() + oneDay) {
        throw FieldError((subject + QStringLiteral(" is more than a day in the future")).toStdString());
    }
}

void requireValidHash(const QString& hash, const QString& field)
{
    if (!hash.isEmpty() && !KillmailParser::isValidHash(hash)) {
        throw FieldError(QStringLiteral("%1: '%2' is not a killmail hash (40 hexadecimal digits)")
                             .arg(field, hash.left(64))
                             .toStdString());
    }
}

Killmail parseBody(simdjson::dom::object body, const QString& hash)
{
    const FieldReader reader(body, topLevel);
    Killmail killmail;
    killmail.killmailId = reader.requiredInteger("killmail_id");
    if (killmail.killmailId <= 0 || killmail.killmailId > maxKillmailId) {
        reader.fail("killmail_id", QStringLiteral("%1 is not a killmail id").arg(killmail.killmailId));
    }
    const QString time = reader.requiredString("killmail_time");
    const auto parsedTime = utc::parseIso8601(time);
    if (!parsedTime) {
        reader.fail("killmail_time", QStringLiteral("'%1' is not an ISO 8601 UTC time").arg(time.left(40)));
    }
    killmail.killmailTime = *parsedTime;
    requirePlausibleTime(killmail.killmailId, time, killmail.killmailTime);
    killmail.solarSystemId = reader.requiredInt32("solar_system_id");
    killmail.moonId = reader.optionalInteger("moon_id");
    killmail.warId = reader.optionalInteger("war_id");
    killmail.victim = parseVictim(reader.requiredObject("victim"), topLevel.member("victim"));
    std::size_t items = 0;
    const std::function<void(const std::vector<Item>&)> countItems = [&](const std::vector<Item>& level) {
        items += level.size();
        for (const Item& item : level) {
            countItems(item.items);
        }
    };
    countItems(killmail.victim.items);
    if (items >= maxRowsPerKillmail) {
        reader.fail("victim", QStringLiteral("%1 items is more than any killmail can have").arg(items));
    }
    killmail.attackers = parseAttackers(reader);
    killmail.hash = hash;
    return killmail;
}

ZkbSummary parseZkb(simdjson::dom::object zkb)
{
    const JsonPath path = topLevel.member("zkb");
    const FieldReader reader(zkb, path);
    ZkbSummary summary;
    summary.npc = reader.optionalBool("npc");
    summary.solo = reader.optionalBool("solo");
    summary.awox = reader.optionalBool("awox");
    summary.totalValue = reader.optionalNumber("totalValue", 0);
    summary.destroyedValue = reader.optionalNumber("destroyedValue", 0);
    summary.droppedValue = reader.optionalNumber("droppedValue", 0);
    summary.fittedValue = reader.optionalNumber("fittedValue", 0);
    return summary;
}

bool contains(const simdjson::dom::object& object, std::string_view field)
{
    element value;
    return object.at_key(field).get(value) == simdjson::SUCCESS;
}

QString stringField(const simdjson::dom::object& object, std::string_view field)
{
    const auto value = member(object, field);
    if (!value) {
        return {};
    }
    std::string_view text;
    if (value->get(text) != simdjson::SUCCESS) {
        throw FieldError(
            QStringLiteral("%1: expected a string, got %2").arg(toQString(field), typeName(*value)).toStdString());
    }
    return toQString(text);
}

ParseOutcome withBody(simdjson::dom::object body, const QString& hash, const QString& hashField,
                      const std::optional<simdjson::dom::object>& zkb)
{
    requireValidHash(hash, hashField);
    ParsedKillmail parsed{parseBody(body, hash), std::nullopt};
    if (zkb) {
        parsed.zkb = parseZkb(*zkb);
    }
    return parsed;
}

/// A note when `object`, taken as a reference, carried killmail fields without `victim`: that body is not stored.
QString incompleteBodyOf(const simdjson::dom::object& object)
{
    const bool hasBody = contains(object, "killmail_time") || contains(object, "attackers");
    return hasBody ? QStringLiteral("the killmail has no victim, so it is queued by ID and hash for ESI's whole copy")
                   : QString();
}

ParseOutcome referenceOf(std::int64_t id, const QString& hash, const QString& idField, const QString& hashField,
                         const QString& bodyIgnored = {})
{
    if (id <= 0) {
        throw FieldError(QStringLiteral("%1: must be a positive killmail id").arg(idField).toStdString());
    }
    if (hash.isEmpty()) {
        throw FieldError(QStringLiteral("%1: required field is missing").arg(hashField).toStdString());
    }
    requireValidHash(hash, hashField);
    return KillmailReference{id, hash, bodyIgnored};
}

std::optional<simdjson::dom::object> optionalObject(const simdjson::dom::object& object, std::string_view field)
{
    const auto value = member(object, field);
    if (!value) {
        return std::nullopt;
    }
    simdjson::dom::object found;
    if (value->get(found) != simdjson::SUCCESS) {
        throw FieldError(
            QStringLiteral("%1: expected an object, got %2").arg(toQString(field), typeName(*value)).toStdString());
    }
    return found;
}

ParseOutcome parseShape(simdjson::dom::object object)
{
    if (contains(object, "package")) {
        const auto package = optionalObject(object, "package");
        if (!package) {
            throw FieldError("package: RedisQ package is empty (no killmail was waiting)");
        }
        return parseShape(*package);
    }
    const auto zkb = optionalObject(object, "zkb");
    const QString zkbHash = zkb ? stringField(*zkb, "hash") : QString();
    if (contains(object, "killID")) { // RedisQ package content
        if (const auto body = optionalObject(object, "killmail")) {
            return withBody(*body, zkbHash, QStringLiteral("zkb.hash"), zkb);
        }
        const FieldReader reader(object, topLevel);
        return referenceOf(reader.requiredInteger("killID"), zkbHash, QStringLiteral("killID"),
                           QStringLiteral("zkb.hash"));
    }
    if (const auto esi = optionalObject(object, "esi")) { // R2Z2 record
        const QString hash = stringField(object, "hash");
        return withBody(*esi, hash.isEmpty() ? zkbHash : hash, QStringLiteral("hash"), zkb);
    }
    if (contains(object, "killmail_hash")) {
        const QString hash = stringField(object, "killmail_hash");
        if (contains(object, "victim")) { // EVE Ref archive entry
            return withBody(object, hash, QStringLiteral("killmail_hash"), zkb);
        }
        const FieldReader reader(object, topLevel); // EVE-KILL document
        return referenceOf(reader.requiredInteger("killmail_id"), hash, QStringLiteral("killmail_id"),
                           QStringLiteral("killmail_hash"), incompleteBodyOf(object));
    }
    if (zkb && !contains(object, "victim") && contains(object, "killmail_id")) {
        const FieldReader reader(object, topLevel); // zKillboard API list entry without the ESI body
        return referenceOf(reader.requiredInteger("killmail_id"), zkbHash, QStringLiteral("killmail_id"),
                           QStringLiteral("zkb.hash"), incompleteBodyOf(object));
    }
    return withBody(object, zkbHash, QStringLiteral("zkb.hash"), zkb); // zKillboard API object or bare ESI body
}

bool isHistoryDayFile(const simdjson::dom::object& object)
{
    if (object.size() == 0) {
        return false;
    }
    bool numeric = false;
    toQString((*object.begin()).key).toLongLong(&numeric);
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

void parseHistoryDay(const simdjson::dom::object& day, const QString& origin, std::vector<ParseOutcome>& out)
{
    out.reserve(out.size() + day.size());
    for (const simdjson::dom::key_value_pair member : day) {
        const element value = member.value;
        const QString id = toQString(member.key);
        out.push_back(guarded(QStringLiteral("%1: %2").arg(origin, id), [&]() -> ParseOutcome {
            bool numeric = false;
            const std::int64_t killmailId = id.toLongLong(&numeric);
            if (!numeric) {
                throw FieldError(QStringLiteral("'%1' is not a killmail id").arg(id.left(40)).toStdString());
            }
            std::string_view hash;
            if (value.get(hash) == simdjson::SUCCESS) {
                return referenceOf(killmailId, toQString(hash), id, id);
            }
            simdjson::dom::object body;
            if (value.get(body) != simdjson::SUCCESS) {
                throw FieldError(
                    QStringLiteral("expected a hash or a killmail, got %1").arg(typeName(value)).toStdString());
            }
            ParseOutcome outcome = withBody(body, QString(), QString(), std::nullopt);
            if (const auto* parsed = std::get_if<ParsedKillmail>(&outcome);
                parsed && parsed->killmail.killmailId != killmailId) {
                throw FieldError(QStringLiteral("key %1 holds killmail %2")
                                     .arg(killmailId)
                                     .arg(parsed->killmail.killmailId)
                                     .toStdString());
            }
            return outcome;
        }));
    }
}

/// Why `json` is not JSON. Qt's parser names the byte where it went wrong, which simdjson does not.
QString malformedJson(QByteArrayView json, simdjson::error_code code)
{
    if (code == simdjson::NUMBER_ERROR) { // valid JSON, but a number no 64-bit integer holds: name its field
        static const QRegularExpression bigNumber(QStringLiteral(R"re("([^"]{1,64})"\s*:\s*(-?[0-9]{19,}))re"));
        auto matches = bigNumber.globalMatch(QString::fromUtf8(json));
        while (matches.hasNext()) {
            const QRegularExpressionMatch match = matches.next();
            bool fits = false;
            (void)(match.captured(2).startsWith(u'-') ? match.captured(2).toLongLong(&fits)
                                                      : qint64(match.captured(2).toULongLong(&fits)));
            if (!fits) {
                return QStringLiteral("%1: expected an integer, got %2")
                    .arg(match.captured(1), match.captured(2).left(40));
            }
        }
    }
    QJsonParseError error{};
    QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError) {
        return QStringLiteral("malformed JSON at byte %1: %2").arg(error.offset).arg(error.errorString());
    }
    return QStringLiteral("malformed JSON: %1").arg(QString::fromUtf8(simdjson::error_message(code)));
}

/// The root of `json`, valid until this thread parses another document (the parser keeps its buffers), or why
/// `json` is not JSON.
std::variant<element, QString> parseRoot(QByteArrayView json)
{
    thread_local simdjson::dom::parser parser;
    element root;
    if (const auto code = parser.parse(json.data(), std::size_t(json.size())).get(root); code != simdjson::SUCCESS) {
        return malformedJson(json, code);
    }
    return root;
}

/// The one outcome of a document that must be a single killmail object.
ParseOutcome parseSingleObject(QByteArrayView json, const QString& origin,
                               const std::function<ParseOutcome(simdjson::dom::object)>& parse)
{
    auto root = parseRoot(json);
    if (const auto* problem = std::get_if<QString>(&root)) {
        return ParseError{origin, *problem};
    }
    simdjson::dom::object object;
    if (std::get<element>(root).get(object) != simdjson::SUCCESS) {
        return ParseError{origin,
                          QStringLiteral("expected a killmail object, got %1").arg(typeName(std::get<element>(root)))};
    }
    return guarded(origin, [&] { return parse(object); });
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
    auto parsedRoot = parseRoot(json);
    if (const auto* problem = std::get_if<QString>(&parsedRoot)) {
        return {ParseError{origin, *problem}};
    }
    const element root = std::get<element>(parsedRoot);
    std::vector<ParseOutcome> outcomes;
    if (simdjson::dom::array array; root.get(array) == simdjson::SUCCESS) {
        outcomes.reserve(array.size());
        std::size_t index = 0;
        for (const element value : array) {
            const QString where = indexed(origin, index++);
            simdjson::dom::object object;
            if (value.get(object) != simdjson::SUCCESS) {
                outcomes.emplace_back(
                    ParseError{where, QStringLiteral("expected a killmail object, got %1").arg(typeName(value))});
                continue;
            }
            outcomes.push_back(guarded(where, [&] { return parseShape(object); }));
        }
        return outcomes;
    }
    simdjson::dom::object object;
    if (root.get(object) != simdjson::SUCCESS) {
        return {ParseError{origin, QStringLiteral("expected a killmail object, got a scalar")}};
    }
    if (isHistoryDayFile(object)) {
        parseHistoryDay(object, origin, outcomes);
        return outcomes;
    }
    outcomes.push_back(guarded(origin, [&] { return parseShape(object); }));
    return outcomes;
}

ParseOutcome KillmailParser::parseObject(const QJsonObject& object, const QString& origin)
{
    return parseSingleObject(QJsonDocument(object).toJson(QJsonDocument::Compact), origin, parseShape);
}

ParseOutcome KillmailParser::parseEsiBody(QByteArrayView json, const QString& hash, const QString& origin)
{
    return parseSingleObject(json, origin, [&hash](simdjson::dom::object body) {
        return withBody(body, hash, QStringLiteral("hash"), std::nullopt);
    });
}

} // namespace km
