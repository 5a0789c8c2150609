#pragma once

#include "sources/Backoff.h"
#include "sources/Source.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace km {

struct HttpReply;

struct EveKillBackfillSettings {
    QUrl baseUrl{QStringLiteral("https://eve-kill.com")};
    /// The killmails wanted: those where any of these is the victim or one of the attackers. At least one is needed.
    QList<qint64> characters;
    QList<qint64> corporations;
    QList<qint64> alliances;
    /// Killmails asked for per page (EVE-KILL serves 10,000 at most).
    int pageSize = 1000;
    /// Malformed answers in a row for one page after which the backfill stops unfinished.
    int malformedRetries = 3;
    std::chrono::milliseconds backoffInitial{std::chrono::seconds(1)};
    std::chrono::milliseconds backoffMax{std::chrono::minutes(5)};
};

/**
 * Backfill from EVE-KILL's export API, for chosen characters, corporations and alliances:
 * `POST <base>/api/export/killmails` with `{"filter": {"character_ids": [...], "corporation_ids": [...],
 * "alliance_ids": [...]}, "options": {"limit": N, "skip": M}}`. That filter document is EVE-KILL's own: a killmail
 * matches when any listed entity is its victim or one of its attackers; empty lists are left out (the server
 * refuses them). The export has no date filter, so neither has this backfill. The answer, newest kill first, is
 * `{"data": [{"killmail_id", "killmail_hash"}, ...], "pagination": {"limit", "skip", "returned", "hasMore"},
 * "total"}` (a bare array of documents is read too); without `hasMore`, a page shorter than asked is the last.
 *
 * Each page's killmails are queued by ID and hash at NORMAL priority (those stored or queued already are counted,
 * not queued again) in one transaction with the cursor `{"filter": <fingerprint>, "skip": <next>}`: a re-run with
 * the same filter resumes at the next page, another filter starts over. Kills made while paging push the older
 * ones down, so a page may repeat a few of the one before (counted, not queued twice); none is missed.
 */
class EveKillBackfill : public Source {
    Q_OBJECT
public:
    static inline const QString sourceName = QStringLiteral("backfill:eve-kill");

    EveKillBackfill(EveKillBackfillSettings settings, SourceContext context, QObject* parent = nullptr);

    /// The filter document sent (entities sorted, duplicates left out); empty when no entity was given.
    [[nodiscard]] QJsonObject filter() const;
    /// Names the filter in the saved cursor: the same entities in any order give the same fingerprint.
    [[nodiscard]] QString filterFingerprint() const;

    struct Page {
        std::vector<KillmailJob> killmails;
        /// Documents on the page, rejected ones included: how far the next page skips.
        qint64 size = 0;
        bool last = false;
        /// Killmails matching the filter, when the server says.
        std::optional<qint64> total;
        /// Each document that could not be read, and why.
        QStringList rejected;
    };
    /// The export page in `reply` (pages of `pageSize`, after the first `skip` killmails); nullopt with `problem` set
    /// when it is malformed.
    static std::optional<Page> readPage(const HttpReply& reply, qint64 skip, int pageSize, QString& problem);

protected:
    QCoro::Task<> run() override;

private:
    /// Where to start: the saved skip when the cursor is this filter's, else 0; nullopt when stopping.
    QCoro::Task<std::optional<qint64>> startingSkip(QString fingerprint);
    [[nodiscard]] QByteArray request(const QJsonObject& filter, qint64 skip) const;

    EveKillBackfillSettings m_settings;
    Backoff m_backoff;
};

} // namespace km
