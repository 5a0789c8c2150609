#include "storage/StoredKillmailNotices.h"

#include "storage/Database.h"
#include "storage/PgResult.h"

namespace km {

void StoredKillmailNotices::send(Database& database, const QList<Notice>& notices)
{
    if (database.backend() != Backend::Postgres || notices.isEmpty()) {
        return;
    }
    QByteArray payload;
    const auto flush = [&] {
        pg::exec(database.postgresHandle(), "SELECT pg_notify($1, $2)", {channel, payload},
                 "announce stored killmails");
        payload.clear();
    };
    for (const Notice& notice : notices) {
        if (payload.size() > maxPayload) {
            flush();
        }
        if (!payload.isEmpty()) {
            payload += ',';
        }
        // Source names are ours ("r2z2", "backfill:zkillboard"): never a comma.
        payload += QByteArray::number(notice.killmailId) + ':' + notice.source.toUtf8();
    }
    flush();
}

QList<StoredKillmailNotices::Notice> StoredKillmailNotices::read(const QString& payload)
{
    QList<Notice> notices;
    for (const QStringView part : QStringView(payload).split(u',', Qt::SkipEmptyParts)) {
        const qsizetype colon = part.indexOf(u':');
        bool ok = false;
        const KillmailId id = part.left(colon).toLongLong(&ok);
        if (ok && id > 0) {
            notices.append({id, colon < 0 ? QString() : part.mid(colon + 1).toString()});
        }
    }
    return notices;
}

} // namespace km
