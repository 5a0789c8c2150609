// zKillboard's npc/solo/awox on every real fixture, and the static data they rest on.
#include "TestDatabase.h"
#include "parse/KillmailParser.h"
#include "staticdata/StaticData.h"
#include "valuation/Flags.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>

using namespace km;

class TestFlags : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void staticDataIsBundled()
    {
        const StaticData& data = StaticData::bundled();
        QCOMPARE(data.typeCount(), 48037);
        QCOMPARE(data.solarSystemCount(), 8436);
        QCOMPARE(data.groupOf(670), 29); // Capsule
        QCOMPARE(data.categoryOf(670), 6);
        QCOMPARE(data.type(587)->name, QStringLiteral("Rifter"));
        const SolarSystemInfo* jita = data.solarSystem(30000142);
        QVERIFY(jita);
        QCOMPARE(jita->name, QStringLiteral("Jita"));
        QCOMPARE(jita->regionId, 10000002);
        QCOMPARE(data.regionName(10000002), QStringLiteral("The Forge"));
        QVERIFY(!data.type(999999999));
        QVERIFY(!data.categoryOf(999999999).has_value());
    }

    void matchesZkillboardOnEveryFixture()
    {
        const FlagClassifier classifier(StaticData::bundled());
        const QDir directory(test::dataPath(QStringLiteral("killmails")));
        int compared = 0;
        int npc = 0, solo = 0, awox = 0;
        for (const QString& file : directory.entryList({QStringLiteral("*.json")}, QDir::Files)) {
            QFile input(directory.filePath(file));
            QVERIFY(input.open(QIODevice::ReadOnly));
            const auto outcomes = KillmailParser::parseDocument(input.readAll(), file);
            const auto& parsed = std::get<ParsedKillmail>(outcomes.front());
            if (!parsed.zkb) {
                continue;
            }
            const KillFlags flags = classifier.classify(parsed.killmail);
            const KillFlags expected{parsed.zkb->npc, parsed.zkb->solo, parsed.zkb->awox};
            if (!(flags == expected)) {
                QFAIL(qPrintable(QStringLiteral("%1: ours npc=%2 solo=%3 awox=%4, zKillboard npc=%5 solo=%6 awox=%7")
                                     .arg(file)
                                     .arg(flags.npc)
                                     .arg(flags.solo)
                                     .arg(flags.awox)
                                     .arg(expected.npc)
                                     .arg(expected.solo)
                                     .arg(expected.awox)));
            }
            ++compared;
            npc += flags.npc;
            solo += flags.solo;
            awox += flags.awox;
        }
        QCOMPARE(compared, 283);
        // The fixtures exercise every flag, so a rule that always answers false would fail above.
        QVERIFY(npc > 0);
        QVERIFY(solo > 0);
        QVERIFY(awox > 0);
        qInfo("compared %d killmails: %d npc, %d solo, %d awox", compared, npc, solo, awox);
    }

    void unknownTypesDoNotBreakClassification()
    {
        Killmail killmail;
        killmail.killmailId = 1;
        killmail.victim.shipTypeId = 987654321; // a ship newer than the bundled static data
        killmail.victim.corporationId = 98000001;
        Attacker attacker;
        attacker.characterId = 2112000000;
        attacker.corporationId = 98000001;
        attacker.shipTypeId = 987654322;
        attacker.finalBlow = true;
        killmail.attackers.push_back(attacker);
        const KillFlags flags = FlagClassifier(StaticData::bundled()).classify(killmail);
        QCOMPARE(flags.npc, false);
        QCOMPARE(flags.solo, false); // not known to be a ship
        QCOMPARE(flags.awox, true);
    }
};

QTEST_GUILESS_MAIN(TestFlags)
#include "tst_flags.moc"
