#include "ProgressPrinter.h"

#include "util/Logging.h"

#include <cstdio>
#include <unistd.h>

namespace km::cli {

ProgressPrinter::ProgressPrinter(QString task, QString unit)
    : m_task(std::move(task))
    , m_unit(std::move(unit))
    , m_interactive(::isatty(STDERR_FILENO) == 1)
{
    m_sincePrint.start();
    m_sinceLog.start();
}

ProgressPrinter::~ProgressPrinter() { finish(); }

void ProgressPrinter::update(const ProgressSnapshot& snapshot)
{
    const QString text = m_task + QStringLiteral(": ") + snapshot.describe(m_unit);
    if (m_sinceLog.elapsed() >= 10000) {
        m_sinceLog.restart();
        qCInfo(lcProgress).noquote() << text;
    }
    if (m_interactive) {
        std::fprintf(stderr, "\r\033[K%s", qPrintable(text));
        std::fflush(stderr);
        m_lineOpen = true;
    } else if (m_sincePrint.elapsed() >= 1000) {
        m_sincePrint.restart();
        std::fprintf(stderr, "%s\n", qPrintable(text));
    }
}

void ProgressPrinter::finish()
{
    if (m_lineOpen) {
        std::fputc('\n', stderr);
        m_lineOpen = false;
    }
}

} // namespace km::cli
