#include "StatusCommand.h"

#include "QueueCommands.h"
#include "queue/QueueAdmin.h"
#include "runtime/EngineMonitor.h"
#include "sources/SourceStateStore.h"
#include "storage/Database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace km::cli {
namespace {

const QString jsonOption = QStringLiteral("json");

bool isLive(SourceState state) { return state != SourceState::Stopped && state != SourceState::Finished; }

/// The text printed in the operator's language; --json stays English, for scripts whatever the locale.
using Wording = QString (*)(const char* english);
QString translated(const char* english) { return StatusCommand::tr(english); }
QString untranslated(const char* english) { return QString::fromUtf8(english); }

/// "running", or "not reporting (last seen 5m 3s ago)" when a live state has not been refreshed in time.
QString stateText(const SavedSourceStatus& saved, const QDateTime& now, Wording wording)
{
    const std::chrono::milliseconds age(saved.savedAt.msecsTo(now));
    if (isLive(saved.status.state) && age > StatusCommand::staleAfter) {
        return wording(QT_TRANSLATE_NOOP("km::cli::StatusCommand", "not reporting (last report %1 ago)"))
            .arg(formatDuration(age));
    }
    QString text = sourceStateName(saved.status.state);
    if (saved.status.state == SourceState::BackingOff && saved.status.backoffUntil.isValid()) {
        text += u' '
            + wording(QT_TRANSLATE_NOOP("km::cli::StatusCommand", "until %1"))
                  .arg(saved.status.backoffUntil.toString(Qt::ISODate));
    }
    return text;
}

QString timeText(const QDateTime& time) { return time.isValid() ? time.toString(Qt::ISODate) : QStringLiteral("-"); }

} // namespace

void StatusCommand::describe(QCommandLineParser& parser) const
{
    parser.addOption(QCommandLineOption(jsonOption, tr("Print JSON instead of text.")));
}

int StatusCommand::run(const QCommandLineParser& parser, Context& context)
{
    const auto database = context.openDatabase();
    const QList<SavedSourceStatus> saved = SourceStateStore(*database).statuses();
    const std::vector<QueueStats> queues = QueueAdmin(*database).everyQueueStats();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto engine = std::find_if(saved.cbegin(), saved.cend(), [](const SavedSourceStatus& entry) {
        return entry.status.name == EngineMonitor::engineStatusName;
    });
    const bool engineReporting = engine != saved.cend() && isLive(engine->status.state)
        && std::chrono::milliseconds(engine->savedAt.msecsTo(now)) <= staleAfter;
    const bool alert = engineReporting && !engine->status.lastError.isEmpty();

    if (parser.isSet(jsonOption)) {
        QJsonArray sources;
        QJsonObject engineJson{{QStringLiteral("running"), engineReporting}, {QStringLiteral("alert"), alert}};
        for (const SavedSourceStatus& entry : saved) {
            QJsonObject json = entry.status.toJson();
            json.insert(QStringLiteral("reportedAt"), entry.savedAt.toString(Qt::ISODateWithMs));
            json.insert(QStringLiteral("summary"), stateText(entry, now, untranslated));
            if (entry.status.name == EngineMonitor::engineStatusName) {
                engineJson.insert(QStringLiteral("report"), json);
            } else {
                sources.append(json);
            }
        }
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("engine"), engineJson},
                                                 {QStringLiteral("sources"), sources},
                                                 {QStringLiteral("queues"), QueueAdmin::statsJson(queues)}})
                           .toJson(QJsonDocument::Indented);
        return 0;
    }

    if (engineReporting) {
        context.out << tr("engine: running, %1").arg(engine->status.detail) << "\n";
    } else {
        context.out << (engine != saved.cend()
                            ? tr("engine: not running (last report %1)").arg(timeText(engine->savedAt))
                            : tr("engine: not running"))
                    << "\n";
    }
    if (alert) {
        context.out << tr("ALERT: %1").arg(engine->status.lastError) << "\n";
    }
    context.out << "\n";
    for (const SavedSourceStatus& entry : saved) {
        const SourceStatus& status = entry.status;
        if (status.name == EngineMonitor::engineStatusName) {
            continue;
        }
        context.out << status.name << ": " << stateText(entry, now, translated)
                    << (status.detail.isEmpty() ? QString() : QStringLiteral(", ") + status.detail) << "\n";
        context.out << "  "
                    << tr("received %1, new %2, errors %3, last killmail %4 at %5")
                           .arg(status.received)
                           .arg(status.queued)
                           .arg(status.errors)
                           .arg(status.lastKillmailId > 0 ? QString::number(status.lastKillmailId)
                                                          : QStringLiteral("-"),
                                timeText(status.lastKillAt))
                    << "\n";
        if (status.total > 0) {
            context.out << "  " << tr("progress %1 of %2").arg(status.done).arg(status.total) << "\n";
        }
        if (!status.lastError.isEmpty()) {
            context.out << "  " << tr("last error at %1: %2").arg(timeText(status.lastErrorAt), status.lastError)
                        << "\n";
        }
    }
    if (saved.isEmpty()) {
        context.out << tr("no source has reported yet") << "\n";
    }
    context.out << "\n";
    printQueueTable(context.out, queues);
    return 0;
}

} // namespace km::cli
