// The INI config file (`config:set` writes it, every command reads it), and writing back what was read.
#include "FuzzSupport.h"

#include "config/ConfigFile.h"

#include <QFile>
#include <QScopeGuard>
#include <QStringList>

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    // QSettings caches a file by path, size and modification time: a new name for each input, or one written within
    // the same millisecond as the last with the same size would be read from that cache.
    static qint64 inputs = 0;
    ++inputs;
    const QString path = fuzz::writeInput(fuzz::bytes(data, size), QStringLiteral("input-%1.conf").arg(inputs));
    const auto removeFiles = qScopeGuard([&path] { QFile::remove(path); });
    QString error;
    const std::optional<QMap<QString, QString>> values = ConfigFile::read(path, error);
    fuzz::require(values.has_value() != !error.isEmpty(), "a file is read, or refused with a reason", error);
    if (values && !values->isEmpty()) {
        // What was read, written to a fresh file, reads back the same.
        const QString copy = fuzz::writeInput({}, QStringLiteral("copy-%1.conf").arg(inputs));
        const auto removeCopy = qScopeGuard([&copy] { QFile::remove(copy); });
        if (ConfigFile::write(copy, *values, error)) {
            QString again;
            const std::optional<QMap<QString, QString>> reread = ConfigFile::read(copy, again);
            QStringList differences{again};
            for (auto it = values->cbegin(); it != values->cend(); ++it) {
                if (!reread || reread->value(it.key()) != it.value()) {
                    differences << QStringLiteral("%1: '%2' read back as '%3'")
                                       .arg(it.key(), it.value(), reread ? reread->value(it.key()) : QString());
                }
            }
            fuzz::require(reread == values, "written settings read back the same", differences.join(u'\n'));
        }
    }
    return 0;
}
