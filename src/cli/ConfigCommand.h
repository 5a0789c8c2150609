#pragma once

#include "Command.h"
#include "EngineOptions.h"

namespace km::cli {

/// `config:show [--example]`: every setting's value and where it came from (flag, environment, config file or
/// default), or an example config file with every setting and its default.
class ConfigCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("config:show"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Show the settings in effect and where each comes from");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
