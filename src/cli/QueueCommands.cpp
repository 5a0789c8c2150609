#include "QueueCommands.h"

#include "parse/KillmailParser.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "storage/Database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace km::cli {
namespace {

const QString jsonOption = QStringLiteral("json");
const QString failedOption = QStringLiteral("failed");
const QString completedOption = QStringLiteral("completed");
const QString limitOption = QStringLiteral("limit");
const QString priorityOption = QStringLiteral("priority");

QString knownQueueList() { return QueueAdmin::knownQueues().join(QStringLiteral(", ")); }

QString utcTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODate);
}

/// A positive whole number (an ID, a limit); 0 when `text` is none.
qint64 positiveNumber(const QString& text)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok && value > 0 ? value : 0;
}

/**
 * What the queue:* subcommands share: a QUEUE first argument checked against the known queues, a bound on the
 * other arguments, usage errors (exit status 2) that start with the subcommand's name, and JSON output.
 */
class QueueCommand : public Command {
    Q_DECLARE_TR_FUNCTIONS(km::cli::QueueCommand)

public:
    QueueCommand(QString name, QString summary, bool queueRequired, int maxArguments)
        : m_name(std::move(name))
        , m_summary(std::move(summary))
        , m_queueRequired(queueRequired)
        , m_maxArguments(maxArguments)
    {
    }
    [[nodiscard]] QString name() const override { return m_name; }
    [[nodiscard]] QString summary() const override { return m_summary; }

    void describe(QCommandLineParser& parser) const override
    {
        parser.addPositionalArgument(QStringLiteral("queue"),
                                     m_queueRequired
                                         ? tr("The queue: %1.").arg(knownQueueList())
                                         : tr("The queue: %1 (default: every queue).").arg(knownQueueList()),
                                     m_queueRequired ? QStringLiteral("QUEUE") : QStringLiteral("[QUEUE]"));
        describeRest(parser);
    }

    int run(const QCommandLineParser& parser, Context& context) final
    {
        const QStringList arguments = parser.positionalArguments();
        if (arguments.isEmpty() && m_queueRequired) {
            return usage(context, tr("name a queue: %1").arg(knownQueueList()));
        }
        if (arguments.size() > m_maxArguments) {
            return usage(context,
                         tr("too many arguments: %1 (see --help)").arg(arguments.mid(m_maxArguments).join(u' ')));
        }
        const QString queue = arguments.value(0);
        if (!queue.isEmpty() && !QueueAdmin::knownQueues().contains(queue)) {
            return usage(context, tr("unknown queue '%1' (known queues: %2)").arg(queue, knownQueueList()));
        }
        return execute(parser, context, queue);
    }

protected:
    /// The options and arguments after QUEUE.
    virtual void describeRest(QCommandLineParser& parser) const = 0;
    /// Runs with a known queue (or an empty one where QUEUE is optional and was left out).
    virtual int execute(const QCommandLineParser& parser, Context& context, const QString& queue) = 0;

    int usage(Context& context, const QString& message) const
    {
        context.err << m_name << ": " << message << "\n";
        return 2;
    }

    static void addJsonOption(QCommandLineParser& parser)
    {
        parser.addOption(QCommandLineOption(jsonOption, tr("Print JSON instead of a table.")));
    }

    static void printJson(Context& context, const QJsonObject& object)
    {
        context.out << QJsonDocument(object).toJson(QJsonDocument::Indented);
    }

    static void addFailedOption(QCommandLineParser& parser, const QString& description)
    {
        parser.addOption(QCommandLineOption(failedOption, description));
    }

    /// False, after a usage error naming the flag, when the command was not told `--failed`.
    bool requireFailed(const QCommandLineParser& parser, Context& context, const QString& why) const
    {
        if (parser.isSet(failedOption)) {
            return true;
        }
        usage(context, tr("needs --failed: %1").arg(why));
        return false;
    }

private:
    QString m_name;
    QString m_summary;
    bool m_queueRequired;
    int m_maxArguments;
};

class StatsCommand final : public QueueCommand {
    Q_DECLARE_TR_FUNCTIONS(km::cli::StatsCommand)

public:
    StatsCommand()
        : QueueCommand(QStringLiteral("queue:stats"), tr("Count each queue's jobs by state"), false, 1)
    {
    }

protected:
    void describeRest(QCommandLineParser& parser) const override { addJsonOption(parser); }

    int execute(const QCommandLineParser& parser, Context& context, const QString& queue) override
    {
        const auto database = context.openDatabase();
        QueueAdmin admin(*database);
        const std::vector<QueueStats> all = queue.isEmpty() ? admin.everyQueueStats() : admin.stats(queue);
        if (parser.isSet(jsonOption)) {
            printJson(context, QJsonObject{{QStringLiteral("queues"), QueueAdmin::statsJson(all)}});
            return 0;
        }
        printQueueTable(context.out, all);
        return 0;
    }
};

class ListCommand final : public QueueCommand {
    Q_DECLARE_TR_FUNCTIONS(km::cli::ListCommand)

public:
    ListCommand()
        : QueueCommand(QStringLiteral("queue:list"), tr("List a queue's failed jobs"), true, 1)
    {
    }

protected:
    void describeRest(QCommandLineParser& parser) const override
    {
        addFailedOption(parser, tr("List the failed jobs (required), most recent first."));
        parser.addOption(QCommandLineOption(limitOption, tr("Show at most N jobs (default %1).").arg(defaultLimit),
                                            QStringLiteral("N")));
        addJsonOption(parser);
    }

    int execute(const QCommandLineParser& parser, Context& context, const QString& queue) override
    {
        if (!requireFailed(parser, context, tr("only failed jobs are listed"))) {
            return 2;
        }
        const qint64 limit = parser.isSet(limitOption) ? positiveNumber(parser.value(limitOption)) : defaultLimit;
        if (limit <= 0 || limit > std::numeric_limits<int>::max()) {
            return usage(context, tr("--limit takes a positive number, not '%1'").arg(parser.value(limitOption)));
        }
        const auto database = context.openDatabase();
        const FailedJobsPage page = QueueAdmin(*database).failedPage(queue, int(limit));
        const std::vector<FailedJob>& jobs = page.jobs;
        const qint64 total = page.total;
        if (parser.isSet(jsonOption)) {
            QJsonArray list;
            for (const FailedJob& job : jobs) {
                list.append(QJsonObject{{QStringLiteral("id"), job.id},
                                        {QStringLiteral("key"), job.dedupKey},
                                        {QStringLiteral("attempts"), job.attempts},
                                        {QStringLiteral("failedAt"), utcTime(job.finishedAtMs)},
                                        {QStringLiteral("lastError"), job.lastError}});
            }
            printJson(context,
                      QJsonObject{{QStringLiteral("queue"), queue},
                                  {QStringLiteral("failedTotal"), total},
                                  {QStringLiteral("failed"), list}});
            return 0;
        }
        const QString line = QStringLiteral("%1 %2 %3  %4  %5\n");
        context.out << line.arg(tr("id"), 10)
                           .arg(tr("key"), -12)
                           .arg(tr("attempts"), 8)
                           .arg(tr("failed at"), -20)
                           .arg(tr("last error"));
        for (const FailedJob& job : jobs) {
            context.out << line.arg(job.id, 10)
                               .arg(job.dedupKey, -12)
                               .arg(job.attempts, 8)
                               .arg(utcTime(job.finishedAtMs), -20)
                               .arg(job.lastError.simplified());
        }
        context.out << tr("%1: failed jobs shown: %2 of %3, most recent first").arg(queue).arg(jobs.size()).arg(total)
                    << "\n";
        return 0;
    }

private:
    static constexpr int defaultLimit = 50;
};

class RetryCommand final : public QueueCommand {
    Q_DECLARE_TR_FUNCTIONS(km::cli::RetryCommand)

public:
    RetryCommand()
        : QueueCommand(QStringLiteral("queue:retry"), tr("Put a queue's failed jobs back to wait"), true, 1)
    {
    }

protected:
    void describeRest(QCommandLineParser& parser) const override
    {
        addFailedOption(parser, tr("Retry the failed jobs (required), with fresh attempts."));
    }

    int execute(const QCommandLineParser& parser, Context& context, const QString& queue) override
    {
        if (!requireFailed(parser, context, tr("only failed jobs are retried"))) {
            return 2;
        }
        const auto database = context.openDatabase();
        const int retried = QueueAdmin(*database).retryFailed(queue);
        context.out << tr("%1: failed jobs put back to wait: %2").arg(queue).arg(retried) << "\n";
        return 0;
    }
};

class ClearCommand final : public QueueCommand {
    Q_DECLARE_TR_FUNCTIONS(km::cli::ClearCommand)

public:
    ClearCommand()
        : QueueCommand(QStringLiteral("queue:clear"), tr("Delete a queue's failed or completed jobs"), true, 1)
    {
    }

protected:
    void describeRest(QCommandLineParser& parser) const override
    {
        addFailedOption(parser, tr("Delete the failed jobs."));
        parser.addOption(QCommandLineOption(completedOption, tr("Delete the completed jobs.")));
    }

    int execute(const QCommandLineParser& parser, Context& context, const QString& queue) override
    {
        std::vector<std::pair<QString, JobState>> chosen; // what is said of them, and their state
        if (parser.isSet(failedOption)) {
            chosen.emplace_back(tr("%1: failed jobs deleted: %2"), JobState::Failed);
        }
        if (parser.isSet(completedOption)) {
            chosen.emplace_back(tr("%1: completed jobs deleted: %2"), JobState::Completed);
        }
        if (chosen.empty()) {
            return usage(context, tr("say which jobs to delete: --failed, --completed or both"));
        }
        const auto database = context.openDatabase();
        QueueAdmin admin(*database);
        for (const auto& [said, state] : chosen) {
            context.out << said.arg(queue).arg(admin.clear(queue, state)) << "\n";
        }
        return 0;
    }
};

class AddCommand final : public QueueCommand {
    Q_DECLARE_TR_FUNCTIONS(km::cli::AddCommand)

public:
    AddCommand()
        : QueueCommand(QStringLiteral("queue:add"), tr("Queue a killmail (ID and hash) or an entity update (ID)"), true,
                       3)
    {
    }

protected:
    void describeRest(QCommandLineParser& parser) const override
    {
        parser.addPositionalArgument(QStringLiteral("id"), tr("The killmail's or the entity's ID."),
                                     QStringLiteral("ID"));
        parser.addPositionalArgument(QStringLiteral("hash"), tr("The killmail's hash (killmail only)."),
                                     QStringLiteral("[HASH]"));
        parser.addOption(QCommandLineOption(
            priorityOption, tr("high, normal or low (default: high for a killmail, low for an entity update)."),
            QStringLiteral("PRIORITY")));
    }

    int execute(const QCommandLineParser& parser, Context& context, const QString& queue) override
    {
        const QStringList arguments = parser.positionalArguments();
        const bool killmail = queue == KillmailJobs::queueName;
        if (arguments.size() != (killmail ? 3 : 2)) {
            return usage(context,
                         killmail ? tr("usage: queue:add killmail ID HASH")
                                  : tr("usage: queue:add %1 ID (an ID only)").arg(queue));
        }
        const qint64 id = positiveNumber(arguments[1]);
        if (id <= 0) {
            return usage(context, tr("the ID must be a positive whole number, not '%1'").arg(arguments[1]));
        }
        std::optional<Priority> priority = killmail ? Priority::High : Priority::Low;
        if (parser.isSet(priorityOption)) {
            priority = priorityFromName(parser.value(priorityOption));
            if (!priority) {
                return usage(context,
                             tr("--priority takes high, normal or low, not '%1'").arg(parser.value(priorityOption)));
            }
        }
        if (killmail && !KillmailParser::isValidHash(arguments[2])) {
            return usage(context, tr("'%1' is not a killmail hash (40 hexadecimal digits)").arg(arguments[2]));
        }
        const auto database = context.openDatabase();
        JobQueue jobs(*database);
        const QString what = QStringLiteral("%1 %2").arg(queue).arg(id);
        QString outcome;
        if (killmail) {
            const KillmailEnqueueResult result =
                KillmailJobs(*database, jobs)
                    .enqueue({KillmailJob{id, arguments[2], QStringLiteral("cli"), {}, *priority}});
            outcome = result.alreadyStored > 0 ? tr("is already stored")
                : result.added > 0             ? QString()
                                               : tr("is already queued");
        } else {
            const QByteArray payload =
                QJsonDocument(QJsonObject{{QStringLiteral("id"), id}}).toJson(QJsonDocument::Compact);
            const EnqueueResult result = jobs.enqueue(queue, {NewJob{QString::number(id), payload, *priority}});
            outcome = result.added > 0 ? QString() : tr("is already queued");
        }
        if (outcome.isEmpty()) {
            outcome = tr("added to queue %1 (%2 priority)").arg(queue, priorityName(*priority));
        }
        context.out << what << " " << outcome << "\n";
        return 0;
    }
};

} // namespace

QString formatDuration(std::chrono::milliseconds duration)
{
    const qint64 total = duration.count() / 1000;
    const qint64 days = total / 86400;
    const qint64 hours = total / 3600 % 24;
    const qint64 minutes = total / 60 % 60;
    const qint64 seconds = total % 60;
    if (days > 0) {
        return QStringLiteral("%1d %2h").arg(days).arg(hours);
    }
    if (hours > 0) {
        return QStringLiteral("%1h %2m").arg(hours).arg(minutes);
    }
    if (minutes > 0) {
        return QStringLiteral("%1m %2s").arg(minutes).arg(seconds);
    }
    return QStringLiteral("%1s").arg(seconds);
}

void printQueueTable(QTextStream& out, const std::vector<QueueStats>& all)
{
    const QString line = QStringLiteral("%1 %2 %3 %4 %5 %6  %7\n");
    out << line.arg(QueueCommand::tr("queue"), -12)
               .arg(QueueCommand::tr("waiting"), 10)
               .arg(QueueCommand::tr("delayed"), 10)
               .arg(QueueCommand::tr("active"), 10)
               .arg(QueueCommand::tr("completed"), 10)
               .arg(QueueCommand::tr("failed"), 10)
               .arg(QueueCommand::tr("oldest waiting"));
    for (const QueueStats& stats : all) {
        out << line.arg(stats.queue, -12)
                   .arg(stats.waiting, 10)
                   .arg(stats.delayed, 10)
                   .arg(stats.active, 10)
                   .arg(stats.completed, 10)
                   .arg(stats.failed, 10)
                   .arg(stats.waiting > 0 ? formatDuration(stats.oldestWaitingAge) : QStringLiteral("-"));
    }
}

std::vector<std::unique_ptr<Command>> queueCommands()
{
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(std::make_unique<StatsCommand>());
    commands.push_back(std::make_unique<ListCommand>());
    commands.push_back(std::make_unique<RetryCommand>());
    commands.push_back(std::make_unique<ClearCommand>());
    commands.push_back(std::make_unique<AddCommand>());
    return commands;
}

} // namespace km::cli
