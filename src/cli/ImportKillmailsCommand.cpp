#include "ImportKillmailsCommand.h"

namespace km::cli {

void ImportKillmailsCommand::describe(QCommandLineParser&) const {}

int ImportKillmailsCommand::run(const QCommandLineParser&, Context&) { return 1; }

} // namespace km::cli
