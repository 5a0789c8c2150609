#pragma once

#include "Command.h"

#include <QCoreApplication>

namespace km::cli {

/// `debug:check-data`: the integrity report; exit status 1 when it finds a problem.
class CheckDataCommand final : public Command {
    Q_DECLARE_TR_FUNCTIONS(km::cli::CheckDataCommand)

public:
    [[nodiscard]] QString name() const override { return QStringLiteral("debug:check-data"); }
    [[nodiscard]] QString summary() const override { return tr("Check stored data for integrity problems"); }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
