#pragma once

#include "Command.h"

#include <QCoreApplication>

namespace km::cli {

/// `sde:refresh`: writes the static data tables from CCP's current SDE export into the data folder.
class SdeRefreshCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("sde:refresh"); }
    [[nodiscard]] QString summary() const override
    {
        return QCoreApplication::translate("SdeRefreshCommand",
                                           "Refresh types, groups, blueprints and systems from CCP's current SDE");
    }
    void describe(QCommandLineParser& parser) const override { (void)parser; }
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
