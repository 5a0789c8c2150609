#include "BackfillCommand.h"

#include "sources/EveKillBackfill.h"
#include "sources/EveRefBackfill.h"
#include "sources/ZkillboardBackfill.h"

namespace km::cli {
namespace {

const QString startOption = QStringLiteral("start-date");
const QString endOption = QStringLiteral("end-date");

void addDayOptions(QCommandLineParser& parser, const QString& endDefault)
{
    parser.addOption(
        QCommandLineOption(startOption, QStringLiteral("First UTC day (YYYY-MM-DD)."), QStringLiteral("day")));
    parser.addOption(QCommandLineOption(
        endOption, QStringLiteral("Last UTC day, included (default: %1).").arg(endDefault), QStringLiteral("day")));
}

/// Reads --start-date (required unless `startOptional`) and --end-date into `start` and `end` (left as they are when
/// absent); false with the problem printed.
bool readDays(const QCommandLineParser& parser, Context& context, const QString& command, bool startOptional,
              QDate& start, QDate& end)
{
    std::optional<QDate> first;
    std::optional<QDate> last;
    if (!context.readDay(parser, startOption, command, first) || !context.readDay(parser, endOption, command, last)) {
        return false;
    }
    if (!first && !startOptional) {
        context.err << command << ": --start-date is required\n";
        return false;
    }
    start = first.value_or(start);
    end = last.value_or(end);
    if (start.isValid() && end.isValid() && end < start) {
        context.err << command << ": --end-date " << end.toString(Qt::ISODate) << " is before --start-date "
                    << start.toString(Qt::ISODate) << "\n";
        return false;
    }
    return true;
}

class ZkillboardBackfillCommand final : public BackfillCommand {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("backfills:zkillboard"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Backfill days of zKillboard's history (--start-date, --end-date)");
    }

protected:
    void describeBackfill(QCommandLineParser& parser) const override { addDayOptions(parser, QStringLiteral("today")); }

    std::optional<SourceFactory> backfill(const QCommandLineParser& parser, Context& context) const override
    {
        ZkillboardBackfillSettings settings;
        settings.baseUrl = context.settings.sources.historyUrl;
        if (!readDays(parser, context, name(), false, settings.startDate, settings.endDate)) {
            return std::nullopt;
        }
        if (const QString problem = settings.problem(); !problem.isEmpty()) {
            context.err << name() << ": " << problem << "\n";
            return std::nullopt;
        }
        return [settings](SourceContext source) { return std::make_unique<ZkillboardBackfill>(settings, source); };
    }
};

class EveKillBackfillCommand final : public BackfillCommand {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("backfills:eve-kill"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Backfill the killmails of characters, corporations or alliances from EVE-KILL");
    }

protected:
    void describeBackfill(QCommandLineParser& parser) const override
    {
        for (const char* kind : {"character", "corporation", "alliance"}) {
            parser.addOption(
                QCommandLineOption(QString::fromLatin1(kind),
                                   QStringLiteral("Killmails where this %1 is the victim or an attacker (repeatable).")
                                       .arg(QLatin1String(kind)),
                                   QStringLiteral("id")));
        }
    }

    std::optional<SourceFactory> backfill(const QCommandLineParser& parser, Context& context) const override
    {
        EveKillBackfillSettings settings;
        settings.baseUrl = context.settings.sources.eveKillUrl;
        const auto readIds = [&](const QString& option, QList<qint64>& ids) {
            for (const QString& text : parser.values(option)) {
                bool ok = false;
                const qint64 id = text.toLongLong(&ok);
                if (!ok || id <= 0) {
                    context.err << name() << ": --" << option << " takes a positive ID, not '" << text << "'\n";
                    return false;
                }
                ids.append(id);
            }
            return true;
        };
        if (!readIds(QStringLiteral("character"), settings.characters)
            || !readIds(QStringLiteral("corporation"), settings.corporations)
            || !readIds(QStringLiteral("alliance"), settings.alliances)) {
            return std::nullopt;
        }
        if (settings.characters.isEmpty() && settings.corporations.isEmpty() && settings.alliances.isEmpty()) {
            context.err << name() << ": name at least one --character, --corporation or --alliance\n";
            return std::nullopt;
        }
        return [settings](SourceContext source) { return std::make_unique<EveKillBackfill>(settings, source); };
    }
};

class EveRefBackfillCommand final : public BackfillCommand {
public:
    [[nodiscard]] QString name() const override { return QStringLiteral("backfills:everef"); }
    [[nodiscard]] QString summary() const override
    {
        return QStringLiteral("Download and import EVE Ref's daily killmail archives (or import local ones)");
    }

protected:
    void describeBackfill(QCommandLineParser& parser) const override
    {
        addDayOptions(parser, QStringLiteral("yesterday"));
        parser.addOption(QCommandLineOption(QStringLiteral("download-dir"),
                                            QStringLiteral("Keep the downloaded archives in this folder."),
                                            QStringLiteral("dir")));
        parser.addPositionalArgument(QStringLiteral("files"),
                                     QStringLiteral("Local archives to import instead of downloading."),
                                     QStringLiteral("[FILE...]"));
    }

    [[nodiscard]] bool queuesJobs() const override { return false; }

    std::optional<SourceFactory> backfill(const QCommandLineParser& parser, Context& context) const override
    {
        EveRefSettings settings;
        settings.baseUrl = context.settings.sources.eveRefUrl;
        settings.localFiles = parser.positionalArguments();
        if (settings.localFiles.isEmpty()
            && !readDays(parser, context, name(), false, settings.startDate, settings.endDate)) {
            return std::nullopt;
        }
        if (parser.isSet(QStringLiteral("download-dir"))) {
            settings.downloadDirectory = parser.value(QStringLiteral("download-dir"));
            settings.keepDownloads = true;
        }
        return [settings](SourceContext source) { return std::make_unique<EveRefBackfill>(settings, source); };
    }
};

} // namespace

std::vector<std::unique_ptr<Command>> backfillCommands()
{
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(std::make_unique<ZkillboardBackfillCommand>());
    commands.push_back(std::make_unique<EveKillBackfillCommand>());
    commands.push_back(std::make_unique<EveRefBackfillCommand>());
    return commands;
}

} // namespace km::cli
