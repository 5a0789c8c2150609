// The console's settings dialog over the engine's settings table: values edited in the window are written to the
// config file the CLI reads (a real `killmail-console config:show` shows them, a flag or an environment variable
// still overriding the file), come back on reload, and a refused value is shown with the table's message and
// writes nothing. "Test connection" opens a real connection off the GUI thread. The dialog has no item model: its
// editors are plain widgets, so there is nothing for QAbstractItemModelTester to watch.
#include "ConsoleRun.h"
#include "TestDatabase.h"

#include "MainWindow.h"
#include "config/ConfigFile.h"
#include "config/SettingsTable.h"
#include "runtime/Engine.h"
#include "settings/SettingField.h"
#include "settings/SettingsDialog.h"
#include "staticdata/StaticData.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace km;
using namespace km::ui;

namespace {

constexpr int waitMs = 60000;

const QByteArray initialFile = "; kept: the operator's own comment\n"
                               "[history]\n"
                               "url = http://history.example\n";

QByteArray contentsOf(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// The settings as a console started with `--redisq-url http://flagged.example` and KILLMAIL_CONFIG=`file` reads
/// them.
Configuration startedWith(const QString& file)
{
    QString error;
    const auto flags = [](const Setting& setting) -> std::optional<QString> {
        if (setting.key == QLatin1StringView("redisq/url")) {
            return QStringLiteral("http://flagged.example");
        }
        return std::nullopt;
    };
    std::optional<Configuration> configuration = SettingsTable::read(flags, file, error);
    if (!configuration) {
        qFatal("%s", qPrintable(error));
    }
    return *configuration;
}

test::ConsoleRun configShow(const QString& file, const QStringList& unset = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("KILLMAIL_CONFIG"), file);
    for (const QString& name : unset) {
        environment.remove(name);
    }
    return test::runConsole({QStringLiteral("config:show")}, environment);
}

QPushButton* button(const SettingsDialog& dialog, QDialogButtonBox::StandardButton which)
{
    return dialog.findChild<QDialogButtonBox*>()->button(which);
}

void type(SettingsDialog& dialog, const QString& key, const QString& text)
{
    QLineEdit& line = *dialog.field(key)->lineEdit();
    line.selectAll();
    QTest::keyClicks(&line, text);
}

void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString folder = QStringLiteral(KILLMAIL_SCREENSHOT_DIR);
    QVERIFY(QDir().mkpath(folder));
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest); // a label just set takes its lines
    QVERIFY(widget.grab().save(folder + u'/' + name + QStringLiteral(".png")));
}

} // namespace

class ConsoleSettingsTest : public QObject {
    Q_OBJECT
public:
    explicit ConsoleSettingsTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void writtenValuesReadBackAsWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new/killmail-console.conf"));
        const QString contact = QStringLiteral(R"(a "quoted" \back\slash, comma; semi = äö ✓)");
        QString error;
        QVERIFY2(ConfigFile::write(path,
                                   {{QStringLiteral("esi/contact"), contact},
                                    {QStringLiteral("redisq/queue-id"), QStringLiteral("@Invalid()")}},
                                   error),
                 qPrintable(error));
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        const QSettings settings(path, QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("esi/contact")).toString(), contact);
        QCOMPARE(settings.value(QStringLiteral("redisq/queue-id")).toString(), QStringLiteral("@Invalid()"));
        const test::ConsoleRun run = configShow(path);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(
            QString::fromUtf8(run.out).contains(QStringLiteral("contact = %1  ; %2: esi/contact").arg(contact, path)),
            run.out.constData());

        QVERIFY(!ConfigFile::write(path, {{QStringLiteral("esi/bogus"), QStringLiteral("x")}}, error));
        QCOMPARE(error, QStringLiteral("unknown setting 'esi/bogus' (section/name)"));
        QVERIFY(!ConfigFile::write(path, {{QStringLiteral("metrics/port"), QStringLiteral("70000")}}, error));
        QCOMPARE(error, QStringLiteral("metrics/port: '70000' is not a whole number from 0 to 65535"));
    }

    void editedSettingsAreSavedAndTheCliReadsThem()
    {
        test::TestDatabase db(m_backend);
        QTemporaryDir dir;
        const QString path = test::writeConfigFile(dir, initialFile);
        QVERIFY(!path.isEmpty());
        SettingsDialog dialog(startedWith(path));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.configFile(), path);

        // Where each value comes from.
        QCOMPARE(dialog.originText(QStringLiteral("history/url")), QStringLiteral("From the config file"));
        QCOMPARE(dialog.field(QStringLiteral("history/url"))->text(), QStringLiteral("http://history.example"));
        QVERIFY(dialog.originText(QStringLiteral("redisq/url")).contains(QStringLiteral("--redisq-url")));
        QVERIFY(dialog.originText(QStringLiteral("redisq/url")).contains(QStringLiteral("overrides the config file")));
        QVERIFY(dialog.originText(QStringLiteral("sources/live")).contains(QStringLiteral("KILLMAIL_SOURCES")));
        QCOMPARE(dialog.originText(QStringLiteral("esi/contact")), QStringLiteral("Default (not in the config file)"));

        // Edit one setting of each kind of editor.
        type(dialog, QStringLiteral("esi/contact"), QStringLiteral("ops@example.org"));
        dialog.field(QStringLiteral("workers/concurrency"))->findChild<QSpinBox*>()->setValue(25);
        QCheckBox* entityUpdates = dialog.field(QStringLiteral("workers/entity-updates"))->findChild<QCheckBox*>();
        QVERIFY(entityUpdates->isChecked());
        QTest::mouseClick(entityUpdates, Qt::LeftButton);
        type(dialog, QStringLiteral("ekws/topics"), QStringLiteral("region:10000002"));
        for (QCheckBox* feed : dialog.field(QStringLiteral("sources/live"))->findChildren<QCheckBox*>()) {
            feed->setChecked(feed->text() == QLatin1StringView("redisq"));
        }
        type(dialog, QStringLiteral("database/url"), db.urlText());
        QTest::mouseClick(button(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        saveScreenshot(dialog, QStringLiteral("settings-%1").arg(m_backend == Backend::Sqlite ? "sqlite" : "postgres"));
        if (m_backend == Backend::Sqlite) {
            saveScreenshot(dialog, QStringLiteral("settings"));
        }
        const QString status = dialog.statusLabel()->text();
        QVERIFY2(status.contains(QStringLiteral("Restart needed")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("Contact")), qPrintable(status));
        // Overridden by KILLMAIL_SOURCES: the running engine's value does not change.
        QVERIFY2(!status.contains(QStringLiteral("Live feeds")), qPrintable(status));

        // The file: the new values, and what was there before kept.
        const QByteArray written = contentsOf(path);
        QVERIFY2(written.startsWith(initialFile), written.constData());
        const QSettings file(path, QSettings::IniFormat);
        QCOMPARE(file.value(QStringLiteral("esi/contact")).toString(), QStringLiteral("ops@example.org"));
        QCOMPARE(file.value(QStringLiteral("workers/concurrency")).toString(), QStringLiteral("25"));
        QCOMPARE(file.value(QStringLiteral("workers/entity-updates")).toString(), QStringLiteral("false"));
        QCOMPARE(file.value(QStringLiteral("sources/live")).toString(), QStringLiteral("redisq"));
        QCOMPARE(file.value(QStringLiteral("database/url")).toString(), db.urlText());
        QVERIFY2(!file.contains(QStringLiteral("r2z2/url")), written.constData()); // only what changed is written

        // The CLI reads it; an environment variable still overrides the file.
        const test::ConsoleRun run = configShow(path);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString shown = QString::fromUtf8(run.out);
        const QString fromFile = QStringLiteral("  ; %1: ").arg(path);
        for (const QString& line :
             {QStringLiteral("contact = ops@example.org") + fromFile + QStringLiteral("esi/contact"),
              QStringLiteral("concurrency = 25") + fromFile + QStringLiteral("workers/concurrency"),
              QStringLiteral("entity-updates = false") + fromFile + QStringLiteral("workers/entity-updates"),
              QStringLiteral("topics = region:10000002") + fromFile + QStringLiteral("ekws/topics"),
              QStringLiteral("url = %1").arg(db.url().redacted()) + fromFile + QStringLiteral("database/url"),
              QStringLiteral("url = http://history.example") + fromFile + QStringLiteral("history/url"),
              QStringLiteral("live = none  ; KILLMAIL_SOURCES")}) {
            QVERIFY2(shown.contains(line), qPrintable(line + u'\n' + shown));
        }
        const test::ConsoleRun unset = configShow(path, {QStringLiteral("KILLMAIL_SOURCES")});
        QVERIFY2(unset.out.contains(("live = redisq" + fromFile + QStringLiteral("sources/live")).toUtf8()),
                 unset.out.constData());

        // Reloaded (and a new dialog): the saved values, from the file.
        type(dialog, QStringLiteral("esi/contact"), QStringLiteral("not saved"));
        QTest::mouseClick(button(dialog, QDialogButtonBox::Reset), Qt::LeftButton);
        for (SettingsDialog* shownDialog : {&dialog, new SettingsDialog(startedWith(path), &dialog)}) {
            QCOMPARE(shownDialog->field(QStringLiteral("esi/contact"))->text(), QStringLiteral("ops@example.org"));
            QCOMPARE(shownDialog->originText(QStringLiteral("esi/contact")), QStringLiteral("From the config file"));
            QCOMPARE(shownDialog->field(QStringLiteral("workers/concurrency"))->text(), QStringLiteral("25"));
            QCOMPARE(shownDialog->field(QStringLiteral("workers/entity-updates"))->text(), QStringLiteral("false"));
            QCOMPARE(shownDialog->field(QStringLiteral("ekws/topics"))->text(), QStringLiteral("region:10000002"));
        }
    }

    void aRefusedValueIsShownWithTheTablesMessageAndNothingIsWritten()
    {
        // No config file yet: Save would make the default one.
        SettingsDialog dialog(startedWith(QString()));
        QCOMPARE(dialog.configFile(), SettingsTable::defaultConfigFile());
        QVERIFY(!QFile::exists(dialog.configFile()));
        type(dialog, QStringLiteral("esi/contact"), QStringLiteral("ops@example.org"));
        type(dialog, QStringLiteral("r2z2/url"), QStringLiteral("not a url"));
        const QString message = *SettingsTable::find(QStringLiteral("r2z2/url"))->problem(QStringLiteral("not a url"));
        QCOMPARE(message, QStringLiteral("'not a url' is not a http/https URL"));
        QCOMPARE(dialog.problemText(QStringLiteral("r2z2/url")), message); // as soon as it is typed
        QTest::mouseClick(button(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        QVERIFY2(dialog.statusLabel()->text().startsWith(QStringLiteral("Not saved")),
                 qPrintable(dialog.statusLabel()->text()));
        QVERIFY(dialog.statusLabel()->text().contains(message));
        QVERIFY(!QFile::exists(dialog.configFile()));

        type(dialog, QStringLiteral("r2z2/url"), QStringLiteral("https://r2z2.example"));
        QVERIFY(dialog.problemText(QStringLiteral("r2z2/url")).isEmpty());
        QVERIFY(dialog.save());
        QVERIFY(QFile::remove(dialog.configFile()));
    }

    void theDatabasePasswordIsNeverShown()
    {
        QTemporaryDir dir;
        const QString path = test::writeConfigFile(dir, "[database]\nurl = postgresql://u:s3cret@127.0.0.1:9/db\n");
        SettingsDialog dialog(startedWith(path));
        const QString shown = dialog.field(QStringLiteral("database/url"))->text();
        QVERIFY2(!shown.contains(QStringLiteral("s3cret")) && shown.contains(QStringLiteral("***")), qPrintable(shown));

        // Another host, the masked password left as it is: the real one is written.
        type(dialog, QStringLiteral("database/url"), QStringLiteral("postgresql://u:***@127.0.0.2:9/db"));
        QVERIFY(dialog.save());
        QCOMPARE(QSettings(path, QSettings::IniFormat).value(QStringLiteral("database/url")).toString(),
                 QStringLiteral("postgresql://u:s3cret@127.0.0.2:9/db"));

        QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testButton()->isEnabled(), waitMs);
        const QString result = dialog.testResultLabel()->text();
        QVERIFY2(result.startsWith(QStringLiteral("Cannot connect: ")), qPrintable(result));
        QVERIFY2(!result.contains(QStringLiteral("s3cret")), qPrintable(result));

        // Nor in the message beside a malformed URL.
        type(dialog, QStringLiteral("database/url"), QStringLiteral("postgresql://u:s3cret@127.0.0.2:9x/db"));
        const QString problem = dialog.problemText(QStringLiteral("database/url"));
        QVERIFY2(problem.contains(QStringLiteral("postgresql://u:***@127.0.0.2:9x/db")), qPrintable(problem));
    }

    void theWindowOpensTheDialogOnTheSettingsItStartedWith()
    {
        test::TestDatabase db(m_backend);
        QTemporaryDir dir;
        const QString path = test::writeConfigFile(dir, initialFile);
        EngineSettings settings;
        settings.sources.live.clear();
        Engine engine(db.url(), settings); // not started: the dialog needs nothing of it
        MainWindow window(engine, StaticData::bundled());
        window.setConfiguration(startedWith(path));
        QAction* open = nullptr;
        for (QAction* action : window.menuBar()->actions().front()->menu()->actions()) {
            open = action->text() == QStringLiteral("&Settings…") ? action : open;
        }
        QVERIFY(open);
        open->trigger();
        open->trigger(); // one dialog at a time
        QCOMPARE(window.findChildren<SettingsDialog*>().size(), qsizetype(1));
        SettingsDialog& dialog = *window.findChild<SettingsDialog*>();
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.configFile(), path);
        QVERIFY(dialog.originText(QStringLiteral("redisq/url")).contains(QStringLiteral("--redisq-url")));
        dialog.close();
        QTRY_VERIFY_WITH_TIMEOUT(window.findChildren<SettingsDialog*>().isEmpty(), waitMs);
    }

    void testConnectionReportsSuccessAndErrorsWithoutBlocking()
    {
        test::TestDatabase db(m_backend);
        SettingsDialog dialog(startedWith(QString()));
        const auto startTest = [&dialog](const QString& url) {
            type(dialog, QStringLiteral("database/url"), url);
            QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        };
        startTest(db.urlText());
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testButton()->isEnabled(), waitMs);
        QCOMPARE(dialog.testResultLabel()->text(), QStringLiteral("Connected to %1").arg(db.url().redacted()));

        // SQLite under a folder that cannot be made (a file stands where it goes); PostgreSQL on a closed port.
        QTemporaryDir dir;
        const QString blocker = test::writeConfigFile(dir, "not a folder");
        startTest(m_backend == Backend::Sqlite ? QStringLiteral("sqlite://%1/killmails.db").arg(blocker)
                                               : QStringLiteral("postgresql://killmail@127.0.0.1:9/killmail"));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testButton()->isEnabled(), waitMs);
        QString result = dialog.testResultLabel()->text();
        QVERIFY2(result.startsWith(QStringLiteral("Cannot connect: ")), qPrintable(result));

        // A server that never answers: the window goes on while the connection waits out its timeout.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        startTest(QStringLiteral("postgresql://u@127.0.0.1:%1/db?connect_timeout=2").arg(silent.serverPort()));
        QVERIFY(!dialog.testButton()->isEnabled());
        QVERIFY2(dialog.testResultLabel()->text().startsWith(QStringLiteral("Connecting to")),
                 qPrintable(dialog.testResultLabel()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testButton()->isEnabled(), waitMs);
        result = dialog.testResultLabel()->text();
        QVERIFY2(result.contains(QStringLiteral("did not answer within 2 s")), qPrintable(result));
    }
};

int main(int argc, char** argv)
{
    // The default config file goes to a folder of the test's own.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    QApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    ConsoleSettingsTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console_settings.moc"
