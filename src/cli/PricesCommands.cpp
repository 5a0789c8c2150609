#include "PricesCommands.h"

namespace km::cli {

void PricesImportCommand::describe(QCommandLineParser& parser) const
{
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Market history files"), QStringLiteral("FILE..."));
}

int PricesImportCommand::run(const QCommandLineParser&, Context& context)
{
    context.err << "prices:import is not implemented yet\n";
    return 1;
}

void PricesRevalueCommand::describe(QCommandLineParser&) const {}

int PricesRevalueCommand::run(const QCommandLineParser&, Context& context)
{
    context.err << "prices:revalue is not implemented yet\n";
    return 1;
}

} // namespace km::cli
