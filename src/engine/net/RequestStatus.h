#pragma once

#include <QString>

#include <chrono>
#include <optional>

namespace km {

/**
 * How one request to an outside service (zKillboard, ESI, EVE-KILL, EVE Ref) went: what kind of outcome (the code),
 * the HTTP status when an answer came, a message naming the request, and when the service said to ask again.
 * Whether it went well and whether asking again may help follow from the code alone, here and nowhere else.
 * A default status is a success; every failure is made with its code and a message.
 */
struct RequestStatus {
    enum class Code {
        Success,
        /// No answer, or the transfer broke off mid-body (refused, reset, cut off).
        NetworkError,
        /// No answer within the timeout or the request's deadline; or 408.
        Timeout,
        /// This client is stopping: the request was ended or never sent.
        Aborted,
        /// The answer is larger than this kind of request may bring.
        TooLarge,
        /// More redirects than this client follows.
        TooManyRedirects,
        /// A 3xx not followed (or a 304 with nothing cached to use).
        Redirect,
        /// The answer arrived but could not be written to its file.
        FileError,
        /// 401, 403: refused, most often the User-Agent.
        ContentAccessError,
        /// 404.
        NotFound,
        /// Any other 4xx: the request itself is wrong.
        IncorrectRequest,
        /// 429.
        TooManyRequests,
        /// 420: ESI's error limit.
        RateLimited,
        /// 5xx.
        ServerError,
        /// A whole answer whose body is not what was asked for: empty, garbled JSON, another shape.
        IncorrectResponse,
    };

    /// The code an answer with HTTP status `httpStatus` has (NetworkError for 0, no answer).
    [[nodiscard]] static Code codeOf(int httpStatus);
    /// The status of an answer with HTTP status `httpStatus`; `message` names the request when it is no success.
    [[nodiscard]] static RequestStatus ofAnswer(int httpStatus, QString message = {},
                                                std::optional<std::chrono::seconds> retryAfter = std::nullopt);

    Code code = Code::Success;
    /// HTTP status of the answer; 0 when none came.
    int httpStatus = 0;
    /// Empty when good(); otherwise human-readable and names the request: "GET <url>: 404 Not Found (...)".
    QString message;
    /// Retry-After (or ESI's error-limit reset) of the answer, when it gave one.
    std::optional<std::chrono::seconds> retryAfter;

    [[nodiscard]] bool good() const { return code == Code::Success; }
    /// Worth asking again: no answer, cut off, too large, redirected, 408, 420, 429, 5xx, a body not as asked.
    [[nodiscard]] bool transient() const;
};

} // namespace km
