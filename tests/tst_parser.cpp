// Parsing every killmail shape a consumer meets, and refusing bad input with errors that name the field.
#include "TestDatabase.h"
#include "parse/KillmailParser.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace km;

namespace {

QByteArray fixture(const QString& name)
{
    QFile file(test::dataPath(QStringLiteral("killmails/") + name));
    if (!file.open(QIODevice::ReadOnly)) {
        qFatal("missing fixture %s", qPrintable(name));
    }
    return file.readAll();
}

QJsonObject fixtureObject(const QString& name) { return QJsonDocument::fromJson(fixture(name)).object(); }

/// The fixture's plain ESI body (the "killmail" object of a RedisQ package, or the zKillboard object minus zkb).
QJsonObject esiBodyOf(const QString& name)
{
    QJsonObject object = fixtureObject(name);
    if (object.contains(QStringLiteral("killmail"))) {
        return object.value(QStringLiteral("killmail")).toObject();
    }
    if (object.contains(QStringLiteral("esi"))) {
        return object.value(QStringLiteral("esi")).toObject();
    }
    object.remove(QStringLiteral("zkb"));
    return object;
}

QByteArray toJson(const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); }

ParsedKillmail parsedOrFail(const QByteArray& json)
{
    const auto outcomes = KillmailParser::parseDocument(json, QStringLiteral("test"));
    if (outcomes.size() != 1 || !std::holds_alternative<ParsedKillmail>(outcomes.front())) {
        const auto* error = outcomes.empty() ? nullptr : std::get_if<ParseError>(&outcomes.front());
        qFatal("expected one killmail, got %s", error ? qPrintable(error->toString()) : "something else");
    }
    return std::get<ParsedKillmail>(outcomes.front());
}

QString errorOf(const QByteArray& json)
{
    const auto outcomes = KillmailParser::parseDocument(json, QStringLiteral("bad.json"));
    if (outcomes.size() != 1 || !std::holds_alternative<ParseError>(outcomes.front())) {
        return QStringLiteral("<no error>");
    }
    return std::get<ParseError>(outcomes.front()).toString();
}

} // namespace

class TestParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFixtureParses()
    {
        const QDir directory(test::dataPath(QStringLiteral("killmails")));
        const QStringList files = directory.entryList({QStringLiteral("*.json")}, QDir::Files);
        QCOMPARE(files.size(), 294);
        for (const QString& file : files) {
            const auto outcomes = KillmailParser::parseDocument(fixture(file), file);
            QCOMPARE(outcomes.size(), std::size_t(1));
            const auto* parsed = std::get_if<ParsedKillmail>(&outcomes.front());
            if (!parsed) {
                QFAIL(qPrintable(file + QStringLiteral(": ") + std::get<ParseError>(outcomes.front()).toString()));
            }
            QCOMPARE(QString::number(parsed->killmail.killmailId) + QStringLiteral(".json"), file);
            QVERIFY(!parsed->killmail.attackers.empty());
        }
    }

    void zkillboardObject()
    {
        const ParsedKillmail parsed = parsedOrFail(fixture(QStringLiteral("39077457.json")));
        QCOMPARE(parsed.killmail.killmailId, 39077457);
        QVERIFY(parsed.zkb.has_value());
        QVERIFY(parsed.zkb->awox);
        QCOMPARE(parsed.killmail.hash.size(), 40);
    }

    void r2z2Record()
    {
        const ParsedKillmail parsed = parsedOrFail(fixture(QStringLiteral("134435757.json")));
        const QJsonObject record = fixtureObject(QStringLiteral("134435757.json"));
        QCOMPARE(parsed.killmail.hash, record.value(QStringLiteral("hash")).toString());
        QCOMPARE(parsed.killmail.solarSystemId,
                 record.value(QStringLiteral("esi")).toObject().value(QStringLiteral("solar_system_id")).toInt());
        QVERIFY(parsed.zkb.has_value());
    }

    void redisqPackageWithAndWithoutKillmail()
    {
        const QString name = QStringLiteral("132462203.json");
        QJsonObject content = fixtureObject(name);
        if (!content.contains(QStringLiteral("killID"))) {
            QJsonObject package{{QStringLiteral("killID"), content.value(QStringLiteral("killmail_id"))},
                                {QStringLiteral("killmail"), esiBodyOf(name)},
                                {QStringLiteral("zkb"), content.value(QStringLiteral("zkb"))}};
            content = package;
        }
        const QJsonObject wrapped{{QStringLiteral("package"), content}};
        const ParsedKillmail parsed = parsedOrFail(toJson(wrapped));
        QCOMPARE(parsed.killmail.killmailId, 132462203);
        QCOMPARE(parsed.killmail.hash,
                 content.value(QStringLiteral("zkb")).toObject().value(QStringLiteral("hash")).toString());

        content.remove(QStringLiteral("killmail")); // the 2025 form: id and hash only
        const auto outcomes = KillmailParser::parseDocument(toJson(QJsonObject{{QStringLiteral("package"), content}}),
                                                            QStringLiteral("redisq"));
        const auto* reference = std::get_if<KillmailReference>(&outcomes.front());
        QVERIFY(reference);
        QCOMPARE(reference->killmailId, 132462203);
        QCOMPARE(reference->hash, parsed.killmail.hash);

        QVERIFY(errorOf(R"({"package": null})").contains(QStringLiteral("empty")));
    }

    void bareEsiBodyAndEveRefEntry()
    {
        const QJsonObject body = esiBodyOf(QStringLiteral("39077457.json"));
        const ParsedKillmail bare = parsedOrFail(toJson(body));
        QVERIFY(bare.killmail.hash.isEmpty());
        QVERIFY(!bare.zkb.has_value());

        QJsonObject everef = body;
        everef.insert(QStringLiteral("killmail_hash"), QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        everef.insert(QStringLiteral("http_last_modified"), QStringLiteral("2024-01-01T00:00:00Z"));
        const ParsedKillmail entry = parsedOrFail(toJson(everef));
        QCOMPARE(entry.killmail.hash, QStringLiteral("0123456789abcdef0123456789abcdef01234567"));

        const auto withHash = KillmailParser::parseEsiBody(
            toJson(body), QStringLiteral("0123456789abcdef0123456789abcdef01234567"), QStringLiteral("esi"));
        QVERIFY(std::holds_alternative<ParsedKillmail>(withHash));
    }

    void eveKillDocumentIsAReference()
    {
        const auto outcomes = KillmailParser::parseDocument(
            R"({"killmail_id": 123, "killmail_hash": "0123456789abcdef0123456789abcdef01234567", "total_value": 5})",
            QStringLiteral("ek"));
        const auto* reference = std::get_if<KillmailReference>(&outcomes.front());
        QVERIFY(reference);
        QCOMPARE(reference->killmailId, 123);
    }

    void arraysAndHistoryDayFiles()
    {
        const QByteArray array =
            "[" + fixture(QStringLiteral("39077457.json")) + "," + fixture(QStringLiteral("134435757.json")) + ", 5]";
        const auto outcomes = KillmailParser::parseDocument(array, QStringLiteral("list.json"));
        QCOMPARE(outcomes.size(), std::size_t(3));
        QVERIFY(std::holds_alternative<ParsedKillmail>(outcomes[0]));
        QVERIFY(std::holds_alternative<ParsedKillmail>(outcomes[1]));
        QCOMPARE(std::get<ParseError>(outcomes[2]).where, QStringLiteral("list.json[2]"));

        const auto hashes = KillmailParser::parseDocument(
            R"({"100": "0123456789abcdef0123456789abcdef01234567", "101": "nothex"})", QStringLiteral("20240101.json"));
        QCOMPARE(hashes.size(), std::size_t(2));
        QVERIFY(std::holds_alternative<KillmailReference>(hashes[0]));
        QVERIFY(std::get<ParseError>(hashes[1]).toString().contains(QStringLiteral("20240101.json: 101")));

        const QJsonObject raw{{QStringLiteral("39077457"), esiBodyOf(QStringLiteral("39077457.json"))},
                              {QStringLiteral("5"), esiBodyOf(QStringLiteral("39077457.json"))}};
        const auto rawOutcomes = KillmailParser::parseDocument(toJson(raw), QStringLiteral("raw.json"));
        QCOMPARE(rawOutcomes.size(), std::size_t(2));
        int bodies = 0;
        int mismatches = 0;
        for (const auto& outcome : rawOutcomes) {
            bodies += std::holds_alternative<ParsedKillmail>(outcome) ? 1 : 0;
            if (const auto* error = std::get_if<ParseError>(&outcome)) {
                mismatches += error->message.contains(QStringLiteral("holds killmail 39077457")) ? 1 : 0;
            }
        }
        QCOMPARE(bodies, 1);
        QCOMPARE(mismatches, 1);
    }

    void nestedItemsStayWithTheirParent()
    {
        const ParsedKillmail parsed = parsedOrFail(fixture(QStringLiteral("119689329.json")));
        int containersWithContents = 0;
        int nested = 0;
        for (const Item& item : parsed.killmail.victim.items) {
            if (!item.items.empty()) {
                ++containersWithContents;
                nested += int(item.items.size());
            }
        }
        QVERIFY(containersWithContents >= 1);
        QVERIFY(nested >= 2);
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing id") << "remove:killmail_id"
                                    << "killmail_id: required field is missing";
        QTest::newRow("string id") << "string:killmail_id"
                                   << "killmail_id: expected an integer, got a string";
        QTest::newRow("missing time") << "remove:killmail_time"
                                      << "killmail_time: required field is missing";
        QTest::newRow("bad time") << "badtime"
                                  << "killmail_time: '2024-13-45T00:00:00Z' is not an ISO 8601";
        QTest::newRow("year 1") << "time:0001-01-01T00:00:00Z"
                                << "killmail 39077457: killmail_time 0001-01-01T00:00:00Z is before EVE Online opened "
                                   "(2003-05-06)";
        QTest::newRow("year 9999") << "time:9999-12-31T23:59:59Z"
                                   << "killmail 39077457: killmail_time 9999-12-31T23:59:59Z is more than a day in the "
                                      "future";
        QTest::newRow("the day before launch") << "time:2003-05-05T23:59:59Z"
                                               << "killmail 39077457: killmail_time 2003-05-05T23:59:59Z is before";
        QTest::newRow("missing victim") << "remove:victim"
                                        << "victim: required field is missing";
        QTest::newRow("no attackers") << "emptyattackers"
                                      << "attackers: a killmail needs at least one attacker";
        QTest::newRow("missing ship") << "victimship"
                                      << "victim.ship_type_id: required field is missing";
        QTest::newRow("negative quantity") << "negative"
                                           << "victim.items[0].quantity_destroyed: must not be negative";
        QTest::newRow("attacker not object") << "attackerscalar"
                                             << "attackers[0]: expected an object, got a number";
        QTest::newRow("fractional id") << "fraction"
                                       << "solar_system_id: expected an integer, got 3.5";
        QTest::newRow("bad hash") << "badhash"
                                  << "zkb.hash: 'xyz' is not a killmail hash";
    }

    void rejectsBadInput()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, expected);
        // A bare ESI body: with a zkb block and no victim, an object is a zKillboard list entry (a reference).
        QJsonObject object = mutation == QStringLiteral("badhash") ? fixtureObject(QStringLiteral("39077457.json"))
                                                                   : esiBodyOf(QStringLiteral("39077457.json"));
        if (mutation.startsWith(QStringLiteral("remove:"))) {
            object.remove(mutation.mid(7));
        } else if (mutation.startsWith(QStringLiteral("string:"))) {
            object.insert(mutation.mid(7), QStringLiteral("39077457"));
        } else if (mutation.startsWith(QStringLiteral("time:"))) {
            object.insert(QStringLiteral("killmail_time"), mutation.mid(5));
        } else if (mutation == QStringLiteral("badtime")) {
            object.insert(QStringLiteral("killmail_time"), QStringLiteral("2024-13-45T00:00:00Z"));
        } else if (mutation == QStringLiteral("emptyattackers")) {
            object.insert(QStringLiteral("attackers"), QJsonArray());
        } else if (mutation == QStringLiteral("attackerscalar")) {
            object.insert(QStringLiteral("attackers"), QJsonArray{5});
        } else if (mutation == QStringLiteral("fraction")) {
            object.insert(QStringLiteral("solar_system_id"), 3.5);
        } else if (mutation == QStringLiteral("badhash")) {
            QJsonObject zkb = object.value(QStringLiteral("zkb")).toObject();
            zkb.insert(QStringLiteral("hash"), QStringLiteral("xyz"));
            object.insert(QStringLiteral("zkb"), zkb);
        } else {
            QJsonObject victim = object.value(QStringLiteral("victim")).toObject();
            if (mutation == QStringLiteral("victimship")) {
                victim.remove(QStringLiteral("ship_type_id"));
            } else {
                QJsonArray items = victim.value(QStringLiteral("items")).toArray();
                QVERIFY(!items.isEmpty());
                QJsonObject item = items.at(0).toObject();
                item.insert(QStringLiteral("quantity_destroyed"), -1);
                items.replace(0, item);
                victim.insert(QStringLiteral("items"), items);
            }
            object.insert(QStringLiteral("victim"), victim);
        }
        const QString error = errorOf(toJson(object));
        QVERIFY2(error.startsWith(QStringLiteral("bad.json: ") + expected), qPrintable(error));
    }

    void idsBeyondAnyIntegerNameTheirField_data()
    {
        QTest::addColumn<QByteArray>("id");
        QTest::newRow("2^63") << QByteArray("9223372036854775808");
        QTest::newRow("2^64") << QByteArray("18446744073709551616");
        QTest::newRow("1e30") << QByteArray("1000000000000000000000000000000");
    }

    void idsBeyondAnyIntegerNameTheirField()
    {
        QFETCH(QByteArray, id);
        QByteArray json = toJson(esiBodyOf(QStringLiteral("39077457.json")));
        QVERIFY(json.contains("\"killmail_id\":39077457"));
        json.replace("\"killmail_id\":39077457", "\"killmail_id\":" + id);
        const QString error = errorOf(json);
        QVERIFY2(error.startsWith(QStringLiteral("bad.json: killmail_id: ")), qPrintable(error));
        QByteArray character = toJson(esiBodyOf(QStringLiteral("39077457.json")));
        const qsizetype at = character.indexOf("\"character_id\":");
        QVERIFY(at > 0);
        character.insert(at + 15, id + ",\"x\":");
        const QString nested = errorOf(character);
        QVERIFY2(nested.contains(QStringLiteral("character_id")), qPrintable(nested));
    }

    void survivesMangledInput()
    {
        // Every prefix and many single-byte corruptions of real killmails: an error or a killmail, never a crash.
        QRandomGenerator random(20261129);
        int errors = 0;
        for (const QString& name :
             {QStringLiteral("119689329.json"), QStringLiteral("134435757.json"), QStringLiteral("39077457.json")}) {
            const QByteArray original = fixture(name);
            for (qsizetype length = 0; length < original.size(); length += 7) {
                const auto outcomes = KillmailParser::parseDocument(original.left(length), name);
                errors += std::holds_alternative<ParseError>(outcomes.front()) ? 1 : 0;
            }
            for (int round = 0; round < 2000; ++round) {
                QByteArray mangled = original;
                mangled[random.bounded(int(mangled.size()))] = char(random.bounded(256));
                for (const ParseOutcome& outcome : KillmailParser::parseDocument(mangled, name)) {
                    if (const auto* error = std::get_if<ParseError>(&outcome)) {
                        QVERIFY(!error->message.isEmpty());
                        ++errors;
                    }
                }
            }
        }
        QVERIFY(errors > 1000);
    }

    void rejectsMalformedDocuments()
    {
        const QByteArray full = fixture(QStringLiteral("39077457.json"));
        QVERIFY(errorOf(full.left(full.size() / 2)).contains(QStringLiteral("malformed JSON at byte")));
        QVERIFY(errorOf("").contains(QStringLiteral("malformed JSON")));
        QVERIFY2(errorOf("42").startsWith(QStringLiteral("bad.json: ")), qPrintable(errorOf("42")));
        QVERIFY2(errorOf("\"text\"").startsWith(QStringLiteral("bad.json: ")), qPrintable(errorOf("\"text\"")));
        QVERIFY(errorOf(QByteArray("\x00\xff\xfe garbage", 12)).contains(QStringLiteral("malformed JSON")));
    }
};

QTEST_GUILESS_MAIN(TestParser)
#include "tst_parser.moc"
