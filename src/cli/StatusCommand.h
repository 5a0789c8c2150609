#pragma once

#include "Command.h"

#include <QCoreApplication>

namespace km::cli {

/// `status [--json]`: what a running engine (in this or another process) last reported: each source's state, the
/// ingestion rate, the failure alert and the queues' backlog, read from the database.
class StatusCommand final : public Command {
    Q_DECLARE_TR_FUNCTIONS(km::cli::StatusCommand)

public:
    [[nodiscard]] QString name() const override { return QStringLiteral("status"); }
    [[nodiscard]] QString summary() const override
    {
        return tr("Show the sources, the ingestion rate, alerts and the queues' backlog");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;

    /// A report older than this (when its source was not stopped) means its engine is no longer running.
    static constexpr std::chrono::seconds staleAfter{60};
};

} // namespace km::cli
