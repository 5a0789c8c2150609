#pragma once

#include <QList>
#include <QString>

#include <optional>
#include <utility>

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

    /**
     * The libpq options every PostgreSQL connection gets unless the URL's query sets them: give up on a server
     * that does not answer within 10 s (connect_timeout), and notice a server or network that goes silent in the
     * middle of a session within about a minute (TCP keepalives, tcp_user_timeout) instead of waiting forever.
     */
    static QList<std::pair<QString, QString>> postgresDefaults();
    static constexpr int defaultConnectTimeout = 10;
    /// The options a PostgreSQL connection opens with, as QPSQL takes them: the URL's, then the defaults it leaves.
    [[nodiscard]] QString connectOptions() const;
    /// How long libpq waits for the server to answer, in seconds (0: forever).
    [[nodiscard]] int connectTimeout() const;
    /// What the URL's query sets libpq option `key` to, if it does.
    [[nodiscard]] std::optional<QString> optionValue(const QString& key) const;

    /// Parses a URL; on failure returns nothing and sets `error` to a sentence naming what is wrong.
    static std::optional<DatabaseUrl> parse(const QString& text, QString* error);
    /// The SQLite file in the user's data directory (XDG_DATA_HOME/killmail-console/killmails.db).
    static QString defaultUrl();
    /// The URL with its password masked, for logs and messages.
    [[nodiscard]] QString redacted() const;
    /// `text` with any password masked (in the user part or the query's password option), also when it does not
    /// parse: for messages about a URL that may be malformed.
    static QString masked(const QString& text);
};

} // namespace km
