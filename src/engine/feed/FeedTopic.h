#pragma once

#include "feed/FeedKill.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace km {

/**
 * One subscription: what a kill must have to be sent. Parsed from the EVE-KILL style topic names (`all`, `10b`,
 * `isk:250m`, `highsec`, `victim.123`, `region:10000002`, ...) or from zKillboard's channel names
 * (`killstream`, `character:123`, `label:solo`, `total_value:10b+`, ...).
 */
struct FeedTopic {
    enum class Kind {
        All,
        MinimumValue,
        Solo,
        Npc,
        Awox,
        Pvp,
        Highsec,
        Lowsec,
        Nullsec,
        Wormhole,
        Abyssal,
        Pochven,
        Capitals,
        Citadel,
        ShipGroup,
        ShipType,
        Character,
        Corporation,
        Alliance,
        Faction,
        Entity,
        System,
        Constellation,
        Region,
        Label,
    };
    /// For the people and ships: which side of the kill they must be on.
    enum class Side { Any, Victim, Attacker };

    Kind kind = Kind::All;
    Side side = Side::Any;
    qint64 id = 0;
    double amount = 0;
    QString label;

    [[nodiscard]] bool matches(const FeedKill& kill) const;

    /// An EVE-KILL style topic; nullopt when `name` is none.
    static std::optional<FeedTopic> parse(const QString& name);
    /// A zKillboard channel; nullopt when `name` is none.
    static std::optional<FeedTopic> parseZkillboardChannel(const QString& name);
    /// The topic names (with placeholders) a client is told on connect.
    static QStringList validTopics();
};

/// "250m", "5b", "1.5t", "10000": ISK with an optional k/m/b/t unit; nullopt when not an amount.
std::optional<double> parseIskAmount(QString text);

} // namespace km
