#pragma once

#include "sources/SourceStatus.h"

#include <QList>
#include <QString>

#include <optional>

namespace km {

class Database;

/// A source's saved status with when it was saved (to tell a running server's report from a stale one).
struct SavedSourceStatus {
    SourceStatus status;
    QDateTime savedAt;
};

/**
 * The `source_state` table: each source's resume cursor (R2Z2's sequence, a backfill's finished days, ...) and its
 * last reported status. Writes join the caller's transaction when one is open, so a cursor can move together
 * with the jobs it produced.
 */
class SourceStateStore {
public:
    explicit SourceStateStore(Database& database);

    [[nodiscard]] std::optional<QString> cursor(const QString& source);
    void saveCursor(const QString& source, const QString& cursor);
    void saveStatus(const SourceStatus& status);
    /// Every saved status, by source name.
    [[nodiscard]] QList<SavedSourceStatus> statuses();

private:
    void upsert(const QString& source, const char* column, const QString& value);

    Database& m_database;
};

} // namespace km
