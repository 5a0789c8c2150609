#include "queue/Job.h"

namespace km {

std::optional<Priority> priorityFromName(const QString& name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1StringView("high")) {
        return Priority::High;
    }
    if (lower == QLatin1StringView("normal")) {
        return Priority::Normal;
    }
    if (lower == QLatin1StringView("low")) {
        return Priority::Low;
    }
    return std::nullopt;
}

QString priorityName(Priority priority)
{
    switch (priority) {
    case Priority::High: return QStringLiteral("high");
    case Priority::Normal: return QStringLiteral("normal");
    case Priority::Low: return QStringLiteral("low");
    }
    return {};
}

} // namespace km
