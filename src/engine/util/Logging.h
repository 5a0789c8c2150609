#pragma once

#include <QLoggingCategory>

namespace km {

// Every logging category of the programs, in one place so that a category's name (what users filter on with
// QT_LOGGING_RULES) is defined once. Defined in Logging.cpp.
Q_DECLARE_LOGGING_CATEGORY(lcCheckpoint)
Q_DECLARE_LOGGING_CATEGORY(lcEngine)
Q_DECLARE_LOGGING_CATEGORY(lcEsi)
Q_DECLARE_LOGGING_CATEGORY(lcFeed)
Q_DECLARE_LOGGING_CATEGORY(lcFleet)
Q_DECLARE_LOGGING_CATEGORY(lcHeadless)
Q_DECLARE_LOGGING_CATEGORY(lcImport)
Q_DECLARE_LOGGING_CATEGORY(lcMaintenance)
Q_DECLARE_LOGGING_CATEGORY(lcMonitoring)
Q_DECLARE_LOGGING_CATEGORY(lcNameLookup)
Q_DECLARE_LOGGING_CATEGORY(lcPartitions)
Q_DECLARE_LOGGING_CATEGORY(lcPriceBook)
Q_DECLARE_LOGGING_CATEGORY(lcPriceImport)
Q_DECLARE_LOGGING_CATEGORY(lcProgress)
Q_DECLARE_LOGGING_CATEGORY(lcRefresh)
Q_DECLARE_LOGGING_CATEGORY(lcRefused)
Q_DECLARE_LOGGING_CATEGORY(lcRevalue)
Q_DECLARE_LOGGING_CATEGORY(lcRunner)
Q_DECLARE_LOGGING_CATEGORY(lcSchema)
Q_DECLARE_LOGGING_CATEGORY(lcSde)
Q_DECLARE_LOGGING_CATEGORY(lcSources)
Q_DECLARE_LOGGING_CATEGORY(lcStaticData)
Q_DECLARE_LOGGING_CATEGORY(lcTypes)
Q_DECLARE_LOGGING_CATEGORY(lcWriters)

} // namespace km

namespace km::logging {

/// Structured one-line logs on stderr (`time level category: message`). Quiet by default: warnings and
/// errors only; `verbose` adds the engine's informational messages.
void install(bool verbose);

} // namespace km::logging
