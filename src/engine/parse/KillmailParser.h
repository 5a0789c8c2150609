#pragma once

#include "model/Killmail.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace km {

/// A killmail with its body, as parsed from any source shape.
struct ParsedKillmail {
    Killmail killmail;
    std::optional<ZkbSummary> zkb;
};

/// Why one document (or one entry of it) was refused. `where` names the file and entry, `message` the field.
struct ParseError {
    QString where;
    QString message;

    [[nodiscard]] QString toString() const
    {
        return where.isEmpty() ? message : where + QStringLiteral(": ") + message;
    }
};

using ParseOutcome = std::variant<ParsedKillmail, KillmailReference, ParseError>;

/**
 * Turns every killmail shape a consumer meets into the model:
 * bare ESI body, zKillboard API object (ESI + `zkb`), RedisQ package (`{"package": ...}` or its content,
 * with or without the embedded killmail), R2Z2 record (`esi` + `zkb`), EVE Ref archive entry (ESI +
 * `killmail_hash`), EVE-KILL document (`killmail_id` + `killmail_hash`, a reference only), arrays of any of
 * them, and zKillboard history day files (`{"<id>": "<hash>"}` or `{"<id>": {ESI}}`).
 */
class KillmailParser {
public:
    /// Parses a whole file or message. `origin` prefixes every error (a file name, a URL).
    static std::vector<ParseOutcome> parseDocument(const QByteArray& json, const QString& origin);
    /// Parses one JSON object of any single-killmail shape.
    static ParseOutcome parseObject(const QJsonObject& object, const QString& origin);
    /// Parses a bare ESI killmail body whose hash is known from elsewhere (the URL it was fetched from).
    static ParseOutcome parseEsiBody(QByteArrayView json, const QString& hash, const QString& origin);
    /// True when `hash` is a killmail hash ESI can accept (40 hex digits), or CCP's marker for regenerated mails.
    static bool isValidHash(const QString& hash);
};

} // namespace km
