#pragma once

#include "TestDatabase.h"

#include <QApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

namespace km::test {

/// Saves `widget` as `name`.png into the suite's KILLMAIL_SCREENSHOT_DIR.
inline void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString folder = QStringLiteral(KILLMAIL_SCREENSHOT_DIR);
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(widget.grab().save(folder + u'/' + name + QStringLiteral(".png")));
}

/// Runs a console suite (constructed with the backend named on the command line) with the window's settings in a
/// folder of its own, the application named as the program names itself so that they land where the program's would.
template <typename Suite>
int runConsoleSuite(int argc, char** argv)
{
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("killmail-console"));
    QCoreApplication::setApplicationName(QStringLiteral("killmail-console"));
    const Backend backend = TestDatabase::backendFromArguments(argc, argv);
    Suite suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

} // namespace km::test
