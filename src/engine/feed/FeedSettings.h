#pragma once

#include <QHostAddress>
#include <QString>

#include <chrono>

namespace km {

/// The local live feed (WebSocket, Server-Sent Events, overlay); port 0 switches it off.
struct FeedSettings {
    /// Loopback by default; any other address needs `token`.
    QHostAddress address{QHostAddress::LocalHost};
    quint16 port = 8765;
    /// Required from every client (`?token=` or `Authorization: Bearer`) when set; must be set off loopback.
    QString token;
    /// Connections (feed clients and page requests) open at once from one address, and in all.
    int maxConnectionsPerAddress = 32;
    int maxConnections = 1024;
    /// Messages waiting for a client; one more closes it with 1013 (it fell behind).
    int queueLimit = 256;
    /// A message a client sends, and a request head, longer than this is refused.
    qsizetype maxIncomingBytes = 16LL * 1024;
    /// Protocol pings (and SSE heartbeats) this often; a client silent for `silenceLimit` is dropped.
    std::chrono::milliseconds pingInterval{30000};
    std::chrono::milliseconds silenceLimit{60000};
    /// Bytes handed to a client's socket and not yet sent, beyond which its messages wait in its queue.
    qint64 socketBacklogBytes = 256LL * 1024;
    /// At most this many recent kills replayed on connect.
    int maxReplay = 100;
    /// How long after failing to open the database the feed tries again.
    std::chrono::milliseconds databaseRetry{30000};
};

[[nodiscard]] inline bool needsToken(const QHostAddress& address) { return !address.isLoopback(); }

} // namespace km
