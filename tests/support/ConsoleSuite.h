#pragma once

#include "TestDatabase.h"
#include "Translations.h"

#include <QApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

namespace km::test {

/// The language the window is shown in (KILLMAIL_TEST_LANGUAGE, e.g. "de"); empty for English, the sources'.
inline QString testLanguage() { return qEnvironmentVariable("KILLMAIL_TEST_LANGUAGE"); }

/// Saves `widget` as `name`.png into the suite's KILLMAIL_SCREENSHOT_DIR (`name`_de.png when the test runs in German).
inline void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString folder = QStringLiteral(KILLMAIL_SCREENSHOT_DIR);
    QVERIFY(QDir().mkpath(folder));
    const QString suffix = testLanguage().isEmpty() ? QString() : u'_' + testLanguage();
    QVERIFY(widget.grab().save(folder + u'/' + name + suffix + QStringLiteral(".png")));
}

/// Shows the window in the test's language as the program would in that locale: its strings, and numbers and dates
/// written as that language writes them. False when the program has no translation for it.
inline bool useTestLanguage()
{
    if (testLanguage().isEmpty()) {
        return true;
    }
    QLocale::setDefault(QLocale(testLanguage()));
    return cli::installTranslations(QLocale());
}

/// Runs a console suite (constructed with the backend named on the command line) with the window's settings in a
/// folder of its own, the application named as the program names itself so that they land where the program's would.
template <typename Suite>
int runConsoleSuite(int argc, char** argv)
{
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    QApplication app(argc, argv);
    if (!useTestLanguage()) {
        qCritical("no translation for KILLMAIL_TEST_LANGUAGE=%s", qPrintable(testLanguage()));
        return 1;
    }
    QCoreApplication::setOrganizationName(QStringLiteral("killmail-console"));
    QCoreApplication::setApplicationName(QStringLiteral("killmail-console"));
    const Backend backend = TestDatabase::backendFromArguments(argc, argv);
    Suite suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

} // namespace km::test
