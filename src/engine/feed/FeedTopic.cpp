#include "feed/FeedTopic.h"

#include "feed/SpaceClass.h"
#include "valuation/EveIds.h"

#include <QHash>

#include <cmath>

namespace km {
namespace {

using Kind = FeedTopic::Kind;
using Side = FeedTopic::Side;

/// Carriers, dreadnoughts (and lancers), force auxiliaries, supercarriers, titans, capital industrial ships.
const QSet<int> capitalGroups{547, 485, 4594, 1538, 659, 30, 883};

const QHash<QString, Kind>& namedTopics()
{
    static const QHash<QString, Kind> topics{
        {QStringLiteral("all"), Kind::All},         {QStringLiteral("solo"), Kind::Solo},
        {QStringLiteral("npc"), Kind::Npc},         {QStringLiteral("awox"), Kind::Awox},
        {QStringLiteral("pvp"), Kind::Pvp},         {QStringLiteral("highsec"), Kind::Highsec},
        {QStringLiteral("lowsec"), Kind::Lowsec},   {QStringLiteral("nullsec"), Kind::Nullsec},
        {QStringLiteral("wspace"), Kind::Wormhole}, {QStringLiteral("abyssal"), Kind::Abyssal},
        {QStringLiteral("pochven"), Kind::Pochven}, {QStringLiteral("capitals"), Kind::Capitals},
        {QStringLiteral("citadel"), Kind::Citadel},
    };
    return topics;
}

const QHash<QString, Kind>& idTopics()
{
    static const QHash<QString, Kind> topics{
        {QStringLiteral("group"), Kind::ShipGroup},     {QStringLiteral("ship"), Kind::ShipType},
        {QStringLiteral("character"), Kind::Character}, {QStringLiteral("corporation"), Kind::Corporation},
        {QStringLiteral("alliance"), Kind::Alliance},   {QStringLiteral("faction"), Kind::Faction},
        {QStringLiteral("system"), Kind::System},       {QStringLiteral("constellation"), Kind::Constellation},
        {QStringLiteral("region"), Kind::Region},
    };
    return topics;
}

std::optional<qint64> positiveId(const QString& text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    return ok && id > 0 ? std::optional(id) : std::nullopt;
}

std::optional<FeedTopic> idTopic(Kind kind, const QString& text, Side side = Side::Any)
{
    const auto id = positiveId(text);
    if (!id) {
        return std::nullopt;
    }
    FeedTopic topic;
    topic.kind = kind;
    topic.side = side;
    topic.id = *id;
    return topic;
}

std::optional<FeedTopic> valueTopic(double amount)
{
    FeedTopic topic;
    topic.kind = Kind::MinimumValue;
    topic.amount = amount;
    return topic;
}

bool onSide(const FeedKill& kill, Side side, const auto& test)
{
    return (side != Side::Attacker && test(kill.victim)) || (side != Side::Victim && test(kill.attackers));
}

} // namespace

std::optional<double> parseIskAmount(QString text)
{
    text = text.trimmed().toLower();
    double unit = 1;
    if (!text.isEmpty()) {
        const QChar last = text.back();
        const QHash<QChar, double> units{{u'k', 1e3}, {u'm', 1e6}, {u'b', 1e9}, {u't', 1e12}};
        if (units.contains(last)) {
            unit = units.value(last);
            text.chop(1);
        }
    }
    bool ok = false;
    const double number = text.toDouble(&ok);
    if (!ok || number < 0 || !std::isfinite(number)) {
        return std::nullopt;
    }
    return number * unit;
}

std::optional<FeedTopic> FeedTopic::parse(const QString& name)
{
    const QString text = name.trimmed().toLower();
    if (const auto named = namedTopics().constFind(text); named != namedTopics().cend()) {
        FeedTopic topic;
        topic.kind = *named;
        return topic;
    }
    if (text == QLatin1StringView("5b") || text == QLatin1StringView("10b")) {
        return valueTopic(*parseIskAmount(text));
    }
    if (text.startsWith(QLatin1StringView("isk:"))) {
        if (const auto amount = parseIskAmount(text.mid(4))) {
            return valueTopic(*amount);
        }
        return std::nullopt;
    }
    // victim.ID / attacker.ID: anyone (character, corporation, alliance) on that side.
    for (const auto& [prefix, side] : {std::pair{QLatin1StringView("victim."), Side::Victim},
                                       std::pair{QLatin1StringView("attacker."), Side::Attacker}}) {
        if (text.startsWith(prefix)) {
            return idTopic(Kind::Entity, text.mid(prefix.size()), side);
        }
    }
    // kind:ID, or Thessia's kind.ID.
    const qsizetype separator = std::max(text.indexOf(u':'), text.indexOf(u'.'));
    const auto kind = idTopics().constFind(text.left(separator));
    if (separator < 0 || kind == idTopics().cend()) {
        return std::nullopt;
    }
    return idTopic(*kind, text.mid(separator + 1));
}

std::optional<FeedTopic> FeedTopic::parseZkillboardChannel(const QString& name)
{
    const QString text = name.trimmed();
    if (text == QLatin1StringView("killstream") || text == QLatin1StringView("all:*")
        || text == QLatin1StringView("label:all")) {
        return FeedTopic{};
    }
    if (text.startsWith(QLatin1StringView("label:"))) {
        FeedTopic topic;
        topic.kind = Kind::Label;
        topic.label = text.mid(6);
        return topic.label.isEmpty() ? std::nullopt : std::optional(topic);
    }
    if (text.startsWith(QLatin1StringView("total_value:")) && text.endsWith(u'+')) {
        if (const auto amount = parseIskAmount(text.mid(12).chopped(1))) {
            return valueTopic(*amount);
        }
        return std::nullopt;
    }
    const qsizetype colon = text.indexOf(u':');
    const auto kind = idTopics().constFind(text.left(colon));
    if (colon < 0 || kind == idTopics().cend()) {
        return std::nullopt;
    }
    return idTopic(*kind, text.mid(colon + 1));
}

QStringList FeedTopic::validTopics()
{
    return {QStringLiteral("all"),
            QStringLiteral("5b"),
            QStringLiteral("10b"),
            QStringLiteral("isk:<amount>"),
            QStringLiteral("solo"),
            QStringLiteral("npc"),
            QStringLiteral("awox"),
            QStringLiteral("pvp"),
            QStringLiteral("highsec"),
            QStringLiteral("lowsec"),
            QStringLiteral("nullsec"),
            QStringLiteral("wspace"),
            QStringLiteral("abyssal"),
            QStringLiteral("pochven"),
            QStringLiteral("capitals"),
            QStringLiteral("citadel"),
            QStringLiteral("group:<id>"),
            QStringLiteral("ship:<id>"),
            QStringLiteral("victim.<id>"),
            QStringLiteral("attacker.<id>"),
            QStringLiteral("character:<id>"),
            QStringLiteral("corporation:<id>"),
            QStringLiteral("alliance:<id>"),
            QStringLiteral("faction:<id>"),
            QStringLiteral("system:<id>"),
            QStringLiteral("constellation:<id>"),
            QStringLiteral("region:<id>")};
}

bool FeedTopic::matches(const FeedKill& kill) const
{
    const SpaceClass space = spaceClassOf(kill.regionId, kill.security);
    switch (kind) {
    case Kind::All: return true;
    case Kind::MinimumValue: return kill.totalValue >= amount;
    case Kind::Solo: return kill.solo;
    case Kind::Npc: return kill.npc;
    case Kind::Awox: return kill.awox;
    case Kind::Pvp: return !kill.npc;
    case Kind::Highsec: return space == SpaceClass::Highsec;
    case Kind::Lowsec: return space == SpaceClass::Lowsec;
    case Kind::Nullsec: return space == SpaceClass::Nullsec;
    case Kind::Wormhole: return space == SpaceClass::Wormhole || space == SpaceClass::Drifter;
    case Kind::Abyssal: return space == SpaceClass::Abyssal;
    case Kind::Pochven: return space == SpaceClass::Pochven;
    case Kind::Capitals: return capitalGroups.contains(kill.victimShipGroupId);
    case Kind::Citadel: return kill.victimShipCategoryId == eve::categoryStructure;
    case Kind::ShipGroup:
        return onSide(kill, side, [this](const KillSide& s) { return s.shipGroups.contains(int(id)); });
    case Kind::ShipType: return onSide(kill, side, [this](const KillSide& s) { return s.shipTypes.contains(int(id)); });
    case Kind::Character: return onSide(kill, side, [this](const KillSide& s) { return s.characters.contains(id); });
    case Kind::Corporation:
        return onSide(kill, side, [this](const KillSide& s) { return s.corporations.contains(id); });
    case Kind::Alliance: return onSide(kill, side, [this](const KillSide& s) { return s.alliances.contains(id); });
    case Kind::Faction: return onSide(kill, side, [this](const KillSide& s) { return s.factions.contains(id); });
    case Kind::Entity:
        return onSide(kill, side, [this](const KillSide& s) {
            return s.characters.contains(id) || s.corporations.contains(id) || s.alliances.contains(id);
        });
    case Kind::System: return kill.solarSystemId == id;
    case Kind::Constellation: return kill.constellationId == id;
    case Kind::Region: return kill.regionId == id;
    case Kind::Label: return kill.labels.contains(label);
    }
    return false;
}

} // namespace km
