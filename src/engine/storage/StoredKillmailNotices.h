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
    /// A killmail stored, and the source it came from ("r2z2", "backfill:zkillboard", ...).
    struct Notice {
        KillmailId killmailId = 0;
        QString source;
        friend bool operator==(const Notice&, const Notice&) = default;
    };

    /// Lower-case: PostgreSQL folds unquoted channel names.
    static constexpr const char* channel = "killmail_stored";

    /// Announces `notices` (within the caller's transaction, if one is open).
    static void send(Database& database, const QList<Notice>& notices);
    /// The notices in a notification's payload ("id:source,..."); malformed parts are skipped.
    static QList<Notice> read(const QString& payload);

private:
    /// PostgreSQL refuses payloads of 8000 bytes or more.
    static constexpr qsizetype maxPayload = 7000;
};

} // namespace km
