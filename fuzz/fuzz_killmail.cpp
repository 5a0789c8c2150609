// Killmails in every shape a source or a file brings: ESI bodies, zKillboard API objects, R2Z2 records, RedisQ
// packages, EVE Ref archive entries, EVE-KILL documents, arrays of them and zKillboard history day files.
#include "FuzzSupport.h"

#include "parse/KillmailParser.h"

namespace {

using namespace km;

void check(const ParseOutcome& outcome, const QString& origin)
{
    if (const auto* error = std::get_if<ParseError>(&outcome)) {
        fuzz::require(!error->message.isEmpty(), "a refusal names what was wrong", error->where);
        fuzz::require(error->where.startsWith(origin), "a refusal names its document", error->toString());
    } else if (const auto* parsed = std::get_if<ParsedKillmail>(&outcome)) {
        fuzz::require(parsed->killmail.killmailId > 0, "a killmail has an ID");
    } else {
        const auto& reference = std::get<KillmailReference>(outcome);
        fuzz::require(reference.killmailId > 0 && KillmailParser::isValidHash(reference.hash),
                      "a reference has an ID and a hash", reference.hash);
    }
}

} // namespace

KILLMAIL_FUZZ_TARGET(data, size)
{
    const QByteArray json = fuzz::bytes(data, size);
    const QString origin = QStringLiteral("fuzz.json");
    for (const ParseOutcome& outcome : KillmailParser::parseDocument(json, origin)) {
        check(outcome, origin);
    }
    // The body of a kill fetched from ESI by the hash in its URL
    check(KillmailParser::parseEsiBody(json, QStringLiteral("0123456789abcdef0123456789abcdef01234567"), origin),
          origin);
    return 0;
}
