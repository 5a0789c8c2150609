#pragma once

#include "model/Killmail.h"

#include <QDate>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace km {

class Database;
class StaticData;

/// One kind of problem found, how often, and a few examples to look at.
struct DataProblem {
    QString check;
    qint64 count = 0;
    QStringList examples;
    QString hint;
};

/**
 * The integrity report behind `debug:check-data`: killmails without attackers, orphan attacker and item rows,
 * items whose parent is gone, attacker counts that disagree, the PostgreSQL ID registry out of step with the
 * killmails, missing partitions, and stored flags and values that disagree with a recomputation.
 */
class DataChecker {
public:
    struct Options {
        /// Recompute flags and values of killmails at or after this day only (all when unset).
        std::optional<QDate> recomputeSince;
        bool recompute = true;
        int chunkSize = 500;
    };

    DataChecker(Database& database, const StaticData& staticData);

    void setProgressCallback(std::function<void(qint64 checked, qint64 total)> callback)
    {
        m_progress = std::move(callback);
    }
    /// Every problem found; empty when the data is sound.
    QList<DataProblem> run(const Options& options);

private:
    void countRows(const QString& check, const QString& fromWhere, const QString& exampleColumn, const QString& hint);
    void checkPartitions();
    void recomputeAll(const Options& options);

    Database& m_database;
    const StaticData& m_staticData;
    std::function<void(qint64, qint64)> m_progress;
    QList<DataProblem> m_problems;
};

} // namespace km
