// The translations: the real killmail-console speaks the system locale's language (German, Russian) and English
// where it has none; and every string of the sources is translated in every .ts file, keeping its placeholders
// and accelerator, so a new untranslated string fails here with its text named.
#include "ConsoleRun.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

using km::test::runConsole;
using Run = km::test::ConsoleRun;

namespace {

/// The console's environment in `language`, whatever the test's locale variables say.
QProcessEnvironment localeEnvironment(const QString& language)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString& name : {QStringLiteral("LANGUAGE"), QStringLiteral("LC_ALL"), QStringLiteral("LC_MESSAGES")}) {
        environment.remove(name);
    }
    environment.insert(QStringLiteral("LANG"), language);
    return environment;
}

/// One message of a .ts file, with the translation of each plural form (one when it has none).
struct Message {
    QString context;
    QString source;
    bool plural = false;
    QString type; // "unfinished", "vanished", "obsolete": not in use as it is
    QStringList translations;

    [[nodiscard]] QString where() const { return QStringLiteral("[%1] \"%2\"").arg(context, source); }
};

QList<Message> readMessages(const QString& path, QString& error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = file.errorString();
        return {};
    }
    QList<Message> messages;
    QString context;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) {
            continue;
        }
        if (xml.name() == u"name") {
            context = xml.readElementText();
        } else if (xml.name() == u"message") {
            messages.append({context, {}, xml.attributes().value(QStringLiteral("numerus")) == u"yes", {}, {}});
        } else if (messages.isEmpty()) {
            continue;
        } else if (xml.name() == u"source") {
            messages.last().source = xml.readElementText();
        } else if (xml.name() == u"translation") {
            messages.last().type = xml.attributes().value(QStringLiteral("type")).toString();
            if (!messages.last().plural) {
                messages.last().translations.append(xml.readElementText());
            }
        } else if (xml.name() == u"numerusform") {
            messages.last().translations.append(xml.readElementText());
        }
    }
    if (xml.hasError()) {
        error = xml.errorString();
    }
    return messages;
}

/// The placeholders (%1..%9, %L1, %n) of `text`, sorted: a translation must keep every one of the source's.
QStringList placeholders(const QString& text)
{
    static const QRegularExpression placeholder(QStringLiteral("%L?[1-9n]"));
    QStringList found;
    for (const QRegularExpressionMatch& match : placeholder.globalMatch(text)) {
        found.append(match.captured());
    }
    found.sort();
    return found;
}

/// How many accelerators (&F) `text` marks; "&&" is a literal ampersand.
qsizetype accelerators(QString text)
{
    static const QRegularExpression accelerator(QStringLiteral("&[^&\\s]"));
    return text.remove(QStringLiteral("&&")).count(accelerator);
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void helpFollowsTheSystemLocale_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("German") << QStringLiteral("de_DE.UTF-8")
                                << QStringList{QStringLiteral("Befehle:"),
                                               QStringLiteral("Nimmt Killmails aus EVE Online auf"),
                                               QStringLiteral("Die Engine ohne Fenster ausführen.")};
        QTest::newRow("Austrian German") << QStringLiteral("de_AT.UTF-8") << QStringList{QStringLiteral("Befehle:")};
        QTest::newRow("Russian") << QStringLiteral("ru_RU.UTF-8")
                                 << QStringList{QStringLiteral("Команды:"),
                                                QStringLiteral("Принимает киллмейлы EVE Online"),
                                                QStringLiteral("Запустить движок без окна.")};
        QTest::newRow("a language without a translation")
            << QStringLiteral("sw_KE.UTF-8")
            << QStringList{QStringLiteral("Commands:"),
                           QStringLiteral("Ingests EVE Online killmails, values and flags them as zKillboard does")};
    }

    void helpFollowsTheSystemLocale()
    {
        QFETCH(QString, language);
        QFETCH(QStringList, expected);
        const Run run = runConsole({QStringLiteral("--help")}, localeEnvironment(language));
        QCOMPARE(run.exitCode, 0);
        const QString out = QString::fromUtf8(run.out);
        for (const QString& text : expected) {
            QVERIFY2(out.contains(text), qPrintable(out));
        }
    }

    void subcommandsSpeakTheLanguageToo()
    {
        const Run help = runConsole({QStringLiteral("status"), QStringLiteral("--help")},
                                    localeEnvironment(QStringLiteral("de_DE")));
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(QString::fromUtf8(help.out).contains(QStringLiteral("JSON statt Text ausgeben.")),
                 help.out.constData());
        // The usage line names the subcommand, whatever Qt calls "[options]" in German.
        QVERIFY2(help.out.contains("killmail-console status ["), help.out.constData());

        const Run unknown = runConsole({QStringLiteral("no:such")}, localeEnvironment(QStringLiteral("ru_RU.UTF-8")));
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(QString::fromUtf8(unknown.err).contains(QStringLiteral("неизвестная команда 'no:such'")),
                 unknown.err.constData());
    }

    /// Each .ts file, refreshed from the sources as `update_translations` does (into a copy), has every message
    /// translated: a string added to the sources without a translation fails here.
    void everyStringIsTranslated_data()
    {
        QTest::addColumn<QString>("file");
        const QDir folder(QStringLiteral(KILLMAIL_SOURCE_DIR "/translations"));
        const QStringList files = folder.entryList({QStringLiteral("*.ts")}, QDir::Files);
        QVERIFY(files.contains(QStringLiteral("killmail-console_de.ts")));
        QVERIFY(files.contains(QStringLiteral("killmail-console_ru.ts")));
        for (const QString& name : files) {
            QTest::newRow(qPrintable(name)) << folder.filePath(name);
        }
    }

    void everyStringIsTranslated()
    {
        QFETCH(QString, file);
        QTemporaryDir dir;
        const QString copy = dir.filePath(QFileInfo(file).fileName());
        QVERIFY(QFile::copy(file, copy));
        QFile(copy).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QString sources = QStringLiteral(KILLMAIL_SOURCE_DIR "/src");
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        lupdate.start(QStringLiteral(KILLMAIL_LUPDATE),
                      {QStringLiteral("-silent"), QStringLiteral("-no-obsolete"), QStringLiteral("-locations"),
                       QStringLiteral("none"), QStringLiteral("-I"), sources + QStringLiteral("/engine"),
                       QStringLiteral("-I"), sources + QStringLiteral("/cli"), QStringLiteral("-I"),
                       sources + QStringLiteral("/ui"), sources, QStringLiteral("-ts"), copy});
        QVERIFY(lupdate.waitForFinished(-1));
        QVERIFY2(lupdate.exitCode() == 0, lupdate.readAll().constData());

        QString error;
        const QList<Message> messages = readMessages(copy, error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!messages.isEmpty());
        QStringList untranslated;
        QStringList broken;
        for (const Message& message : messages) {
            if (!message.type.isEmpty() || message.translations.isEmpty() || message.translations.contains(QString())) {
                untranslated.append(message.where());
                continue;
            }
            for (const QString& translation : message.translations) {
                if (placeholders(translation) != placeholders(message.source)
                    || accelerators(translation) != accelerators(message.source)) {
                    broken.append(QStringLiteral("%1 -> \"%2\"").arg(message.where(), translation));
                }
            }
        }
        // lupdate revives an entry marked obsolete that the sources use again, but the build leaves out the entries
        // the .ts file itself marks so: the program would show those in English.
        QSet<QString> used;
        for (const Message& message : messages) {
            used.insert(message.where());
        }
        const QList<Message> committed = readMessages(file, error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const Message& message : committed) {
            if ((message.type == u"vanished" || message.type == u"obsolete") && used.contains(message.where())) {
                untranslated.append(message.where() + QStringLiteral(" (marked obsolete, but used)"));
            }
        }
        QVERIFY2(untranslated.isEmpty(),
                 qPrintable(QStringLiteral("%1 strings not translated in %2 (run the update_translations target, "
                                           "then translate them):\n  %3")
                                .arg(untranslated.size())
                                .arg(QFileInfo(file).fileName(), untranslated.join(QStringLiteral("\n  ")))));
        QVERIFY2(broken.isEmpty(),
                 qPrintable(QStringLiteral("translations that lose or add a placeholder or accelerator:\n  %1")
                                .arg(broken.join(QStringLiteral("\n  ")))));
    }

    void placeholderCheckSeesWhatATranslationLoses()
    {
        QCOMPARE(
            placeholders(QStringLiteral("%L1 of %2, %n left (%1%)")),
            (QStringList{QStringLiteral("%1"), QStringLiteral("%2"), QStringLiteral("%L1"), QStringLiteral("%n")}));
        QVERIFY(placeholders(QStringLiteral("%1 von %2")) != placeholders(QStringLiteral("%1 of %2 (%3)")));
        QCOMPARE(accelerators(QStringLiteral("&Pause && resume")), 1);
        QCOMPARE(accelerators(QStringLiteral("Pause & resume")), 0);
    }
};

QTEST_GUILESS_MAIN(TestTranslations)

#include "tst_translations.moc"
