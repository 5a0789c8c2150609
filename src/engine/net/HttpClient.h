#pragma once

#include "net/RequestStatus.h"

#include <QByteArray>
#include <QCoroTask>
#include <QJsonDocument>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

class QNetworkAccessManager;

namespace km {

/// What one kind of request may take, however steadily its answer arrives: a server that sends without end (or one
/// byte at a time) fails the request, named in its error, instead of filling memory or disk or holding it forever.
struct HttpBounds {
    /// The most the answer's body may hold, decoded.
    qint64 maxBytes;
    /// The whole request, from asking to the last byte.
    std::chrono::milliseconds deadline;
    /// The settings that set them, named in errors: "http/answer" for http/answer-mib and http/answer-seconds.
    const char* setting = nullptr;
};

/// The kinds of request that get() and post() bound differently.
enum class RequestKind {
    /// A JSON answer: a feed record or poll, a page, an index.
    Answer,
    /// A zKillboard history day with every killmail's ESI body.
    DayFile,
};

/// How the process talks to the public EVE services other than ESI (zKillboard, EVE-KILL, EVE Ref).
struct HttpSettings {
    /// Sent with every request; zKillboard answers 403 without one.
    QString userAgent;
    /// No answer (or no progress of a download) within this long is a timeout.
    std::chrono::milliseconds timeout{30000};
    /// False: a 3xx comes back as it is, with its target in HttpReply::redirect, for the caller to follow.
    bool followRedirects = true;
    /// Redirects followed for one request before it fails (a loop ends here); RedisQ needs one.
    int maxRedirects = 5;
    /// The largest real killmail is well under 1 MiB, a page or index a few MiB.
    HttpBounds answer{qint64(32) << 20, std::chrono::minutes(2), "http/answer"};
    /// A busy day is about 150 MB of ESI bodies.
    HttpBounds dayFile{qint64(1) << 30, std::chrono::minutes(30), "http/day"};
    /// A file streamed to disk: an EVE Ref archive (tens of MB), the static data export (about 100 MB).
    HttpBounds download{qint64(4) << 30, std::chrono::hours(2), "http/download"};
};

/// One answer, or why there is none.
struct HttpReply {
    RequestStatus status;
    QByteArray body;
    /// Bytes written, for a download().
    qint64 downloaded = 0;
    /// Where a 3xx answer points, when the client does not follow redirects itself.
    QUrl redirect;

    /// The body as a JSON document; nullopt with `problem` set (naming `what`) when it is empty, cut off or garbled.
    [[nodiscard]] std::optional<QJsonDocument> json(const QString& what, QString& problem) const;
};

/**
 * HTTP for one thread: one long-lived QNetworkAccessManager, the operator's User-Agent, gzip (QNAM offers and
 * decodes it), redirects followed up to a limit, a timeout per pause and a size and a deadline per request. Never
 * throws; every failure comes back in the reply. Create one per thread that needs it; it must outlive the coroutines it
 * started.
 */
class HttpClient : public QObject {
    Q_OBJECT
public:
    explicit HttpClient(HttpSettings settings, QObject* parent = nullptr);
    ~HttpClient() override;

    QCoro::Task<HttpReply> get(QUrl url, RequestKind kind = RequestKind::Answer);
    /// POST with a JSON body.
    QCoro::Task<HttpReply> post(QUrl url, QByteArray json);
    /// GET streamed into `filePath` (replaced atomically only when the whole body arrived); the reply's body stays
    /// empty. The timeout applies to each pause in the transfer, the download bounds to the whole of it.
    QCoro::Task<HttpReply> download(QUrl url, QString filePath);

    /// Ends every request in progress at once (Aborted); later requests run normally.
    void abortAll();
    /// Ends every request in progress and answers later ones at once the same way: its owner is stopping.
    void shutDown();

    [[nodiscard]] const HttpSettings& settings() const { return m_settings; }

Q_SIGNALS:
    void aborted();

private:
    QCoro::Task<HttpReply> send(QByteArray method, QUrl url, QByteArray body, QString filePath, HttpBounds bounds);

    HttpSettings m_settings;
    QNetworkAccessManager* m_network;
    bool m_shutDown = false;
};

/// `base` with `path` appended to its path ("https://host/a" + "b/c.json" -> "https://host/a/b/c.json").
QUrl joinUrl(const QUrl& base, const QString& path);

} // namespace km
