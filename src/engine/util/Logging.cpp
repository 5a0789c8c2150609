#include "util/Logging.h"

#include <QtGlobal>

namespace km {

Q_LOGGING_CATEGORY(lcCheckpoint, "killmail.checkpoint", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "killmail.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEsi, "killmail.esi", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFeed, "killmail.feed", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFleet, "killmail.fleet", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHeadless, "killmail.headless", QtInfoMsg)
Q_LOGGING_CATEGORY(lcImport, "killmail.import", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMaintenance, "killmail.maintenance", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMonitoring, "killmail.monitoring", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNameLookup, "killmail.names", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPartitions, "killmail.partitions", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPriceBook, "killmail.prices.book", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPriceImport, "killmail.prices.import", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProgress, "killmail.progress", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRefresh, "killmail.prices.refresh", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRefused, "killmail.storage.refused", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRevalue, "killmail.prices.revalue", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRunner, "killmail.queue", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSchema, "killmail.schema", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSde, "killmail.staticdata.sde", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSources, "killmail.sources", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStaticData, "killmail.staticdata", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTypes, "killmail.staticdata.types", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWriters, "killmail.import.writer", QtInfoMsg)

} // namespace km

namespace km::logging {

void install(bool verbose)
{
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} "
                                      "%{if-debug}debug%{endif}%{if-info}info%{endif}%{if-warning}warning%{endif}"
                                      "%{if-critical}error%{endif}%{if-fatal}fatal%{endif} %{category}: %{message}"));
    QLoggingCategory::setFilterRules(verbose ? QStringLiteral("*.debug=false\nkillmail.*.info=true")
                                             : QStringLiteral("*.debug=false\n*.info=false"));
}

} // namespace km::logging
