#pragma once

#include "util/ProgressMeter.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QString>

namespace km::cli {

/**
 * Shows long work on the terminal: one line rewritten in place on a TTY (a line a second elsewhere),
 * plus an informational log line every ten seconds for `--verbose` runs and log collectors.
 */
class ProgressPrinter {
public:
    ProgressPrinter(QString task, QString unit);
    ~ProgressPrinter();
    ProgressPrinter(const ProgressPrinter&) = delete;
    ProgressPrinter& operator=(const ProgressPrinter&) = delete;

    void update(const ProgressSnapshot& snapshot);
    /// Ends the in-place line so the summary starts on a fresh one.
    void finish();

private:
    QString m_task;
    QString m_unit;
    bool m_interactive;
    bool m_lineOpen = false;
    QElapsedTimer m_sincePrint;
    QElapsedTimer m_sinceLog;
};

} // namespace km::cli
