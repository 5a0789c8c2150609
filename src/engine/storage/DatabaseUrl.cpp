#include "storage/DatabaseUrl.h"

#include <QDir>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

namespace km {

std::optional<DatabaseUrl> DatabaseUrl::parse(const QString& text, QString* error)
{
    auto fail = [error](const QString& message) -> std::optional<DatabaseUrl> {
        if (error) {
            *error = message;
        }
        return std::nullopt;
    };
    DatabaseUrl url;
    if (text.startsWith(QLatin1StringView("sqlite://"))) {
        url.backend = Backend::Sqlite;
        url.sqlitePath = text.mid(int(qstrlen("sqlite://")));
        if (url.sqlitePath.isEmpty()) {
            return fail(QStringLiteral("database URL '%1' names no SQLite file").arg(text));
        }
        return url;
    }
    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid()
        || (parsed.scheme() != QLatin1StringView("postgresql") && parsed.scheme() != QLatin1StringView("postgres"))) {
        return fail(QStringLiteral(
                        "database URL '%1' is neither sqlite:///path/file.db nor postgresql://user:pass@host:port/db")
                        .arg(text));
    }
    url.backend = Backend::Postgres;
    url.host = parsed.host().isEmpty() ? QStringLiteral("localhost") : parsed.host();
    url.port = parsed.port(5432);
    url.user = parsed.userName();
    url.password = parsed.password();
    url.database = parsed.path().mid(1);
    if (url.database.isEmpty()) {
        return fail(QStringLiteral("database URL '%1' names no database (postgresql://host/DATABASE)")
                        .arg(parsed.toString(QUrl::RemovePassword)));
    }
    QStringList options;
    for (const auto& [key, value] : QUrlQuery(parsed).queryItems(QUrl::FullyDecoded)) {
        options << key + u'=' + value;
    }
    url.options = options.join(u';');
    return url;
}

QString DatabaseUrl::defaultUrl()
{
    const QString directory =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/killmail-console");
    return QStringLiteral("sqlite://") + QDir(directory).absoluteFilePath(QStringLiteral("killmails.db"));
}

QString DatabaseUrl::redacted() const
{
    if (backend == Backend::Sqlite) {
        return QStringLiteral("sqlite://") + sqlitePath;
    }
    const QString credentials =
        user.isEmpty() ? QString() : user + (password.isEmpty() ? QString() : QStringLiteral(":***")) + u'@';
    return QStringLiteral("postgresql://%1%2:%3/%4").arg(credentials, host).arg(port).arg(database);
}

} // namespace km
