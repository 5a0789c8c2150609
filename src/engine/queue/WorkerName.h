#pragma once

#include <QString>

namespace km {

/**
 * The name a queue runner holds its jobs under, "host:pid:queue:n": unique to one runner of one process, and
 * telling which process that is, so that the jobs of a process that has ended can be taken back at once rather
 * than when their leases run out.
 */
class WorkerName {
public:
    /// A fresh name for a runner of `queue` in this process.
    static QString unique(const QString& queue);
    /// The name of runner `number` of `queue` in process `pid` of this host.
    static QString of(qint64 pid, const QString& queue, int number);
    /**
     * Whether `worker` names a process of this host that is no longer running. False when that cannot be known: a
     * name of another host or of another form, or this very process (another of its runners, or a process before it
     * that had the same ID). A process that took the ID of an ended one keeps its jobs until their leases run out.
     */
    static bool hasEnded(const QString& worker);
};

} // namespace km
