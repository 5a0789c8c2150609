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

/// "; setting http/answer-mib": which setting raises the bound that cut a request; empty for unnamed bounds.
QString settingNamed(const HttpBounds& bounds, const char* suffix)
{
    return bounds.setting
        ? QStringLiteral("; setting %1%2").arg(QLatin1StringView(bounds.setting), QLatin1StringView(suffix))
        : QString();
}

QString byteSize(qint64 bytes)
{
    constexpr qint64 mebibyte = qint64(1) << 20;
    return bytes % mebibyte == 0 ? QStringLiteral("%1 MiB").arg(bytes / mebibyte)
                                 : QStringLiteral("%1 bytes").arg(bytes);
}

constexpr qint64 readBufferBytes = qint64(1) << 20;

/// Why a request was cut short by this client; None when it was not.
enum class Cut { None, Timeout, Deadline, TooLarge, Aborted };

} // namespace

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

QCoro::Task<HttpReply> HttpClient::get(QUrl url, RequestKind kind)
{
    assertThread(this);
    return send("GET", std::move(url), {}, {}, kind == RequestKind::DayFile ? m_settings.dayFile : m_settings.answer);
}

QCoro::Task<HttpReply> HttpClient::post(QUrl url, QByteArray json)
{
    assertThread(this);
    return send("POST", std::move(url), std::move(json), {}, m_settings.answer);
}

QCoro::Task<HttpReply> HttpClient::download(QUrl url, QString filePath)
{
    assertThread(this);
    return send("GET", std::move(url), {}, std::move(filePath), m_settings.download);
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

QCoro::Task<HttpReply> HttpClient::send(QByteArray method, QUrl url, QByteArray body, QString filePath,
                                        HttpBounds bounds)
{
    assertThread(this);
    const QString route = QStringLiteral("%1 %2").arg(QString::fromLatin1(method), url.toDisplayString());
    if (m_shutDown) {
        HttpReply refused;
        refused.status = {RequestStatus::Code::Aborted, 0, QStringLiteral("%1: aborted").arg(route), std::nullopt};
        co_return refused;
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, m_settings.userAgent);
    request.setRawHeader("Accept", "application/json, */*");
    request.setMaximumRedirectsAllowed(m_settings.maxRedirects);
    // No Accept-Encoding by hand: QNAM then offers gzip itself and decodes the answer.
    QNetworkReply* started = nullptr;
    if (method == "POST") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        started = m_network->post(request, body);
    } else {
        started = m_network->get(request);
    }
    const std::unique_ptr<QNetworkReply, DeleteLater> reply(started);
    // Taken as it comes (below), so that what a request holds is its own body plus one buffer, not what the network
    // delivered before the limit was seen.
    started->setReadBufferSize(readBufferBytes);

    HttpReply result;
    std::unique_ptr<QSaveFile> file;
    if (!filePath.isEmpty()) {
        file = std::make_unique<QSaveFile>(filePath);
        if (!file->open(QIODevice::WriteOnly)) {
            started->abort();
            result.status = {RequestStatus::Code::FileError, 0,
                             QStringLiteral("%1: cannot write %2: %3").arg(route, filePath, file->errorString()),
                             std::nullopt};
            co_return result;
        }
    }
    Cut cut = Cut::None;
    bool writeFailed = false;
    // The context of every connection whose slot touches this frame: the reply outlives the frame (it is deleted
    // later), and an abortAll() between the two must not write into a frame that is gone. A slot changes the frame
    // before it aborts: abort() finishes the reply, which may resume this coroutine and end the frame at once.
    QObject frame;
    const auto cutShort = [&cut, started](Cut why) {
        if (cut == Cut::None) {
            cut = why;
        }
        started->abort();
    };
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &frame, [cutShort] { cutShort(Cut::Timeout); });
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &frame, [cutShort] { cutShort(Cut::Deadline); });
    connect(this, &HttpClient::aborted, &frame, [cutShort] { cutShort(Cut::Aborted); });
    // The timeout counts from the last sign of progress, so a long download is not cut while it moves.
    connect(started, &QNetworkReply::downloadProgress, &timer, [&timer, this] { timer.start(m_settings.timeout); });
    // An announced length over the limit fails before a byte of the body is taken.
    connect(started, &QNetworkReply::metaDataChanged, &frame, [&, started] {
        if (started->header(QNetworkRequest::ContentLengthHeader).toLongLong() > bounds.maxBytes) {
            cutShort(Cut::TooLarge);
        }
    });
    connect(started, &QNetworkReply::readyRead, &frame, [&, started] {
        const QByteArray chunk = started->readAll();
        if (file) {
            writeFailed = writeFailed || file->write(chunk) != chunk.size();
            result.downloaded += chunk.size();
        } else {
            result.body += chunk;
        }
        if (result.downloaded + result.body.size() > bounds.maxBytes) {
            cutShort(Cut::TooLarge);
        } else if (writeFailed) {
            started->abort();
        }
    });
    timer.start(m_settings.timeout);
    deadline.start(bounds.deadline);
    co_await started;
    timer.stop();
    deadline.stop();

    const int httpStatus = started->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const std::optional<std::chrono::seconds> retryAfter = parseRetryAfter(started->rawHeader("Retry-After"));
    if (httpStatus >= 300 && httpStatus < 400) {
        result.redirect = url.resolved(started->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl());
    }
    if (cut == Cut::None && started->isOpen()) {
        const QByteArray rest = started->readAll();
        if (file) {
            writeFailed = writeFailed || file->write(rest) != rest.size();
            result.downloaded += rest.size();
        } else {
            result.body += rest;
        }
    }
    const qint64 received = file ? result.downloaded : result.body.size();
    using Code = RequestStatus::Code;
    const auto failed = [&](Code code, int answered, const QString& why) {
        result.status = {code, answered, QStringLiteral("%1: %2").arg(route, why), retryAfter};
    };
    if (cut == Cut::Timeout || cut == Cut::Deadline || cut == Cut::Aborted) {
        result.body.clear();
        failed(cut == Cut::Aborted ? Code::Aborted : Code::Timeout, 0,
               cut == Cut::Aborted ? QStringLiteral("aborted")
                   : cut == Cut::Timeout
                   ? QStringLiteral("no answer within %1 s (timeout)").arg(seconds1(m_settings.timeout))
                   : QStringLiteral("not done within %1 s, the most this request may take (deadline; %2 bytes in%3)")
                         .arg(seconds1(bounds.deadline))
                         .arg(received)
                         .arg(settingNamed(bounds, "-seconds")));
    } else if (cut == Cut::TooLarge) {
        result.body.clear();
        failed(Code::TooLarge, httpStatus,
               QStringLiteral("the answer is larger than %1, the most this request may bring (cut off%2)")
                   .arg(byteSize(bounds.maxBytes), settingNamed(bounds, "-mib")));
    } else if (writeFailed) {
        failed(Code::FileError, httpStatus, QStringLiteral("cannot write %1: %2").arg(filePath, file->errorString()));
    } else if (started->error() == QNetworkReply::TooManyRedirectsError) {
        failed(Code::TooManyRedirects, httpStatus,
               QStringLiteral("more than %1 redirects (setting http/max-redirects)").arg(m_settings.maxRedirects));
    } else if (isTransportFailure(started->error())) {
        failed(Code::NetworkError, httpStatus,
               httpStatus > 0
                   ? QStringLiteral("answer cut off after %1 bytes (%2)").arg(received).arg(started->errorString())
                   : QStringLiteral("network error: %1").arg(started->errorString()));
    } else if (RequestStatus::codeOf(httpStatus) != Code::Success) {
        const QString reason = started->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        const QString detail = file ? QString() : errorText(result.body);
        result.status = RequestStatus::ofAnswer(
            httpStatus,
            QStringLiteral("%1: %2 %3%4")
                .arg(route)
                .arg(httpStatus)
                .arg(reason, detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail)),
            retryAfter);
    } else if (file && !file->commit()) {
        failed(Code::FileError, httpStatus, QStringLiteral("cannot write %1: %2").arg(filePath, file->errorString()));
    } else {
        result.status = RequestStatus::ofAnswer(httpStatus, {}, retryAfter);
    }
    co_return result;
}

} // namespace km
