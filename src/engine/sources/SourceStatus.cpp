#include "sources/SourceStatus.h"

#include <array>

namespace km {
namespace {

constexpr std::array stateNames{"stopped", "starting", "running", "waiting", "backing-off", "finished"};

QString isoTime(const QDateTime& time) { return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString(); }

QDateTime readTime(const QJsonValue& value)
{
    return value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs) : QDateTime();
}

} // namespace

QString sourceStateName(SourceState state) { return QString::fromLatin1(stateNames.at(std::size_t(state))); }

QJsonObject SourceStatus::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("state"), sourceStateName(state)},
            {QStringLiteral("detail"), detail},
            {QStringLiteral("backoffUntil"), isoTime(backoffUntil)},
            {QStringLiteral("lastError"), lastError},
            {QStringLiteral("lastErrorAt"), isoTime(lastErrorAt)},
            {QStringLiteral("lastKillmailId"), qint64(lastKillmailId)},
            {QStringLiteral("lastKillAt"), isoTime(lastKillAt)},
            {QStringLiteral("received"), received},
            {QStringLiteral("queued"), queued},
            {QStringLiteral("errors"), errors},
            {QStringLiteral("done"), done},
            {QStringLiteral("total"), total}};
}

SourceStatus SourceStatus::fromJson(const QJsonObject& json)
{
    SourceStatus status;
    status.name = json.value(QLatin1String("name")).toString();
    const QString state = json.value(QLatin1String("state")).toString();
    for (std::size_t i = 0; i < stateNames.size(); ++i) {
        if (state == QLatin1String(stateNames.at(i))) {
            status.state = SourceState(i);
        }
    }
    status.detail = json.value(QLatin1String("detail")).toString();
    status.backoffUntil = readTime(json.value(QLatin1String("backoffUntil")));
    status.lastError = json.value(QLatin1String("lastError")).toString();
    status.lastErrorAt = readTime(json.value(QLatin1String("lastErrorAt")));
    status.lastKillmailId = json.value(QLatin1String("lastKillmailId")).toInteger();
    status.lastKillAt = readTime(json.value(QLatin1String("lastKillAt")));
    status.received = json.value(QLatin1String("received")).toInteger();
    status.queued = json.value(QLatin1String("queued")).toInteger();
    status.errors = json.value(QLatin1String("errors")).toInteger();
    status.done = json.value(QLatin1String("done")).toInteger();
    status.total = json.value(QLatin1String("total")).toInteger();
    return status;
}

} // namespace km
