#include "feed/RequestHead.h"

#include <QList>

#include <algorithm>

namespace km {
namespace {

/// RFC 9110's token, a header's name: no whitespace (a name padded before its colon is how requests are
/// smuggled past one parser and not another), no separators, no control characters.
bool isToken(const QByteArray& text)
{
    static constexpr std::string_view separators = "\"(),/:;<=>?@[\\]{}";
    return !text.isEmpty() && std::all_of(text.cbegin(), text.cend(), [](char c) {
        return c > ' ' && c < 0x7f && separators.find(c) == std::string_view::npos;
    });
}

/// A control character other than the tab has no place in a header's value (a bare CR ends a line for some readers).
bool isControl(char c) { return (c >= 0 && c < ' ' && c != '\t') || c == 0x7f; }

} // namespace

RequestHeadReading readRequestHead(const QByteArray& received, qsizetype maxBytes)
{
    const qsizetype end = received.indexOf("\r\n\r\n");
    if (end < 0 || end > maxBytes) {
        return {received.size() > maxBytes ? RequestHeadReading::Outcome::TooLong
                                           : RequestHeadReading::Outcome::Incomplete,
                std::nullopt};
    }
    const QList<QByteArray> lines = received.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        return {RequestHeadReading::Outcome::Malformed, std::nullopt};
    }
    RequestHead head;
    head.method = requestLine[0];
    head.url = QUrl(QString::fromLatin1(requestLine[1]));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].endsWith('\r') ? lines[i].chopped(1) : lines[i];
        if (line.isEmpty()) {
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon);
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (colon < 0 || !isToken(name) || std::any_of(value.cbegin(), value.cend(), isControl)) {
            return {RequestHeadReading::Outcome::Malformed, std::nullopt};
        }
        head.headers.insert(name.toLower(), value);
    }
    return {RequestHeadReading::Outcome::Complete, std::move(head)};
}

} // namespace km
