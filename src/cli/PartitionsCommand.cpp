#include "PartitionsCommand.h"

#include "storage/Database.h"
#include "storage/PartitionManager.h"

#include <QDateTime>

namespace km::cli {

void PartitionsCommand::describe(QCommandLineParser& parser) const
{
    parser.addOption(QCommandLineOption(QStringLiteral("create-ahead"),
                                        tr("Create partitions for this month and the next N months first."),
                                        QStringLiteral("N")));
}

int PartitionsCommand::run(const QCommandLineParser& parser, Context& context)
{
    const auto database = context.openDatabase();
    if (database->backend() != Backend::Postgres) {
        context.out << tr("SQLite databases are not partitioned: every killmail is in one table.") << "\n";
        return 0;
    }
    PartitionManager partitions(*database);
    if (parser.isSet(QStringLiteral("create-ahead"))) {
        bool ok = false;
        const int months = parser.value(QStringLiteral("create-ahead")).toInt(&ok);
        if (!ok || months < 0 || months > 120) {
            context.err << name() << ": " << tr("--create-ahead takes a number of months from 0 to 120") << "\n";
            return 2;
        }
        partitions.ensureAhead(QDateTime::currentDateTimeUtc().date(), months);
    }
    const QList<PartitionInfo> list = partitions.list();
    context.out << QStringLiteral("%1 %2 %3\n").arg(tr("month"), -8).arg(tr("partition"), -24).arg(tr("rows"), 14);
    for (const PartitionInfo& info : list) {
        context.out << QStringLiteral("%1 %2 %3\n")
                           .arg(info.month.toString(QStringLiteral("yyyy-MM")), -8)
                           .arg(info.partition, -24)
                           .arg(info.rows, 14);
    }
    context.out << tr("%n partitions", nullptr, int(list.size())) << "\n";
    return 0;
}

} // namespace km::cli
