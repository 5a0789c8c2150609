#pragma once

#include "feed/FeedClient.h"

class QTcpSocket;

namespace km {

/**
 * A Server-Sent Events client (`GET /events?topics=a,b&replay=N`): events `connected`, `killmail` (the data object,
 * `"replay":true` for a recent kill sent on connect) and `heartbeat` every ping interval.
 */
class SseFeedClient final : public FeedClient {
    Q_OBJECT
public:
    SseFeedClient(QTcpSocket* socket, const QString& clientId, const FeedSettings& settings, FeedCounters& counters,
                  QObject* parent = nullptr);
    ~SseFeedClient() override;

    /// Subscribes to `topics` and opens the stream; otherwise the problem (the caller answers 400).
    QString start(const QStringList& topics, int replay);
    void close();

protected:
    [[nodiscard]] QByteArray messageFor(const FeedKill& kill, bool replay) const override;
    void write(const QByteArray& message) override;
    [[nodiscard]] qint64 socketBacklog() const override;
    void ping() override;
    void closeSlow() override;
    void closeSilent() override;

private:
    QTcpSocket* m_socket;
    QString m_clientId;
};

} // namespace km
