#include "Fixtures.h"

#include "TestDatabase.h"
#include "parse/KillmailParser.h"
#include "staticdata/StaticData.h"
#include "valuation/Flags.h"

#include <QDir>
#include <QFile>

#include <stdexcept>

namespace km::test {
namespace {

Killmail parseFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw std::runtime_error("missing fixture " + path.toStdString());
    }
    auto outcomes = KillmailParser::parseDocument(file.readAll(), path);
    auto* parsed = std::get_if<ParsedKillmail>(&outcomes.front());
    if (!parsed) {
        throw std::runtime_error("fixture does not parse: " + path.toStdString());
    }
    return std::move(parsed->killmail);
}

} // namespace

std::vector<Killmail> allFixtureKillmails()
{
    const QDir directory(dataPath(QStringLiteral("killmails")));
    std::vector<Killmail> killmails;
    for (const QString& name : directory.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        killmails.push_back(parseFile(directory.filePath(name)));
    }
    return killmails;
}

Killmail fixtureKillmail(KillmailId id) { return parseFile(dataPath(QStringLiteral("killmails/%1.json").arg(id))); }

ValuedKillmail valued(const Killmail& killmail, PriceSource& prices)
{
    ValuedKillmail result{killmail, FlagClassifier(StaticData::bundled()).classify(killmail), {}};
    result.values = Valuator(StaticData::bundled(), prices).value(killmail);
    return result;
}

} // namespace km::test
