#pragma once

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

namespace km::test {

/// What a run of the killmail-console under test said and how it ended.
struct ConsoleRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

/// Runs the killmail-console under test (KILLMAIL_CONSOLE) with `arguments` to its end.
inline ConsoleRun runConsole(const QStringList& arguments,
                             const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"), arguments);
    process.waitForFinished(-1);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

/// Writes `text` to a config file in `dir`; its path (empty when it cannot be written).
inline QString writeConfigFile(const QTemporaryDir& dir, const QByteArray& text)
{
    const QString path = dir.filePath(QStringLiteral("killmail-console.conf"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size()) {
        return {};
    }
    return path;
}

} // namespace km::test
