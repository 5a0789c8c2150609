#pragma once

#include "model/Killmail.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace km {

enum class SourceState {
    Stopped,
    /// Connecting, or asking for the first time.
    Starting,
    /// Receiving (or able to receive) killmails.
    Running,
    /// Up to date: waiting for the next killmail to be published.
    Waiting,
    /// After a failure or a refusal, until `backoffUntil`.
    BackingOff,
    /// Finished (a backfill that is done).
    Finished,
};

QString sourceStateName(SourceState state);

/// What a source or backfill reports about itself: shown by `status`, the GUI and /metrics.
struct SourceStatus {
    /// "r2z2", "redisq", "ekws", "backfill:zkillboard", ...
    QString name;
    SourceState state = SourceState::Stopped;
    /// Where it is: "sequence 96112233", "2026-11-20 (12 of 30 days)".
    QString detail;
    QDateTime backoffUntil;
    QString lastError;
    QDateTime lastErrorAt;
    KillmailId lastKillmailId = 0;
    QDateTime lastKillAt;
    /// Killmails the source delivered, and how many of them became new jobs (the rest were known already).
    qint64 received = 0;
    qint64 queued = 0;
    qint64 errors = 0;
    /// Backfills: work done out of the whole (days, pages), for progress and ETA; 0 total when unknown.
    qint64 done = 0;
    qint64 total = 0;

    [[nodiscard]] QJsonObject toJson() const;
    static SourceStatus fromJson(const QJsonObject& json);
};

} // namespace km

Q_DECLARE_METATYPE(km::SourceStatus)
