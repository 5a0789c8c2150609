// RedisQ: a poll's answer (`{"package": ...}`) and the package in it, with or without its embedded killmail.
#include "FuzzSupport.h"

#include "sources/RedisqSource.h"

#include <QJsonObject>

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    const HttpReply reply = fuzz::okReply(data, size);
    QString problem;
    const std::optional<QJsonDocument> answer = reply.json(QStringLiteral("poll"), problem);
    fuzz::require(answer.has_value() != !problem.isEmpty(), "an answer is JSON, or refused with a reason", problem);
    if (!answer || !answer->isObject()) {
        return 0;
    }
    const QJsonValue package = answer->object().value(QLatin1StringView("package"));
    if (package.isNull() || package.isUndefined()) {
        return 0; // a quiet poll
    }
    const RedisqPackage reading = RedisqPackage::read(package);
    fuzz::require(reading.job || !reading.problem.isEmpty(), "a package is queued, or refused with a reason");
    if (reading.job) {
        fuzz::require(reading.job->killmailId > 0, "a queued package has a killmail ID");
    }
    return 0;
}
