// EVE-KILL: a WebSocket message (`{"type": "killmail", "data": ...}`) and a page of the export API.
#include "FuzzSupport.h"

#include "parse/KillmailParser.h"
#include "sources/EveKillBackfill.h"
#include "sources/EveKillDocument.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace km;

namespace {

void check(const std::optional<KillmailReference>& reference, const QString& problem)
{
    fuzz::require(reference.has_value() != !problem.isEmpty(), "a document is read, or refused with a reason", problem);
    if (reference) {
        fuzz::require(reference->killmailId > 0 && KillmailParser::isValidHash(reference->hash),
                      "a document gives an ID and a hash", reference->hash);
    }
}

} // namespace

KILLMAIL_FUZZ_TARGET(data, size)
{
    const HttpReply reply = fuzz::okReply(data, size);
    QString problem;
    check(EveKillDocument::fromKillmailMessage(QJsonDocument::fromJson(reply.body).object().value(u"data"), problem),
          problem);

    problem.clear();
    const std::optional<EveKillBackfill::Page> page = EveKillBackfill::readPage(reply, 0, 100, problem);
    fuzz::require(page.has_value() != !problem.isEmpty(), "a page is read, or refused with a reason", problem);
    if (page) {
        fuzz::require(page->size == qint64(page->killmails.size()) + page->rejected.size(),
                      "each document of a page is queued or refused");
        fuzz::require(!page->total || *page->total >= 0, "a page's total is a count");
        for (const KillmailJob& job : page->killmails) {
            check(KillmailReference{job.killmailId, job.hash}, {});
        }
    }
    return 0;
}
