#pragma once

#include <QString>

#include <stdexcept>

namespace km {

/// A database failed us: connection lost, disk full, constraint broken. The message names the statement's purpose.
class StorageError : public std::runtime_error {
public:
    explicit StorageError(const QString& message)
        : std::runtime_error(message.toStdString())
    {
    }

    [[nodiscard]] QString message() const { return QString::fromStdString(what()); }
};

/// A failure of the database as a whole (busy, full, read-only, out of resources, unreachable), not of the rows
/// written: no one killmail is to blame, and the same write may succeed later.
class DatabaseUnavailable : public StorageError {
public:
    using StorageError::StorageError;
};

} // namespace km
