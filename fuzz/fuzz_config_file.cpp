// The INI config file (`config:set` writes it, every command reads it), and writing back what was read.
#include "FuzzSupport.h"

#include "config/ConfigFile.h"

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    const QString path = fuzz::writeInput(fuzz::bytes(data, size), QStringLiteral("killmail-console.conf"));
    QString error;
    const std::optional<QMap<QString, QString>> values = ConfigFile::read(path, error);
    fuzz::require(values.has_value() != !error.isEmpty(), "a file is read, or refused with a reason", error);
    if (values && !values->isEmpty()) {
        // What was read, written to a fresh file, reads back the same.
        const QString copy = fuzz::writeInput({}, QStringLiteral("copy.conf"));
        if (ConfigFile::write(copy, *values, error)) {
            QString again;
            fuzz::require(ConfigFile::read(copy, again) == values, "written settings read back the same", again);
        }
    }
    return 0;
}
