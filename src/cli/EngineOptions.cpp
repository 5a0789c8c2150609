#include "EngineOptions.h"

#include "sources/EveKillWsSource.h"
#include "staticdata/StaticData.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>

namespace km::cli {
namespace {

/// Reads `text` into the configuration; the problem (without the setting's name) when it is malformed.
using Apply = std::function<std::optional<QString>(const QString& text, Configuration& configuration)>;

std::optional<QString> readUrl(const QString& text, const QStringList& schemes, QUrl& url)
{
    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty() || !schemes.contains(parsed.scheme())) {
        return QStringLiteral("'%1' is not a %2 URL").arg(text, schemes.join(QLatin1Char('/')));
    }
    url = parsed;
    return std::nullopt;
}

std::optional<QString> readNumber(const QString& text, int min, int max, int& value)
{
    bool ok = false;
    const int number = text.toInt(&ok);
    if (!ok || number < min || number > max) {
        return QStringLiteral("'%1' is not a whole number from %2 to %3").arg(text).arg(min).arg(max);
    }
    value = number;
    return std::nullopt;
}

std::optional<QString> readBool(const QString& text, bool& value)
{
    const QString word = text.trimmed().toLower();
    if (QStringList{QStringLiteral("true"), QStringLiteral("yes"), QStringLiteral("on"), QStringLiteral("1")}.contains(
            word)) {
        value = true;
    } else if (QStringList{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("off"), QStringLiteral("0")}
                   .contains(word)) {
        value = false;
    } else {
        return QStringLiteral("'%1' is not true or false").arg(text);
    }
    return std::nullopt;
}

QStringList readList(const QString& text)
{
    QStringList items;
    for (const QString& item : text.split(QLatin1Char(','))) {
        if (!item.trimmed().isEmpty()) {
            items << item.trimmed();
        }
    }
    return items;
}

/// A control character (a line break, a tab, an escape) would end a header line in the User-Agent or a line of
/// `config:show`: no setting has a use for one.
std::optional<QString> controlCharacterProblem(const QString& text)
{
    for (const QChar character : text) {
        if (character.category() == QChar::Other_Control || character == QChar::LineSeparator
            || character == QChar::ParagraphSeparator) {
            return QCoreApplication::translate("EngineOptions", "the value holds the control character U+%1")
                .arg(QString::number(character.unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0')));
        }
    }
    return std::nullopt;
}

Apply url(QUrl SourceSettings::*member, QStringList schemes = {QStringLiteral("http"), QStringLiteral("https")})
{
    return [member, schemes](const QString& text, Configuration& c) {
        return readUrl(text, schemes, c.engine.sources.*member);
    };
}

} // namespace

struct EngineOptions::Setting {
    /// "section/name" in the config file.
    QString key;
    QString flag;
    const char* environment = nullptr;
    /// Empty for a switch: the flag alone sets `switchValue`.
    QString valueName;
    QString help;
    QString defaultText;
    Apply apply;
    QString switchValue{QStringLiteral("false")};

    [[nodiscard]] QCommandLineOption option() const
    {
        const QString text = QStringLiteral("%1 (%2, config %3%4).")
                                 .arg(help, QString::fromLatin1(environment), key,
                                      defaultText.isEmpty() ? QString() : QStringLiteral("; default: ") + defaultText);
        QStringList names{flag};
        if (flag == QLatin1StringView("database")) {
            names.prepend(QStringLiteral("d"));
        }
        return valueName.isEmpty() ? QCommandLineOption(names, text) : QCommandLineOption(names, text, valueName);
    }
};

namespace {

std::vector<EngineOptions::Setting> allSettings()
{
    using S = EngineOptions::Setting;
    const SourceSettings sources;
    const EngineSettings engine;
    return {
        S{QStringLiteral("database/url"), QStringLiteral("database"), "KILLMAIL_DATABASE_URL", QStringLiteral("url"),
          QStringLiteral("Database: sqlite:///path/file.db or postgresql://user:pass@host:port/db"),
          DatabaseUrl::defaultUrl(),
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              QString problem;
              const auto parsed = DatabaseUrl::parse(text, &problem);
              if (!parsed) {
                  return problem;
              }
              c.database = *parsed;
              return std::nullopt;
          }},
        S{QStringLiteral("esi/url"), QStringLiteral("esi-url"), "KILLMAIL_ESI_URL", QStringLiteral("url"),
          QStringLiteral("ESI base URL"), engine.workers.esi.baseUrl.toString(),
          [](const QString& text, Configuration& c) {
              return readUrl(text, {QStringLiteral("http"), QStringLiteral("https")}, c.engine.workers.esi.baseUrl);
          }},
        S{QStringLiteral("esi/contact"),
          QStringLiteral("esi-contact"),
          "KILLMAIL_ESI_CONTACT",
          QStringLiteral("contact"),
          QStringLiteral("Your contact (mail or in-game name), sent in the User-Agent to ESI, zKillboard, EVE-KILL "
                         "and EVE Ref as they ask"),
          {},
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              c.engine.workers.esi.contact = text;
              return std::nullopt;
          }},
        S{QStringLiteral("workers/concurrency"), QStringLiteral("concurrency"), "KILLMAIL_CONCURRENCY",
          QStringLiteral("n"), QStringLiteral("Killmail jobs processed at once"), QStringLiteral("10"),
          [](const QString& text, Configuration& c) {
              return readNumber(text, 1, 1000, c.engine.workers.killmails.concurrency);
          }},
        S{QStringLiteral("workers/job-lease"), QStringLiteral("job-lease"), "KILLMAIL_JOB_LEASE",
          QStringLiteral("seconds"),
          QStringLiteral("Seconds a worker holds a job before others may take it back, should the worker die"),
          QStringLiteral("60"),
          [](const QString& text, Configuration& c) {
              int seconds = 0;
              auto problem = readNumber(text, 1, 3600, seconds);
              c.engine.workers.queue.lease = std::chrono::seconds(seconds);
              return problem;
          }},
        S{QStringLiteral("workers/keep-completed"), QStringLiteral("keep-completed"), "KILLMAIL_KEEP_COMPLETED",
          QStringLiteral("hours"),
          QStringLiteral("Hours completed jobs are kept; 0 deletes them at once (failed jobs are kept 14 days)"),
          QStringLiteral("24"),
          [](const QString& text, Configuration& c) {
              int hours = 0;
              auto problem = readNumber(text, 0, 24 * 365, hours);
              c.engine.workers.queue.completedRetention = std::chrono::hours(hours);
              return problem;
          }},
        S{QStringLiteral("workers/entity-updates"),
          QStringLiteral("no-entity-updates"),
          "KILLMAIL_ENTITY_UPDATES",
          {},
          QStringLiteral("Do not fetch character, corporation and alliance details from ESI"),
          QStringLiteral("true"),
          [](const QString& text, Configuration& c) { return readBool(text, c.engine.workers.entityUpdates); }},
        S{QStringLiteral("sources/live"), QStringLiteral("sources"), "KILLMAIL_SOURCES", QStringLiteral("list"),
          QStringLiteral("Live feeds --headless runs, comma-separated: r2z2, redisq, ekws, or none"),
          sources.live.join(QLatin1Char(',')),
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              QStringList live = readList(text);
              if (live.isEmpty()) {
                  return QCoreApplication::translate("EngineOptions",
                                                     "'%1' names no live feed (say none to switch them off)")
                      .arg(text);
              }
              if (live == QStringList{QStringLiteral("none")}) {
                  live.clear();
              }
              for (const QString& name : live) {
                  if (!QStringList{QStringLiteral("r2z2"), QStringLiteral("redisq"), QStringLiteral("ekws")}.contains(
                          name)) {
                      return QStringLiteral("'%1' is not a live feed (r2z2, redisq, ekws, none)").arg(name);
                  }
              }
              live.removeDuplicates();
              c.engine.sources.live = live;
              return std::nullopt;
          }},
        S{QStringLiteral("r2z2/url"), QStringLiteral("r2z2-url"), "KILLMAIL_R2Z2_URL", QStringLiteral("url"),
          QStringLiteral("zKillboard's R2Z2 feed"), sources.r2z2Url.toString(), url(&SourceSettings::r2z2Url)},
        S{QStringLiteral("redisq/url"), QStringLiteral("redisq-url"), "KILLMAIL_REDISQ_URL", QStringLiteral("url"),
          QStringLiteral("A RedisQ-compatible feed"), sources.redisqUrl.toString(), url(&SourceSettings::redisqUrl)},
        S{QStringLiteral("redisq/queue-id"),
          QStringLiteral("redisq-id"),
          "REDISQ_ID",
          QStringLiteral("id"),
          QStringLiteral("Your RedisQ queueID (the feed remembers what it sent each queue)"),
          {},
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              c.engine.sources.redisqQueueId = text.trimmed();
              return std::nullopt;
          }},
        S{QStringLiteral("ekws/url"), QStringLiteral("ekws-url"), "KILLMAIL_EKWS_URL", QStringLiteral("url"),
          QStringLiteral("EVE-KILL's killmail WebSocket"), sources.ekwsUrl.toString(),
          url(&SourceSettings::ekwsUrl, {QStringLiteral("ws"), QStringLiteral("wss")})},
        S{QStringLiteral("ekws/topics"),
          QStringLiteral("ekws-topics"),
          "KILLMAIL_EKWS_TOPICS",
          QStringLiteral("list"),
          QStringLiteral("EVE-KILL topics, comma-separated (character:ID, corporation:ID, alliance:ID, system:ID, "
                         "region:ID); none: every killmail"),
          {},
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              QStringList topics = readList(text);
              if (topics == QStringList{QStringLiteral("none")}) {
                  topics.clear();
              }
              if (const QString problem = EveKillWsSource::topicsProblem(topics); !problem.isEmpty()) {
                  return problem;
              }
              c.engine.sources.ekwsTopics = topics;
              return std::nullopt;
          }},
        S{QStringLiteral("history/url"), QStringLiteral("history-url"), "KILLMAIL_HISTORY_URL", QStringLiteral("url"),
          QStringLiteral(
              "Where zKillboard's history files are: URL/history/totals.json, ... (R2Z2 repairs its gaps from its "
              "own URL's /history/)"),
          sources.historyUrl.toString(), url(&SourceSettings::historyUrl)},
        S{QStringLiteral("evekill/url"), QStringLiteral("evekill-url"), "KILLMAIL_EVEKILL_URL", QStringLiteral("url"),
          QStringLiteral("EVE-KILL's API (export)"), sources.eveKillUrl.toString(), url(&SourceSettings::eveKillUrl)},
        S{QStringLiteral("everef/url"), QStringLiteral("everef-url"), "KILLMAIL_EVEREF_URL", QStringLiteral("url"),
          QStringLiteral("EVE Ref's data site (killmail archives, market history)"), sources.eveRefUrl.toString(),
          url(&SourceSettings::eveRefUrl)},
        S{QStringLiteral("metrics/address"), QStringLiteral("metrics-address"), "KILLMAIL_METRICS_ADDRESS",
          QStringLiteral("address"), QStringLiteral("Address /metrics and /healthz listen on"),
          QStringLiteral("127.0.0.1"),
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              const QHostAddress address(text.trimmed());
              if (address.isNull()) {
                  return QStringLiteral("'%1' is not an IP address").arg(text);
              }
              c.engine.monitoring.address = address;
              return std::nullopt;
          }},
        S{QStringLiteral("metrics/port"), QStringLiteral("metrics-port"), "KILLMAIL_METRICS_PORT",
          QStringLiteral("port"), QStringLiteral("Port of /metrics and /healthz; 0 switches them off"),
          QStringLiteral("9464"),
          [](const QString& text, Configuration& c) {
              int port = 0;
              auto problem = readNumber(text, 0, 65535, port);
              c.engine.monitoring.port = quint16(port);
              return problem;
          }},
        S{QStringLiteral("metrics/failure-alert"), QStringLiteral("failure-alert"), "KILLMAIL_FAILURE_ALERT",
          QStringLiteral("percent"),
          QStringLiteral("Share of jobs failing for good (last 10 minutes) that raises the alert"), QStringLiteral("5"),
          [](const QString& text, Configuration& c) {
              int percent = 0;
              auto problem = readNumber(text, 1, 100, percent);
              c.engine.monitoring.failureAlertThreshold = percent / 100.0;
              return problem;
          }},
        S{QStringLiteral("feed/address"), QStringLiteral("feed-address"), "KILLMAIL_FEED_ADDRESS",
          QStringLiteral("address"),
          QStringLiteral(
              "Address the live feed (WebSocket, /events, /overlay) listens on; off loopback it needs a token"),
          QStringLiteral("127.0.0.1"),
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              const QHostAddress address(text.trimmed());
              if (address.isNull()) {
                  return QStringLiteral("'%1' is not an IP address").arg(text);
              }
              c.engine.feed.address = address;
              return std::nullopt;
          }},
        S{QStringLiteral("feed/port"), QStringLiteral("feed-port"), "KILLMAIL_FEED_PORT", QStringLiteral("port"),
          QStringLiteral("Port of the live feed; 0 switches it off"), QStringLiteral("8765"),
          [](const QString& text, Configuration& c) {
              int port = 0;
              auto problem = readNumber(text, 0, 65535, port);
              c.engine.feed.port = quint16(port);
              return problem;
          }},
        S{QStringLiteral("feed/token"),
          QStringLiteral("feed-token"),
          "KILLMAIL_FEED_TOKEN",
          QStringLiteral("token"),
          QStringLiteral("Access token the live feed's clients give (?token= or Authorization: Bearer); required when "
                         "it listens off loopback"),
          {},
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              c.engine.feed.token = text.trimmed();
              return std::nullopt;
          }},
        S{QStringLiteral("maintenance/refresh-prices"),
          QStringLiteral("no-price-refresh"),
          "KILLMAIL_REFRESH_PRICES",
          {},
          QStringLiteral("Do not refresh prices and unknown types daily"),
          QStringLiteral("true"),
          [](const QString& text, Configuration& c) { return readBool(text, c.engine.maintenance.refreshPrices); }},
        S{QStringLiteral("data/folder"), QStringLiteral("data-folder"), "KILLMAIL_DATA_FOLDER", QStringLiteral("dir"),
          QStringLiteral("Folder of refreshed static data (sde/, from sde:refresh) and of hand_set_prices.csv, "
                         "which replaces bundled hand-set prices"),
          StaticData::dataFolder(),
          [](const QString& text, Configuration& c) -> std::optional<QString> {
              c.engine.staticData.dataFolder = text.trimmed();
              return std::nullopt;
          }},
        S{QStringLiteral("sde/url"), QStringLiteral("sde-url"), "KILLMAIL_SDE_URL", QStringLiteral("url"),
          QStringLiteral(
              "CCP's static data export (sde:refresh reads URL/latest.jsonl, then the build's JSON Lines zip)"),
          engine.staticData.sdeUrl.toString(),
          [](const QString& text, Configuration& c) {
              return readUrl(text, {QStringLiteral("http"), QStringLiteral("https")}, c.engine.staticData.sdeUrl);
          }},
    };
}

} // namespace

void useConfiguredDataFolder(const Configuration& configuration)
{
    if (!configuration.engine.staticData.dataFolder.isEmpty()) {
        StaticData::useDataFolder(configuration.engine.staticData.dataFolder);
    }
}

EngineOptions::EngineOptions()
    : m_settings(allSettings())
    , m_config(QStringLiteral("config"),
               QStringLiteral("Config file (KILLMAIL_CONFIG; default: %1 when it exists).").arg(defaultConfigFile()),
               QStringLiteral("file"))
{
}

EngineOptions::~EngineOptions() = default;

void EngineOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOption(m_config);
    for (const Setting& setting : m_settings) {
        parser.addOption(setting.option());
    }
}

QStringList EngineOptions::valueOptionSpellings()
{
    QStringList spellings{QStringLiteral("-d"), QStringLiteral("--config")};
    for (const Setting& setting : allSettings()) {
        if (!setting.valueName.isEmpty()) {
            spellings << QStringLiteral("--") + setting.flag;
        }
    }
    return spellings;
}

QString EngineOptions::defaultConfigFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/killmail-console/killmail-console.conf");
}

QString EngineOptions::exampleConfig()
{
    QString text;
    QString section;
    for (const Setting& setting : allSettings()) {
        const QString group = setting.key.section(QLatin1Char('/'), 0, 0);
        if (group != section) {
            text += (section.isEmpty() ? QStringLiteral("[") : QStringLiteral("\n[")) + group + QStringLiteral("]\n");
            section = group;
        }
        text += QStringLiteral("; %1\n; %2 = %3\n")
                    .arg(setting.help, setting.key.section(QLatin1Char('/'), 1), setting.defaultText);
    }
    return text;
}

std::optional<Configuration> EngineOptions::read(const QList<const QCommandLineParser*>& parsers, QString& error) const
{
    const auto flagged = [&parsers](const QCommandLineOption& option) -> const QCommandLineParser* {
        for (auto it = parsers.crbegin(); it != parsers.crend(); ++it) {
            if ((*it)->isSet(option)) {
                return *it;
            }
        }
        return nullptr;
    };
    Configuration configuration;
    configuration.configFile = qEnvironmentVariable("KILLMAIL_CONFIG");
    if (const QCommandLineParser* parser = flagged(m_config)) {
        configuration.configFile = parser->value(m_config);
    }
    const bool named = !configuration.configFile.isEmpty();
    if (!named && QFileInfo::exists(defaultConfigFile())) {
        configuration.configFile = defaultConfigFile();
    }
    std::unique_ptr<QSettings> file;
    if (!configuration.configFile.isEmpty()) {
        if (!QFileInfo(configuration.configFile).isReadable()) {
            error = QStringLiteral("config file %1 cannot be read").arg(configuration.configFile);
            return std::nullopt;
        }
        file = std::make_unique<QSettings>(configuration.configFile, QSettings::IniFormat);
        if (file->status() != QSettings::NoError) {
            error = QStringLiteral("config file %1 is not a valid INI file").arg(configuration.configFile);
            return std::nullopt;
        }
        for (const QString& key : file->allKeys()) {
            const bool known = std::any_of(m_settings.cbegin(), m_settings.cend(),
                                           [&key](const Setting& setting) { return setting.key == key; });
            if (!known) {
                error = QStringLiteral("config file %1: unknown setting '%2' (section/name)")
                            .arg(configuration.configFile, key);
                return std::nullopt;
            }
        }
    }

    for (const Setting& setting : m_settings) {
        QString text;
        QString origin;
        const QCommandLineOption option = setting.option();
        if (const QCommandLineParser* parser = flagged(option)) {
            text = setting.valueName.isEmpty() ? setting.switchValue : parser->value(option);
            origin = QStringLiteral("--") + setting.flag;
        } else if (qEnvironmentVariableIsSet(setting.environment)) {
            text = qEnvironmentVariable(setting.environment);
            origin = QString::fromLatin1(setting.environment);
        } else if (file && file->contains(setting.key)) {
            const QVariant value = file->value(setting.key);
            // QSettings reads "a, b" as a list.
            text = value.userType() == QMetaType::QStringList ? value.toStringList().join(QLatin1Char(','))
                                                              : value.toString();
            origin = QStringLiteral("%1: %2").arg(configuration.configFile, setting.key);
        } else if (setting.key == QLatin1StringView("database/url")) {
            text = setting.defaultText;
            origin = QStringLiteral("default");
        } else {
            configuration.sources.append({setting.key, setting.defaultText, QStringLiteral("default")});
            continue;
        }
        std::optional<QString> problem = controlCharacterProblem(text);
        if (!problem) {
            problem = setting.apply(text, configuration);
        }
        if (problem) {
            error = QStringLiteral("%1: %2").arg(origin, *problem);
            return std::nullopt;
        }
        configuration.sources.append({setting.key, text, origin});
    }
    return configuration;
}

} // namespace km::cli
