#pragma once

#include "Command.h"
#include "sources/SourceHost.h"

#include <QCoreApplication>

#include <optional>

namespace km::cli {

/**
 * A `backfills:*` command: runs one backfill on a worker thread with progress (days or pages done, killmails found
 * and queued, rate, ETA) on the terminal, and, unless --enqueue-only, the queue workers in the same process until
 * every queued killmail is processed. Ctrl-C cancels: what was handed over stays queued, and running the same
 * command again resumes where it stopped. Exit status 1 when the backfill did not finish or jobs failed.
 */
class BackfillCommand : public Command {
    Q_DECLARE_TR_FUNCTIONS(BackfillCommand)

public:
    void describe(QCommandLineParser& parser) const final;
    int run(const QCommandLineParser& parser, Context& context) final;

protected:
    virtual void describeBackfill(QCommandLineParser& parser) const = 0;
    /// The backfill these options ask for; nullopt when they are wrong (the problem printed on context.err).
    virtual std::optional<SourceFactory> backfill(const QCommandLineParser& parser, Context& context) const = 0;
    /// False for a backfill that stores killmails itself (EVE Ref's bulk import) rather than queueing them.
    [[nodiscard]] virtual bool queuesJobs() const { return true; }
};

/// backfills:zkillboard, backfills:eve-kill and backfills:everef.
std::vector<std::unique_ptr<Command>> backfillCommands();

} // namespace km::cli
