#include "storage/StoredKillmailNotices.h"

#include "storage/Database.h"
#include "storage/PgResult.h"

namespace km {

void StoredKillmailNotices::send(Database& database, const QList<KillmailId>& ids)
{
    if (database.backend() != Backend::Postgres || ids.isEmpty()) {
        return;
    }
    QByteArray payload;
    const auto flush = [&] {
        pg::exec(database.postgresHandle(), "SELECT pg_notify($1, $2)", {channel, payload},
                 "announce stored killmails");
        payload.clear();
    };
    for (const KillmailId id : ids) {
        if (payload.size() > maxPayload) {
            flush();
        }
        if (!payload.isEmpty()) {
            payload += ',';
        }
        payload += QByteArray::number(id);
    }
    flush();
}

QList<KillmailId> StoredKillmailNotices::read(const QString& payload)
{
    QList<KillmailId> ids;
    for (const QStringView part : QStringView(payload).split(u',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const KillmailId id = part.toLongLong(&ok);
        if (ok && id > 0) {
            ids.append(id);
        }
    }
    return ids;
}

} // namespace km
