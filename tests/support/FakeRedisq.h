#pragma once

#include "FakeHttpServer.h"
#include "Fixtures.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <chrono>

namespace km::test {

/**
 * A RedisQ server over real HTTP/1.1 (see FakeHttpServer). It keeps a queue of packages per queueID.
 * GET /listen.php?queueID=<id>&ttw=<1..10> takes the next package of that queue (or none) and answers 302 to
 * /object.php?objectID=<n>, which serves `{"package": ...}` once, as the real server does. A request without a
 * queueID or a valid ttw gets 400 with a JSON explanation.
 *
 * As the real server, it holds a quiet poll (no package waiting) for its ttw seconds before it answers (a package
 * pushed meanwhile waits for the next poll); holdAnswers() delays every answer on top. While an answer of a queue is
 * held, another poll of that queue is answered 429 and counted as overlapping, as the real server refuses a second
 * request in flight per queueID. Scripted answers (hangs included) do not count as open polls.
 */
class FakeRedisq : public FakeHttpServer {
    Q_OBJECT
public:
    explicit FakeRedisq(QObject* parent = nullptr);

    /// Queues what the next `{"package": ...}` of `queueId` holds (any JSON, so malformed packages can be served).
    void push(const QString& queueId, const QJsonValue& package);
    /// Packages of `queueId` not yet taken by a poll.
    [[nodiscard]] int waiting(const QString& queueId) const;
    /// Delays every answer by `hold`, as a server holding polls open would.
    void holdAnswers(std::chrono::milliseconds hold);
    /// Polls that came while an answer to the same queueID was still held.
    [[nodiscard]] int overlappingPolls() const;

    /// An older server's package: killID, the embedded ESI killmail and zkb.
    static QJsonObject packageWithKillmail(const EsiFixture& fixture);
    /// The current package: killID and zkb (hash and ESI href), without the killmail.
    static QJsonObject packageWithoutKillmail(const EsiFixture& fixture);

protected:
    Answer route(const Request& request) override;
    std::optional<Answer> preempt(const Request& request) override;
    void clearCounters() override;

private:
    Answer listen(const Request& request);
    Answer object(const Request& request);
    void holdOpen(const QString& queueId, std::chrono::milliseconds held);

    QHash<QString, QList<QJsonValue>> m_queues;
    /// objectID -> the queueID it was made for and the answer it serves.
    QHash<QString, QPair<QString, QByteArray>> m_objects;
    QHash<QString, QDeadlineTimer> m_openUntil;
    std::chrono::milliseconds m_hold{0};
    int m_nextObjectId = 1;
    int m_overlapping = 0;
};

} // namespace km::test
