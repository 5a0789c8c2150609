// The local live feed: what a WebSocket client sends (EVE-KILL's subscribe/unsubscribe/ping messages or plain topic
// lists, zKillboard's sub/unsub actions) and the topic names themselves. The input's first byte picks the protocol;
// each following line is one message.
#include "FuzzSupport.h"

#include "feed/FeedCounters.h"
#include "feed/FeedSettings.h"
#include "feed/FeedTopic.h"
#include "feed/WebSocketFeedClient.h"

#include <QWebSocket>

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    if (size == 0) {
        return 0;
    }
    static const FeedSettings settings;
    static FeedCounters counters;
    const auto protocol =
        data[0] % 2 == 0 ? WebSocketFeedClient::Protocol::EveKill : WebSocketFeedClient::Protocol::Zkillboard;
    const QList<QByteArray> messages = fuzz::bytes(data + 1, size - 1).split('\n');

    // An unconnected socket: the client's answers go nowhere, what it makes of each message is what is tested.
    auto* socket = new QWebSocket;
    WebSocketFeedClient client(socket, protocol, QStringLiteral("fuzz"), settings, counters);
    client.start();
    for (const QByteArray& message : messages) {
        Q_EMIT socket->textMessageReceived(QString::fromUtf8(message));
        fuzz::require(client.replayWanted() >= 0 && client.replayWanted() <= settings.maxReplay,
                      "a replay is bounded by the feed's limit", QString::number(client.replayWanted()));

        const QString name = QString::fromUtf8(message);
        for (const std::optional<FeedTopic>& topic :
             {FeedTopic::parse(name), FeedTopic::parseZkillboardChannel(name)}) {
            if (topic) {
                [[maybe_unused]] const bool matches = topic->matches(FeedKill{});
            }
        }
        parseIskAmount(name);
    }
    return 0;
}
