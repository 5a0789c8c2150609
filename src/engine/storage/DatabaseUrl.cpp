#include "storage/DatabaseUrl.h"

#include <QCoreApplication>
#include <QDir>
#include <QRegularExpression>
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
                        .arg(masked(text)));
    }
    url.backend = Backend::Postgres;
    url.host = parsed.host().isEmpty() ? QStringLiteral("localhost") : parsed.host();
    url.port = parsed.port(5432);
    url.user = parsed.userName();
    url.password = parsed.password();
    url.database = parsed.path().mid(1);
    if (url.database.isEmpty()) {
        return fail(
            QStringLiteral("database URL '%1' names no database (postgresql://host/DATABASE)").arg(masked(text)));
    }
    static const QRegularExpression libpqKeyword(QStringLiteral("^[a-z_]+$"));
    static const QRegularExpression unsafeInOption(QStringLiteral("[;\\s'\\\\]"));
    QStringList options;
    for (const auto& [key, value] : QUrlQuery(parsed).queryItems(QUrl::FullyDecoded)) {
        bool seconds = false;
        if (key == QLatin1StringView("connect_timeout") && (value.toInt(&seconds) < 0 || !seconds)) {
            return fail(QCoreApplication::translate("DatabaseUrl",
                                                    "database URL '%1': connect_timeout '%2' is not a whole number "
                                                    "of seconds (0 waits forever)")
                            .arg(masked(text), value));
        }
        // QPSQL hands the options to libpq as "key=value key=value", unquoted: anything else would change its meaning
        if (!libpqKeyword.match(key).hasMatch() || value.contains(unsafeInOption)) {
            return fail(QCoreApplication::translate("DatabaseUrl",
                                                    "database URL '%1': option '%2' must be a libpq keyword "
                                                    "(a-z, _) with a value free of spaces, quotes, backslashes and ';'")
                            .arg(parsed.toString(QUrl::RemovePassword), key.left(40)));
        }
        options << key + u'=' + value;
    }
    url.options = options.join(u';');
    return url;
}

QList<std::pair<QString, QString>> DatabaseUrl::postgresDefaults()
{
    return {
        {QStringLiteral("connect_timeout"), QString::number(defaultConnectTimeout)},
        {QStringLiteral("keepalives"), QStringLiteral("1")},
        {QStringLiteral("keepalives_idle"), QStringLiteral("30")},
        {QStringLiteral("keepalives_interval"), QStringLiteral("10")},
        {QStringLiteral("keepalives_count"), QStringLiteral("3")},
        {QStringLiteral("tcp_user_timeout"), QStringLiteral("60000")},
    };
}

QString DatabaseUrl::connectOptions() const
{
    QStringList merged = options.isEmpty() ? QStringList() : options.split(u';');
    for (const auto& [key, value] : postgresDefaults()) {
        if (!optionValue(key)) {
            merged << key + u'=' + value;
        }
    }
    return merged.join(u';');
}

int DatabaseUrl::connectTimeout() const
{
    const std::optional<QString> seconds = optionValue(QStringLiteral("connect_timeout"));
    return seconds ? seconds->toInt() : defaultConnectTimeout;
}

std::optional<QString> DatabaseUrl::optionValue(const QString& key) const
{
    const QString prefix = key + u'=';
    for (const QString& option : options.split(u';', Qt::SkipEmptyParts)) {
        if (option.startsWith(prefix)) {
            return option.mid(prefix.size());
        }
    }
    return std::nullopt;
}

QString DatabaseUrl::defaultUrl()
{
    const QString directory =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/killmail-console");
    return QStringLiteral("sqlite://") + QDir(directory).absoluteFilePath(QStringLiteral("killmails.db"));
}

QString DatabaseUrl::masked(const QString& text)
{
    // What stands between "scheme://user:" and the last "@", and libpq's password option in the query.
    static const QRegularExpression credentials(QStringLiteral("^([A-Za-z]+://[^:@/]*:).*@"));
    static const QRegularExpression passwordOption(QStringLiteral("([?&]password=)[^&]*"),
                                                   QRegularExpression::CaseInsensitiveOption);
    return QString(text)
        .replace(credentials, QStringLiteral("\\1***@"))
        .replace(passwordOption, QStringLiteral("\\1***"));
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
