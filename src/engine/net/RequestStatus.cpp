#include "net/RequestStatus.h"

namespace km {

RequestStatus::Code RequestStatus::codeOf(int httpStatus)
{
    if (httpStatus >= 200 && httpStatus < 300) {
        return Code::Success;
    }
    if (httpStatus >= 300 && httpStatus < 400) {
        return Code::Redirect;
    }
    switch (httpStatus) {
    case 401:
    case 403: return Code::ContentAccessError;
    case 404: return Code::NotFound;
    case 408: return Code::Timeout;
    case 420: return Code::RateLimited;
    case 429: return Code::TooManyRequests;
    default: break;
    }
    if (httpStatus >= 400 && httpStatus < 500) {
        return Code::IncorrectRequest;
    }
    return httpStatus >= 500 ? Code::ServerError : Code::NetworkError;
}

RequestStatus RequestStatus::ofAnswer(int httpStatus, QString message, std::optional<std::chrono::seconds> retryAfter)
{
    return {codeOf(httpStatus), httpStatus, std::move(message), retryAfter};
}

bool RequestStatus::transient() const
{
    switch (code) {
    case Code::Success:
    case Code::ContentAccessError:
    case Code::NotFound:
    case Code::IncorrectRequest: return false;
    case Code::NetworkError:
    case Code::Timeout:
    case Code::Aborted:
    case Code::TooLarge:
    case Code::TooManyRedirects:
    case Code::Redirect:
    case Code::FileError:
    case Code::TooManyRequests:
    case Code::RateLimited:
    case Code::ServerError:
    case Code::IncorrectResponse: return true;
    }
    return false;
}

} // namespace km
