#pragma once

#include <QString>

#include <optional>

namespace km {

enum class Backend { Sqlite, Postgres };

/**
 * Where the killmails live: `sqlite:///absolute/path.db` (or `sqlite://relative.db`) or a libpq URI
 * `postgresql://user:password@host:port/database?option=value`.
 */
struct DatabaseUrl {
    Backend backend = Backend::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;
    /// libpq connection options from the query string (sslmode, connect_timeout...), as "key=value;...".
    QString options;

    /// Parses a URL; on failure returns nothing and sets `error` to a sentence naming what is wrong.
    static std::optional<DatabaseUrl> parse(const QString& text, QString* error);
    /// The SQLite file in the user's data directory (XDG_DATA_HOME/killmail-console/killmails.db).
    static QString defaultUrl();
    /// The URL with its password masked, for logs and messages.
    [[nodiscard]] QString redacted() const;
};

} // namespace km
