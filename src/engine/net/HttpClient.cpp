#include "net/HttpClient.h"

#include "net/HeaderValues.h"
#include "net/ReplyText.h"
#include "util/ThreadAffinity.h"

#include <QCoroNetworkReply>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QTimer>

#include <memory>

namespace km {
namespace {

struct DeleteLater {
    void operator()(QObject* object) const { object->deleteLater(); }
};

QString seconds1(std::chrono::milliseconds duration) { return QString::number(duration.count() / 1000.0, 'f', 1); }

} // namespace

bool HttpReply::transient() const
{
    if (status == 0 || (!error.isEmpty() && status < 400)) {
        return true;
    }
    return status == 408 || status == 420 || status == 429 || status >= 500;
}

std::optional<QJsonDocument> HttpReply::json(const QString& what, QString& problem) const
{
    QJsonParseError parseError{};
    QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (const auto found = jsonProblem(body, parseError)) {
        problem = QStringLiteral("%1: %2").arg(what, *found);
        return std::nullopt;
    }
    return document;
}

QUrl joinUrl(const QUrl& base, const QString& path)
{
    QUrl url = base;
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/'))) {
        basePath.chop(1);
    }
    QString tail = path;
    while (tail.startsWith(QLatin1Char('/'))) {
        tail.remove(0, 1);
    }
    url.setPath(basePath + QLatin1Char('/') + tail);
    return url;
}

HttpClient::HttpClient(HttpSettings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(m_settings.followRedirects ? QNetworkRequest::NoLessSafeRedirectPolicy
                                                            : QNetworkRequest::ManualRedirectPolicy);
}

HttpClient::~HttpClient() = default;

QCoro::Task<HttpReply> HttpClient::get(QUrl url) { return send("GET", std::move(url), {}, {}); }

QCoro::Task<HttpReply> HttpClient::post(QUrl url, QByteArray json)
{
    assertThread(this);
    return send("POST", std::move(url), std::move(json), {});
}

QCoro::Task<HttpReply> HttpClient::download(QUrl url, QString filePath)
{
    assertThread(this);
    return send("GET", std::move(url), {}, std::move(filePath));
}

void HttpClient::abortAll()
{
    assertThread(this);
    Q_EMIT aborted();
}

void HttpClient::shutDown()
{
    assertThread(this);
    m_shutDown = true;
    abortAll();
}

QCoro::Task<HttpReply> HttpClient::send(QByteArray method, QUrl url, QByteArray body, QString filePath)
{
    assertThread(this);
    const QString route = QStringLiteral("%1 %2").arg(QString::fromLatin1(method), url.toDisplayString());
    if (m_shutDown) {
        HttpReply refused;
        refused.error = QStringLiteral("%1: aborted").arg(route);
        co_return refused;
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, m_settings.userAgent);
    request.setRawHeader("Accept", "application/json, */*");
    // No Accept-Encoding by hand: QNAM then offers gzip itself and decodes the answer.
    QNetworkReply* started = nullptr;
    if (method == "POST") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        started = m_network->post(request, body);
    } else {
        started = m_network->get(request);
    }
    const std::unique_ptr<QNetworkReply, DeleteLater> reply(started);

    HttpReply result;
    std::unique_ptr<QSaveFile> file;
    if (!filePath.isEmpty()) {
        file = std::make_unique<QSaveFile>(filePath);
        if (!file->open(QIODevice::WriteOnly)) {
            started->abort();
            result.error = QStringLiteral("%1: cannot write %2: %3").arg(route, filePath, file->errorString());
            co_return result;
        }
    }
    bool timedOut = false;
    bool aborted = false;
    bool writeFailed = false;
    // The context of every connection whose slot touches this frame: the reply outlives the frame (it is deleted
    // later), and an abortAll() between the two must not write into a frame that is gone.
    QObject frame;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &frame, [&timedOut, started] {
        timedOut = true;
        started->abort();
    });
    connect(this, &HttpClient::aborted, &frame, [&aborted, started] {
        aborted = true;
        started->abort();
    });
    // The timeout counts from the last sign of progress, so a long download is not cut while it moves.
    connect(started, &QNetworkReply::downloadProgress, &timer, [&timer, this] { timer.start(m_settings.timeout); });
    if (file) {
        connect(started, &QNetworkReply::readyRead, &frame, [&, started] {
            const QByteArray chunk = started->readAll();
            if (!writeFailed && file->write(chunk) != chunk.size()) {
                writeFailed = true;
                started->abort();
            }
            result.downloaded += chunk.size();
        });
    }
    timer.start(m_settings.timeout);
    co_await started;
    timer.stop();

    result.status = started->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.retryAfter = parseRetryAfter(started->rawHeader("Retry-After"));
    if (result.status >= 300 && result.status < 400) {
        result.redirect = url.resolved(started->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl());
    }
    const bool readable = !aborted && !timedOut && started->isOpen();
    if (readable && file) {
        const QByteArray rest = started->readAll();
        if (!writeFailed && file->write(rest) != rest.size()) {
            writeFailed = true;
        }
        result.downloaded += rest.size();
    } else if (readable) {
        result.body = started->readAll();
    }
    if (aborted || timedOut) {
        result.status = 0;
        result.error = timedOut
            ? QStringLiteral("%1: no answer within %2 s (timeout)").arg(route, seconds1(m_settings.timeout))
            : QStringLiteral("%1: aborted").arg(route);
    } else if (writeFailed) {
        result.error = QStringLiteral("%1: cannot write %2: %3").arg(route, filePath, file->errorString());
    } else if (isTransportFailure(started->error())) {
        result.error = result.status > 0 ? QStringLiteral("%1: answer cut off after %2 bytes (%3)")
                                               .arg(route)
                                               .arg(file ? result.downloaded : result.body.size())
                                               .arg(started->errorString())
                                         : QStringLiteral("%1: network error: %2").arg(route, started->errorString());
    } else if (result.status < 200 || result.status >= 300) {
        const QString reason = started->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        const QString detail = file ? QString() : errorText(result.body);
        result.error = QStringLiteral("%1: %2 %3%4")
                           .arg(route)
                           .arg(result.status)
                           .arg(reason, detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail));
    } else if (file && !file->commit()) {
        result.error = QStringLiteral("%1: cannot write %2: %3").arg(route, filePath, file->errorString());
    }
    co_return result;
}

} // namespace km
