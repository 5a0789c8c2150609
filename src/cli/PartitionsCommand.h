#pragma once

#include "Command.h"

namespace km::cli {

/// `db:partitions`: the monthly partitions of the killmail tables and their row counts.
class PartitionsCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("db:partitions"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("List monthly partitions and their row counts");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
