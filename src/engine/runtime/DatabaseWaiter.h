#pragma once

#include "sources/Backoff.h"
#include "storage/DatabaseUrl.h"

#include <QObject>
#include <QTimer>

namespace km {

/**
 * Before the engine works: opens the database and brings its schema up to date, on the thread it lives on. While the
 * server is unreachable (or the SQLite file cannot be opened) it reports why and tries again with a growing wait, so
 * that a server started before its database comes up by itself once the database does.
 */
class DatabaseWaiter : public QObject {
    Q_OBJECT
public:
    explicit DatabaseWaiter(DatabaseUrl url, QObject* parent = nullptr);

    /// Tries now and until ready() or failed(); call on the waiter's thread.
    void start();
    /// No more tries; call on the waiter's thread.
    void stop();

Q_SIGNALS:
    /// One try failed: the database cannot be reached; another follows after `retryIn`.
    void unavailable(const QString& error, std::chrono::milliseconds retryIn);
    void ready();
    /// The database answered but its schema cannot be brought up to date: trying again would not help.
    void failed(const QString& error);

private:
    void attempt();
    void retryLater(const QString& problem);

    DatabaseUrl m_url;
    Backoff m_backoff{std::chrono::seconds(1), std::chrono::seconds(30)};
    QTimer m_retry;
};

} // namespace km
