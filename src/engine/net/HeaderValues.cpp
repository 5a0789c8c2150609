#include "net/HeaderValues.h"

#include <QDateTime>
#include <QString>

#include <algorithm>

namespace km {

using std::chrono::seconds;

std::optional<qint64> parseHeaderCount(QByteArrayView text)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (!ok || value < 0) {
        return std::nullopt;
    }
    return value;
}

std::optional<seconds> parseRetryAfter(QByteArrayView text)
{
    if (text.trimmed().isEmpty()) {
        return std::nullopt;
    }
    if (const auto count = parseHeaderCount(text)) {
        return seconds(std::min<qint64>(*count, maxRetryAfter.count()));
    }
    // An HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"); Qt reads it with a numeric zone only.
    QString dateText = QString::fromLatin1(text.trimmed());
    if (dateText.endsWith(QLatin1String(" GMT"))) {
        dateText.replace(dateText.size() - 3, 3, QStringLiteral("+0000"));
    }
    const QDateTime date = QDateTime::fromString(dateText, Qt::RFC2822Date);
    if (!date.isValid()) {
        return std::nullopt;
    }
    const qint64 delta = QDateTime::currentDateTimeUtc().secsTo(date);
    return seconds(std::clamp<qint64>(delta, 0, maxRetryAfter.count()));
}

} // namespace km
