#pragma once

#include "model/Killmail.h"

#include <QList>
#include <QString>

namespace km {

class Database;

/**
 * PostgreSQL notifications of stored killmails, for consoles attached to engines that share the database: sent in
 * the storing transaction, so a listener hears of a killmail only once it is committed. SQLite has no listeners;
 * nothing is sent there.
 */
class StoredKillmailNotices {
public:
    /// Lower-case: PostgreSQL folds unquoted channel names.
    static constexpr const char* channel = "killmail_stored";

    /// Announces `ids` (within the caller's transaction, if one is open).
    static void send(Database& database, const QList<KillmailId>& ids);
    /// The IDs a notification's payload names; malformed parts are skipped.
    static QList<KillmailId> read(const QString& payload);

private:
    /// PostgreSQL refuses payloads of 8000 bytes or more.
    static constexpr qsizetype maxPayload = 7000;
};

} // namespace km
