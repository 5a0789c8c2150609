#pragma once

#include "async/Waker.h"
#include "esi/EsiRateLimits.h"
#include "esi/EsiSettings.h"
#include "net/RequestStatus.h"

#include <QByteArray>
#include <QCoroTask>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace km {

/// One ESI answer, or why there is none. A 304 comes back as 200 with the cached body.
struct EsiReply {
    RequestStatus status;
    QByteArray body;
};

/// A killmail body fetched from ESI, or why not.
struct KillmailFetch {
    enum class Outcome {
        Ok,
        /// 422/404: the id and hash do not name a killmail; do not retry.
        BadHash,
        /// Retry later (the status's retryAfter when ESI said when).
        Transient,
        Failed,
    };
    RequestStatus status;
    QByteArray body;

    [[nodiscard]] Outcome outcome() const;
};

/// A JSON answer (merged over chunks for the bulk routes), or why not.
struct EsiJson {
    RequestStatus status;
    QJsonDocument json;
};

/**
 * ESI for one thread: one long-lived QNetworkAccessManager, every request admitted by the process's shared
 * EsiRateLimits first and reported to it after. Waits are coroutine timers, never a blocked thread. A 429 is
 * waited out and retried here (max429Retries); other failures come back, marked transient or not, for the
 * caller's own retry policy. GET answers with an ETag (not killmails: they never change) are cached, bounded,
 * and revalidated with If-None-Match.
 *
 * The client must outlive the coroutines it started; create one per thread that talks to ESI.
 */
class EsiClient : public QObject {
    Q_OBJECT
public:
    EsiClient(EsiSettings settings, std::shared_ptr<EsiRateLimits> limits, QObject* parent = nullptr);
    ~EsiClient() override;

    QCoro::Task<EsiReply> get(QString path);
    QCoro::Task<EsiReply> post(QString path, QByteArray jsonBody);

    /// GET /killmails/{id}/{hash}.
    QCoro::Task<KillmailFetch> fetchKillmail(qint64 id, QString hash);
    /// POST /universe/names in chunks of up to 1000 unique ids; ids ESI does not know are left out. The merged
    /// array of {id, name, category}.
    QCoro::Task<EsiJson> names(QList<qint64> ids);
    /// POST /characters/affiliation in chunks of up to 1000 unique ids; the merged array.
    QCoro::Task<EsiJson> affiliation(QList<qint64> characterIds);
    /// A GET whose answer must be JSON: /characters/{id}, /corporations/{id}, /markets/prices, ...
    QCoro::Task<EsiJson> getJson(QString path);

    /// Makes every call in progress, and every later one, end at once with a transient error (shutting down).
    void abortAll();

    [[nodiscard]] const EsiSettings& settings() const { return m_settings; }
    [[nodiscard]] EsiRateLimits& limits() const { return *m_limits; }

    static constexpr int maxIdsPerCall = 1000;

Q_SIGNALS:
    void aborted();

private:
    class EtagCache;

    /// Builds the request, awaits its admission and answer, and classifies the answer; retries 429s.
    QCoro::Task<EsiReply> send(QByteArray method, QString path, QByteArray body);
    /// True when the answer did not come within the timeout (the request is then aborted).
    QCoro::Task<bool> awaitAnswer(QNetworkReply* started);
    /// nullopt when the client was aborted while waiting.
    QCoro::Task<std::optional<EsiRateLimits::Reservation>> admission(QString path);
    QCoro::Task<EsiJson> postIds(QString path, QList<qint64> ids);
    QCoro::Task<EsiJson> resolveNames(QList<qint64> ids);

    EsiSettings m_settings;
    std::shared_ptr<EsiRateLimits> m_limits;
    QNetworkAccessManager* m_network;
    std::unique_ptr<EtagCache> m_etags;
    Waker m_waker{this};
    bool m_aborted = false;
};

} // namespace km
