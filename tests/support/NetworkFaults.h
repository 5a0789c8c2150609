#pragma once

#include "FakeHttpServer.h"
#include "net/HttpClient.h"

#include <QList>
#include <QString>
#include <QTest>

#include <chrono>

Q_DECLARE_METATYPE(km::test::FakeHttpServer::Answer)

namespace km::test {

/// A fault a fake can make, and what the client reports for it (a regular expression).
struct NetworkFault {
    QString name;
    FakeHttpServer::Answer answer;
    QString reported;
};

/// The most an answer may bring under boundedHttpSettings(); a history day may bring twice, a download four times.
inline constexpr qint64 boundedAnswerBytes = qint64(1) << 20;

/// HTTP settings whose bounds a fault reaches within a test: a pause of `timeout`, a whole request of 2 s more.
inline HttpSettings boundedHttpSettings(const QString& userAgent, std::chrono::milliseconds timeout)
{
    const std::chrono::milliseconds deadline = timeout + std::chrono::seconds(2);
    HttpSettings settings{userAgent, timeout};
    settings.answer = {boundedAnswerBytes, deadline};
    settings.dayFile = {2 * boundedAnswerBytes, deadline};
    settings.download = {4 * boundedAnswerBytes, deadline};
    return settings;
}

/// Every fault, for a fake that drips a byte every 100 ms (setDripInterval()): a stall, a connection dropped before
/// and during the body, a body cut off (announced longer, or chunked), garbage instead of HTTP, a body that never
/// ends, one announced at 5 GB, a slow drip that would take 100 s, and endless redirects.
inline QList<NetworkFault> networkFaults()
{
    using Answer = FakeHttpServer::Answer;
    const QByteArray json = R"({"package": null, "sequence": 1})";
    const QString lost = QStringLiteral("network error|cut off");
    const QString tooLarge = QStringLiteral("larger than \\d+ MiB, the most this request may bring");
    return {
        {QStringLiteral("stall"), {200, {}, {}, Answer::Hang}, QStringLiteral("\\(timeout\\)")},
        {QStringLiteral("dropped"), {200, {}, {}, Answer::Drop}, lost},
        // Qt 6.4 at times takes a connection closed within a body for its end (a race between the last bytes and
        // the close; seen for chunked bodies, and once under heavy load for a reset after half an announced one):
        // the body then comes as if whole, and what reads it must find it cut off.
        {QStringLiteral("dropped mid-body"), {200, json, {}, Answer::DropMidBody}, lost},
        {QStringLiteral("cut off chunked"),
         {200, json, {}, Answer::CutChunked},
         QStringLiteral("network error|cut off|truncated or malformed")},
        {QStringLiteral("cut off"), {200, json, {}, Answer::Truncate}, QStringLiteral("cut off")},
        {QStringLiteral("garbage"), {200, {}, {}, Answer::Garbage}, QStringLiteral("network error")},
        {QStringLiteral("never-ending body"), {200, {}, {}, Answer::Endless}, tooLarge},
        {QStringLiteral("5 GB announced"), {200, json, {{"Content-Length", "5000000000"}}, Answer::Normal}, tooLarge},
        {QStringLiteral("slow drip"),
         {200, QByteArray(1000, ' '), {}, Answer::SlowDrip},
         QStringLiteral("not done within [\\d.]+ s, the most this request may take \\(deadline")},
        {QStringLiteral("endless redirects"),
         {302, {}, {}, Answer::RedirectLoop},
         QStringLiteral("more than 5 redirects")},
    };
}

/// The columns `fault` (a FakeHttpServer::Answer) and `reported` (a regular expression), and a row per fault.
inline void addNetworkFaultRows()
{
    QTest::addColumn<FakeHttpServer::Answer>("fault");
    QTest::addColumn<QString>("reported");
    for (const NetworkFault& fault : networkFaults()) {
        QTest::newRow(qPrintable(fault.name)) << fault.answer << fault.reported;
    }
}

} // namespace km::test
