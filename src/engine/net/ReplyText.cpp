#include "net/ReplyText.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace km {

bool isTransportFailure(QNetworkReply::NetworkError error)
{
    // ProtocolInvalidOperationError is how Qt reports an HTTP 400: an answer, not a failed transfer.
    return (error > QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied)
        || (error >= QNetworkReply::ProtocolUnknownError && error <= QNetworkReply::ProtocolFailure
            && error != QNetworkReply::ProtocolInvalidOperationError);
}

QString errorText(const QByteArray& body)
{
    const QJsonDocument json = QJsonDocument::fromJson(body);
    if (json.isObject() && json.object().value(QLatin1String("error")).isString()) {
        return json.object().value(QLatin1String("error")).toString();
    }
    QString text = QString::fromUtf8(body.left(200)).simplified();
    for (QChar& c : text) {
        if (!c.isPrint()) {
            c = QLatin1Char('?');
        }
    }
    return text;
}

std::optional<QString> jsonProblem(const QByteArray& body, const QJsonParseError& error)
{
    if (body.trimmed().isEmpty()) {
        return QStringLiteral("empty body");
    }
    if (error.error != QJsonParseError::NoError) {
        return QStringLiteral("truncated or malformed JSON body (%1 bytes, %2 at offset %3)")
            .arg(body.size())
            .arg(error.errorString())
            .arg(error.offset);
    }
    return std::nullopt;
}

} // namespace km
