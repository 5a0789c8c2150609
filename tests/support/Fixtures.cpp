#include "Fixtures.h"

#include "TestDatabase.h"
#include "parse/KillmailParser.h"
#include "prices/PriceBook.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/KillmailWriter.h"
#include "valuation/Flags.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

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

EsiFixture esiFixture(KillmailId id)
{
    const QString path = dataPath(QStringLiteral("killmails/%1.json").arg(id));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw std::runtime_error("cannot read fixture " + path.toStdString());
    }
    QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
    const QString hash = object.value(QLatin1StringView("zkb")).toObject().value(QLatin1StringView("hash")).toString();
    for (const char* wrapper : {"killmail", "esi"}) {
        if (object.value(QLatin1StringView(wrapper)).isObject()) {
            object = object.value(QLatin1StringView(wrapper)).toObject();
        }
    }
    object.remove(QLatin1StringView("zkb"));
    return {object.value(QLatin1StringView("killmail_id")).toInteger(), hash,
            QJsonDocument(object).toJson(QJsonDocument::Compact)};
}

std::vector<EsiFixture> allEsiFixtures()
{
    const QDir directory(dataPath(QStringLiteral("killmails")));
    std::vector<EsiFixture> fixtures;
    for (const QString& name : directory.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        EsiFixture fixture = esiFixture(QFileInfo(name).completeBaseName().toLongLong());
        if (!fixture.hash.isEmpty()) {
            fixtures.push_back(std::move(fixture));
        }
    }
    return fixtures;
}

Killmail fixtureKillmail(KillmailId id) { return parseFile(dataPath(QStringLiteral("killmails/%1.json").arg(id))); }

void compareItems(const std::vector<Item>& actual, const std::vector<Item>& expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(actual[i].typeId, expected[i].typeId);
        QCOMPARE(actual[i].flag, expected[i].flag);
        QCOMPARE(actual[i].quantityDestroyed, expected[i].quantityDestroyed);
        QCOMPARE(actual[i].quantityDropped, expected[i].quantityDropped);
        QCOMPARE(actual[i].singleton, expected[i].singleton);
        compareItems(actual[i].items, expected[i].items);
    }
}

ValuedKillmail valued(const Killmail& killmail, PriceSource& prices)
{
    ValuedKillmail result{killmail, FlagClassifier(StaticData::bundled()).classify(killmail), {}};
    result.values = Valuator(StaticData::bundled(), prices).value(killmail);
    return result;
}

void store(Database& database, const std::vector<Killmail>& killmails, const StaticData& staticData)
{
    PriceBook prices(database);
    Valuator valuator(staticData, prices);
    const FlagClassifier classifier(staticData);
    std::vector<ValuedKillmail> batch;
    for (const Killmail& killmail : killmails) {
        batch.push_back({killmail, classifier.classify(killmail), valuator.value(killmail)});
    }
    KillmailWriter::create(database, staticData)->write(batch);
}

KillValues storedValues(Database& database, KillmailId id)
{
    QSqlQuery query = database.exec(
        QStringLiteral(R"(SELECT "destroyedValue", "droppedValue", "fittedValue", "totalValue", "unpricedTypes"
FROM killmails WHERE "killmailId" = ?)"),
        {qint64(id)});
    if (!query.next()) {
        return {};
    }
    return KillValues{query.value(0).toDouble(), query.value(1).toDouble(), query.value(2).toDouble(),
                      query.value(3).toDouble(), query.value(4).toInt()};
}

} // namespace km::test
