#pragma once

#include "Command.h"

#include <QCoreApplication>

namespace km::cli {

/// `db:partitions`: the monthly partitions of the killmail tables and their row counts.
class PartitionsCommand final : public Command {
    Q_DECLARE_TR_FUNCTIONS(km::cli::PartitionsCommand)

public:
    [[nodiscard]] QString name() const override { return QStringLiteral("db:partitions"); }
    [[nodiscard]] QString summary() const override { return tr("List monthly partitions and their row counts"); }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
