#pragma once

#include <QByteArray>
#include <QHash>
#include <QUrl>

#include <optional>

namespace km {

/// The head of an HTTP/1.x request a peer sent to the live feed: its request line and its headers.
struct RequestHead {
    QByteArray method;
    QUrl url;
    /// Names in lower case, values trimmed; a repeated header keeps its last value.
    QHash<QByteArray, QByteArray> headers;
};

/// How far the bytes a peer sent so far make a request head.
struct RequestHeadReading {
    enum class Outcome {
        /// No blank line yet, within the limit: wait for more.
        Incomplete,
        /// No blank line within the limit (431).
        TooLong,
        /// The request line is not "METHOD TARGET HTTP/1.x", or a header line not "name: value" (400).
        Malformed,
        Complete,
    };
    Outcome outcome = Outcome::Incomplete;
    /// Set when Complete.
    std::optional<RequestHead> head;
};

/// Reads the request head at the start of `received` (what the peer sent so far), at most `maxBytes` long.
RequestHeadReading readRequestHead(const QByteArray& received, qsizetype maxBytes);

} // namespace km
