#pragma once

#include <QByteArray>
#include <QJsonParseError>
#include <QNetworkReply>
#include <QString>

#include <optional>

namespace km {

/// True for a failure of the transfer itself (timeout, refused, cut off) rather than an HTTP status.
bool isTransportFailure(QNetworkReply::NetworkError error);

/// A service's `{"error": "..."}`, or the start of whatever else came, printable, for an error message.
QString errorText(const QByteArray& body);

/// Why `body` is not JSON (empty, truncated, garbled), naming the offset; nullopt when it parsed.
std::optional<QString> jsonProblem(const QByteArray& body, const QJsonParseError& error);

} // namespace km
