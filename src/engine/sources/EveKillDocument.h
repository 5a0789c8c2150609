#pragma once

#include "model/Killmail.h"

#include <QJsonValue>
#include <QString>

#include <optional>

namespace km {

/**
 * EVE-KILL's killmail documents: its own shape, not ESI's (`killmail_id`, `killmail_hash`, `kill_time`, `victim`,
 * `attackers`, values, names...). Only the ID and the hash are read; the body is fetched from ESI by hash.
 */
class EveKillDocument {
public:
    /// The ID and hash of one document; nullopt with `problem` naming the field when either is missing or invalid.
    static std::optional<KillmailReference> reference(const QJsonValue& document, QString& problem);
    /**
     * The ID and hash carried by the `data` of a WebSocket `killmail` message: `{"killmail": {document},
     * "routingKeys": [...]}`, or the document itself (older servers).
     */
    static std::optional<KillmailReference> fromKillmailMessage(const QJsonValue& data, QString& problem);
};

} // namespace km
