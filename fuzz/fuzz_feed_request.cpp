// The local live feed's HTTP server: the request head a peer sends before it is served (/events, /health, the
// overlay) or handed on as a WebSocket upgrade, and what the server reads from it (path, query, token, upgrade).
#include "FuzzSupport.h"

#include "feed/FeedSettings.h"
#include "feed/RequestHead.h"

#include <QUrlQuery>

#include <algorithm>

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    static const qsizetype maxHeadBytes = FeedSettings().maxIncomingBytes;
    const QByteArray received = fuzz::bytes(data, size);
    const RequestHeadReading reading = readRequestHead(received, maxHeadBytes);
    const qsizetype end = received.indexOf("\r\n\r\n");
    using Outcome = RequestHeadReading::Outcome;
    fuzz::require(reading.head.has_value() == (reading.outcome == Outcome::Complete),
                  "a head comes only when complete");
    fuzz::require((reading.outcome == Outcome::TooLong) == ((end < 0 || end > maxHeadBytes) && size > maxHeadBytes),
                  "a head is too long only past the limit");
    if (!reading.head) {
        return 0;
    }
    const RequestHead& head = *reading.head;
    fuzz::require(!head.method.isEmpty(), "a complete head has a method", QString::fromLatin1(received.left(200)));
    for (auto it = head.headers.cbegin(); it != head.headers.cend(); ++it) {
        const bool token = !it.key().isEmpty() && std::all_of(it.key().cbegin(), it.key().cend(), [](char c) {
            return c > ' ' && c < 0x7f && (c < 'A' || c > 'Z');
        });
        fuzz::require(token, "a header name is a lower-case token", QString::fromLatin1(it.key()));
        const bool oneLine = std::none_of(it.value().cbegin(), it.value().cend(),
                                          [](char c) { return c == '\r' || c == '\n' || c == 0; });
        fuzz::require(oneLine, "a header value is one line", QString::fromLatin1(it.value()));
    }
    // What FeedServer::serve() and authorised() read from the head.
    const QString path = head.url.path();
    const QUrlQuery query(head.url);
    const QStringList topics =
        query.queryItemValue(QStringLiteral("topics"), QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    const int replay = query.queryItemValue(QStringLiteral("replay")).toInt();
    const QByteArray token = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    const bool upgrade = head.headers.value("upgrade").toLower() == "websocket";
    const QByteArray bearer = head.headers.value("authorization").mid(7).trimmed();
    Q_UNUSED(path)
    Q_UNUSED(topics)
    Q_UNUSED(replay)
    Q_UNUSED(token)
    Q_UNUSED(upgrade)
    Q_UNUSED(bearer)
    return 0;
}
