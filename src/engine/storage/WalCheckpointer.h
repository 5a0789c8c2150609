#pragma once

#include "storage/DatabaseUrl.h"

#include <QThread>

#include <chrono>

namespace km {

/**
 * Keeps an SQLite database's write-ahead log small while the engine runs: on a thread of its own, looks at the
 * log's size four times a second and, once it passes a few megabytes, copies it into the database and truncates it
 * (`PRAGMA wal_checkpoint(TRUNCATE)`). SQLite's own automatic checkpoint only copies (the file keeps the largest
 * size it ever had), and it is set high so that bulk imports write each page fewer times: under a steady feed of
 * small transactions, the log reached tens of megabytes for a database of a few. Does nothing on PostgreSQL.
 */
class WalCheckpointer {
public:
    explicit WalCheckpointer(const DatabaseUrl& url);
    /// Stops the thread; its connection is closed there.
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Often enough that a burst of writes (a backfill, a feed catching up) adds little before the next look.
    static constexpr std::chrono::milliseconds interval{250};
    /// SQLite's own default checkpoint interval (1000 pages of 4 KiB), rounded up.
    static constexpr qint64 limit = qint64(4) * 1024 * 1024;

private:
    QThread m_thread;
};

} // namespace km
