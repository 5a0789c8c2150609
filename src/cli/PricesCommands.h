#pragma once

#include "Command.h"

namespace km::cli {

/// `prices:import FILE...`: loads EVE Ref market-history CSV files (.csv or .csv.bz2) into the prices table.
class PricesImportCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("prices:import"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Import EVE Ref market history (.csv, .csv.bz2)");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

/// `prices:revalue [--since DATE]`: recomputes stored killmails' values from the current prices table.
class PricesRevalueCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("prices:revalue"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Revalue stored killmails with current prices");
    }
    void describe(QCommandLineParser& parser) const override;
    int run(const QCommandLineParser& parser, Context& context) override;
};

/// `prices:refresh`: what the engine does daily, now: the last week of EVE Ref market history (ESI's average prices
/// when EVE Ref is stale), revaluing the killmails concerned, then the unknown types through ESI.
class PricesRefreshCommand final : public Command {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("prices:refresh"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Fetch recent prices and unknown types now, revaluing what they change");
    }
    void describe(QCommandLineParser& parser) const override { (void)parser; }
    int run(const QCommandLineParser& parser, Context& context) override;
};

} // namespace km::cli
