#pragma once

#include "Command.h"

namespace km::cli {

/// `debug:check-data`: the integrity report; exit status 1 when it finds a problem.
class CheckDataCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("debug:check-data"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Check stored data for integrity problems");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
