#include "sources/EveKillDocument.h"

#include "parse/KillmailParser.h"

#include <QJsonObject>

#include <cmath>

namespace km {
namespace {

// Integers beyond 2^53 are not exact in a JSON number.
constexpr double largestExactInteger = 9007199254740992.0;

QString describe(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("the number %1").arg(value.toDouble(), 0, 'g', 17);
    case QJsonValue::String: return QStringLiteral("the string \"%1\"").arg(value.toString().left(64));
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

} // namespace

std::optional<KillmailReference> EveKillDocument::reference(const QJsonValue& document, QString& problem)
{
    if (!document.isObject()) {
        problem = QStringLiteral("expected a killmail document (an object), got %1").arg(describe(document));
        return std::nullopt;
    }
    const QJsonObject object = document.toObject();
    const QJsonValue id = object.value(QLatin1StringView("killmail_id"));
    const double number = id.toDouble();
    if (!id.isDouble() || number <= 0 || number > largestExactInteger || std::floor(number) != number) {
        problem = QStringLiteral("killmail_id: expected a positive integer, got %1").arg(describe(id));
        return std::nullopt;
    }
    const QJsonValue hash = object.value(QLatin1StringView("killmail_hash"));
    if (!hash.isString() || !KillmailParser::isValidHash(hash.toString())) {
        problem = QStringLiteral("killmail %1: killmail_hash: expected 40 hexadecimal digits, got %2")
                      .arg(qint64(number))
                      .arg(describe(hash));
        return std::nullopt;
    }
    return KillmailReference{KillmailId(number), hash.toString()};
}

std::optional<KillmailReference> EveKillDocument::fromKillmailMessage(const QJsonValue& data, QString& problem)
{
    const QJsonValue wrapped = data.toObject().value(QLatin1StringView("killmail"));
    std::optional<KillmailReference> found = reference(wrapped.isUndefined() ? data : wrapped, problem);
    if (!found) {
        problem = (wrapped.isUndefined() ? QStringLiteral("data: ") : QStringLiteral("data.killmail: ")) + problem;
    }
    return found;
}

} // namespace km
