#include "util/Logging.h"

#include <QLoggingCategory>
#include <QtGlobal>

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
