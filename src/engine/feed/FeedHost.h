#pragma once

#include "feed/FeedCounters.h"
#include "feed/FeedSettings.h"
#include "storage/DatabaseUrl.h"

#include <QThread>
#include <QUrl>

#include <memory>
#include <optional>

namespace km {

class FeedServer;

/**
 * Runs a FeedServer on its own thread, so that the feed's sockets and its database reads never run on the
 * owner's (the GUI's) thread. Connect kills to server() (queued, as it lives on that thread).
 */
class FeedHost {
public:
    FeedHost(FeedSettings settings, std::optional<DatabaseUrl> database);
    /// Closes every connection on the feed's thread, then ends the thread.
    ~FeedHost();
    FeedHost(const FeedHost&) = delete;
    FeedHost& operator=(const FeedHost&) = delete;

    /// Starts the thread and listens; false with `error` set when the server cannot listen.
    bool start(QString& error);

    [[nodiscard]] FeedServer* server() const { return m_server; }
    [[nodiscard]] QUrl url() const { return m_url; }
    [[nodiscard]] const FeedCounters& counters() const { return *m_counters; }

private:
    void stop();

    /// The thread that made the host (the GUI's), the one that starts and stops it.
    QThread* const m_owner = QThread::currentThread();
    QThread m_thread;
    std::shared_ptr<FeedCounters> m_counters;
    FeedServer* m_server;
    QUrl m_url;
};

} // namespace km
