// Database URLs (--database, KILLMAIL_DATABASE_URL, the config file): SQLite paths and libpq URIs.
#include "FuzzSupport.h"

#include "storage/DatabaseUrl.h"

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    const QString text = QString::fromUtf8(fuzz::bytes(data, size));
    QString error;
    const std::optional<DatabaseUrl> url = DatabaseUrl::parse(text, &error);
    fuzz::require(url.has_value() == error.isEmpty(), "a URL is read, or refused with a reason", error);
    if (url && url->backend == Backend::Postgres) {
        // QPSQL reads the options as "key=value;key=value": each of the URL's options must arrive as one, whole.
        const QUrlQuery query(QUrl(text, QUrl::StrictMode));
        const QStringList options = url->options.split(u';', Qt::SkipEmptyParts);
        fuzz::require(options.size() == query.queryItems().size(), "each query option is one libpq option",
                      url->options);
        static const QRegularExpression keyword(QStringLiteral("^[a-z_]+=[^;\\s'\\\\]*$"));
        for (const QString& option : options) {
            fuzz::require(keyword.match(option).hasMatch(), "a libpq option is keyword=value", option);
        }
        fuzz::require(url->connectTimeout() >= 0, "the connect timeout is not negative", url->connectOptions());
        const QString redacted = url->redacted();
        if (url->password.size() >= 8 && !url->user.contains(url->password) && !url->host.contains(url->password)
            && !url->database.contains(url->password) && !url->options.contains(url->password)) {
            fuzz::require(!redacted.contains(url->password), "the redacted URL hides the password", redacted);
        }
    }
    return 0;
}
