// zKillboard's history files: totals.json, raw/YYYYMMDD.json (ESI bodies) and YYYYMMDD.json (hashes).
#include "FuzzSupport.h"

#include "sources/ZkbHistory.h"

using namespace km;

namespace {

void check(const HistoryAnswer& answer)
{
    fuzz::require((answer.outcome() == HistoryAnswer::Outcome::Ok) == answer.status.message.isEmpty(),
                  "a file is read, or refused with a reason", answer.status.message);
}

} // namespace

KILLMAIL_FUZZ_TARGET(data, size)
{
    static HttpClient http(HttpSettings{});
    static const ZkbHistory history(http, QUrl(QStringLiteral("http://127.0.0.1:9/")), QStringLiteral("fuzz"),
                                    Priority::Normal);
    const HttpReply reply = fuzz::okReply(data, size);
    check(ZkbHistory::readTotals(reply, QStringLiteral("totals.json")).answer);
    for (const bool raw : {true, false}) {
        const HistoryDay day = history.readDay(reply, QStringLiteral("20240101.json"), raw);
        check(day.answer);
        for (const KillmailJob& job : day.killmails) {
            fuzz::require(job.killmailId > 0 && (raw ? !job.esiBody.isEmpty() : !job.hash.isEmpty()),
                          "a day's entry has an ID and its body or hash");
        }
    }
    return 0;
}
