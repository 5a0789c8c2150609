#pragma once

#include <QLocale>

namespace km::cli {

/// Translates the program into `locale`'s language: its own strings, compiled in as :/i18n/killmail-console_*.qm,
/// and Qt's (the standard dialogs, the command-line parser's help) where the system has them installed. Call it
/// once the application object exists and before anything is printed. False when the program has no translation
/// for that language (English, the language of the sources, stays).
bool installTranslations(const QLocale& locale = QLocale());

} // namespace km::cli
