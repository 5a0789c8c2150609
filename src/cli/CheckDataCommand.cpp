#include "CheckDataCommand.h"

namespace km::cli {

void CheckDataCommand::describe(QCommandLineParser&) const {}

int CheckDataCommand::run(const QCommandLineParser&, Context&) { return 1; }

} // namespace km::cli
