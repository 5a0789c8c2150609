#include "config/SettingsTable.h"

#include "config/ConfigFile.h"
#include "sources/EveKillWsSource.h"
#include "staticdata/StaticData.h"

#include <QFileInfo>
#include <QStandardPaths>

namespace km {
namespace {

using Apply = Setting::Apply;

QString translated(const char* text) { return QCoreApplication::translate("SettingsTable", text); }

std::optional<QString> readUrl(const QString& text, const QStringList& schemes, QUrl& url)
{
    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty() || !schemes.contains(parsed.scheme())) {
        return translated("'%1' is not a %2 URL").arg(text, schemes.join(QLatin1Char('/')));
    }
    url = parsed;
    return std::nullopt;
}

std::optional<QString> readNumber(const QString& text, int min, int max, int& value)
{
    bool ok = false;
    const int number = text.toInt(&ok);
    if (!ok || number < min || number > max) {
        return translated("'%1' is not a whole number from %2 to %3").arg(text).arg(min).arg(max);
    }
    value = number;
    return std::nullopt;
}

std::optional<QString> readBool(const QString& text, bool& value)
{
    const std::optional<bool> state = SettingsTable::switchState(text);
    if (!state) {
        return translated("'%1' is not true or false").arg(text);
    }
    value = *state;
    return std::nullopt;
}

std::optional<QString> readAddress(const QString& text, QHostAddress& address)
{
    const QHostAddress parsed(text.trimmed());
    if (parsed.isNull()) {
        return translated("'%1' is not an IP address").arg(text);
    }
    address = parsed;
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
            return translated("the value holds the control character U+%1")
                .arg(QString::number(character.unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0')));
        }
    }
    return std::nullopt;
}

const QStringList webSchemes{QStringLiteral("http"), QStringLiteral("https")};

/// The parts of a setting that say what it is; the builders below add how it is read.
struct About {
    QString key;
    QString flag;
    const char* environment;
    QString valueName;
    const char* title;
    const char* help;
    QString defaultText;
};

Setting make(const About& about, SettingKind kind, Apply apply)
{
    Setting setting;
    setting.key = about.key;
    setting.flag = about.flag;
    setting.environment = about.environment;
    setting.valueName = about.valueName;
    setting.title = about.title;
    setting.help = about.help;
    setting.defaultText = about.defaultText;
    setting.kind = kind;
    setting.apply = std::move(apply);
    return setting;
}

Setting url(const About& about, QUrl& (*member)(Configuration&), QStringList schemes = webSchemes)
{
    return make(about, SettingKind::Url,
                [member, schemes](const QString& text, Configuration& c) { return readUrl(text, schemes, member(c)); });
}

/// Free text; taken as written for Text (the contact), trimmed for the others (IDs, tokens, folders).
Setting text(const About& about, QString& (*member)(Configuration&), SettingKind kind = SettingKind::Text)
{
    return make(about, kind, [member, kind](const QString& text, Configuration& c) -> std::optional<QString> {
        member(c) = kind == SettingKind::Text ? text : text.trimmed();
        return std::nullopt;
    });
}

/// A whole number from `minimum` to `maximum`, handed to `store`.
Setting number(const About& about, int minimum, int maximum, std::function<void(int, Configuration&)> store)
{
    Setting setting = make(about, SettingKind::Number,
                           [minimum, maximum, store = std::move(store)](const QString& text, Configuration& c) {
                               int value = 0;
                               auto problem = readNumber(text, minimum, maximum, value);
                               if (!problem) {
                                   store(value, c);
                               }
                               return problem;
                           });
    setting.minimum = minimum;
    setting.maximum = maximum;
    return setting;
}

Setting toggle(const About& about, bool& (*member)(Configuration&))
{
    return make(about, SettingKind::Switch,
                [member](const QString& text, Configuration& c) { return readBool(text, member(c)); });
}

Setting address(const About& about, QHostAddress& (*member)(Configuration&))
{
    return make(about, SettingKind::Address,
                [member](const QString& text, Configuration& c) { return readAddress(text, member(c)); });
}

/// A whole number of seconds from 1 to a week.
Setting seconds(const About& about, std::chrono::milliseconds& (*member)(Configuration&))
{
    return number(about, 1, 7 * 24 * 3600,
                  [member](int seconds, Configuration& c) { member(c) = std::chrono::seconds(seconds); });
}

/// A size in MiB, from 1 to `maximum`.
Setting mebibytes(const About& about, int maximum, qint64& (*member)(Configuration&))
{
    return number(about, 1, maximum, [member](int mib, Configuration& c) { member(c) = qint64(mib) << 20; });
}

QString secondsText(std::chrono::milliseconds duration)
{
    return QString::number(std::chrono::duration_cast<std::chrono::seconds>(duration).count());
}

QString mebibytesText(qint64 bytes) { return QString::number(bytes >> 20); }

const QStringList liveFeeds{QStringLiteral("r2z2"), QStringLiteral("redisq"), QStringLiteral("ekws")};

std::vector<Setting> allSettings()
{
    const SourceSettings sources;
    const EngineSettings engine;
    std::vector<Setting> settings;
    settings.push_back(make(
        {QStringLiteral("database/url"), QStringLiteral("database"), "KILLMAIL_DATABASE_URL", QStringLiteral("url"),
         QT_TRANSLATE_NOOP("SettingsTable", "Database"),
         QT_TRANSLATE_NOOP("SettingsTable", "Database: sqlite:///path/file.db or postgresql://user:pass@host:port/db"),
         DatabaseUrl::defaultUrl()},
        SettingKind::DatabaseUrl, [](const QString& text, Configuration& c) -> std::optional<QString> {
            QString problem;
            const auto parsed = DatabaseUrl::parse(text, &problem);
            if (!parsed) {
                return problem;
            }
            c.database = *parsed;
            return std::nullopt;
        }));
    settings.push_back(url({QStringLiteral("esi/url"), QStringLiteral("esi-url"), "KILLMAIL_ESI_URL",
                            QStringLiteral("url"), QT_TRANSLATE_NOOP("SettingsTable", "ESI URL"),
                            QT_TRANSLATE_NOOP("SettingsTable", "ESI base URL"), engine.workers.esi.baseUrl.toString()},
                           [](Configuration& c) -> QUrl& { return c.engine.workers.esi.baseUrl; }));
    settings.push_back(text(
        {QStringLiteral("esi/contact"),
         QStringLiteral("esi-contact"),
         "KILLMAIL_ESI_CONTACT",
         QStringLiteral("contact"),
         QT_TRANSLATE_NOOP("SettingsTable", "Contact"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Your contact (mail or in-game name), sent in the User-Agent to ESI, zKillboard, EVE-KILL "
                           "and EVE Ref as they ask"),
         {}},
        [](Configuration& c) -> QString& { return c.engine.workers.esi.contact; }));
    settings.push_back(
        number({QStringLiteral("workers/concurrency"), QStringLiteral("concurrency"), "KILLMAIL_CONCURRENCY",
                QStringLiteral("n"), QT_TRANSLATE_NOOP("SettingsTable", "Concurrent jobs"),
                QT_TRANSLATE_NOOP("SettingsTable", "Killmail jobs processed at once"), QStringLiteral("10")},
               1, 1000, [](int n, Configuration& c) { c.engine.workers.killmails.concurrency = n; }));
    settings.push_back(number(
        {QStringLiteral("workers/job-lease"), QStringLiteral("job-lease"), "KILLMAIL_JOB_LEASE",
         QStringLiteral("seconds"), QT_TRANSLATE_NOOP("SettingsTable", "Job lease (seconds)"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Seconds a worker holds a job before others may take it back, should the worker die"),
         QStringLiteral("60")},
        1, 3600, [](int seconds, Configuration& c) { c.engine.workers.queue.lease = std::chrono::seconds(seconds); }));
    settings.push_back(number(
        {QStringLiteral("workers/keep-completed"), QStringLiteral("keep-completed"), "KILLMAIL_KEEP_COMPLETED",
         QStringLiteral("hours"), QT_TRANSLATE_NOOP("SettingsTable", "Keep completed jobs (hours)"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Hours completed jobs are kept; 0 deletes them at once (failed jobs are kept 14 days)"),
         QStringLiteral("24")},
        0, 24 * 365,
        [](int hours, Configuration& c) { c.engine.workers.queue.completedRetention = std::chrono::hours(hours); }));
    settings.push_back(
        toggle({QStringLiteral("workers/entity-updates"),
                QStringLiteral("no-entity-updates"),
                "KILLMAIL_ENTITY_UPDATES",
                {},
                QT_TRANSLATE_NOOP("SettingsTable", "Fetch character, corporation and alliance details"),
                QT_TRANSLATE_NOOP("SettingsTable", "Do not fetch character, corporation and alliance details from ESI"),
                QStringLiteral("true")},
               [](Configuration& c) -> bool& { return c.engine.workers.entityUpdates; }));
    settings.push_back(make(
        {QStringLiteral("sources/live"), QStringLiteral("sources"), "KILLMAIL_SOURCES", QStringLiteral("list"),
         QT_TRANSLATE_NOOP("SettingsTable", "Live feeds"),
         QT_TRANSLATE_NOOP("SettingsTable", "Live feeds --headless runs, comma-separated: r2z2, redisq, ekws, or none"),
         sources.live.join(QLatin1Char(','))},
        SettingKind::List, [](const QString& text, Configuration& c) -> std::optional<QString> {
            QStringList live = readList(text);
            if (live.isEmpty()) {
                return translated("'%1' names no live feed (say none to switch them off)").arg(text);
            }
            if (live == QStringList{QStringLiteral("none")}) {
                live.clear();
            }
            for (const QString& name : live) {
                if (!liveFeeds.contains(name)) {
                    return translated("'%1' is not a live feed (r2z2, redisq, ekws, none)").arg(name);
                }
            }
            live.removeDuplicates();
            c.engine.sources.live = live;
            return std::nullopt;
        }));
    settings.back().choices = liveFeeds;
    settings.push_back(url({QStringLiteral("r2z2/url"), QStringLiteral("r2z2-url"), "KILLMAIL_R2Z2_URL",
                            QStringLiteral("url"), QT_TRANSLATE_NOOP("SettingsTable", "R2Z2 URL"),
                            QT_TRANSLATE_NOOP("SettingsTable", "zKillboard's R2Z2 feed"), sources.r2z2Url.toString()},
                           [](Configuration& c) -> QUrl& { return c.engine.sources.r2z2Url; }));
    settings.push_back(
        url({QStringLiteral("redisq/url"), QStringLiteral("redisq-url"), "KILLMAIL_REDISQ_URL", QStringLiteral("url"),
             QT_TRANSLATE_NOOP("SettingsTable", "RedisQ URL"),
             QT_TRANSLATE_NOOP("SettingsTable", "A RedisQ-compatible feed"), sources.redisqUrl.toString()},
            [](Configuration& c) -> QUrl& { return c.engine.sources.redisqUrl; }));
    settings.push_back(text(
        {QStringLiteral("redisq/queue-id"),
         QStringLiteral("redisq-id"),
         "REDISQ_ID",
         QStringLiteral("id"),
         QT_TRANSLATE_NOOP("SettingsTable", "RedisQ queue ID"),
         QT_TRANSLATE_NOOP("SettingsTable", "Your RedisQ queueID (the feed remembers what it sent each queue)"),
         {}},
        [](Configuration& c) -> QString& { return c.engine.sources.redisqQueueId; }, SettingKind::Secret));
    settings.push_back(
        url({QStringLiteral("ekws/url"), QStringLiteral("ekws-url"), "KILLMAIL_EKWS_URL", QStringLiteral("url"),
             QT_TRANSLATE_NOOP("SettingsTable", "EVE-KILL WebSocket URL"),
             QT_TRANSLATE_NOOP("SettingsTable", "EVE-KILL's killmail WebSocket"), sources.ekwsUrl.toString()},
            [](Configuration& c) -> QUrl& { return c.engine.sources.ekwsUrl; },
            {QStringLiteral("ws"), QStringLiteral("wss")}));
    settings.push_back(make(
        {QStringLiteral("ekws/topics"),
         QStringLiteral("ekws-topics"),
         "KILLMAIL_EKWS_TOPICS",
         QStringLiteral("list"),
         QT_TRANSLATE_NOOP("SettingsTable", "EVE-KILL topics"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "EVE-KILL topics, comma-separated (character:ID, corporation:ID, alliance:ID, system:ID, "
                           "region:ID); none: every killmail"),
         {}},
        SettingKind::List, [](const QString& text, Configuration& c) -> std::optional<QString> {
            QStringList topics = readList(text);
            if (topics == QStringList{QStringLiteral("none")}) {
                topics.clear();
            }
            if (const QString problem = EveKillWsSource::topicsProblem(topics); !problem.isEmpty()) {
                return problem;
            }
            c.engine.sources.ekwsTopics = topics;
            return std::nullopt;
        }));
    settings.push_back(url(
        {QStringLiteral("history/url"), QStringLiteral("history-url"), "KILLMAIL_HISTORY_URL", QStringLiteral("url"),
         QT_TRANSLATE_NOOP("SettingsTable", "zKillboard history URL"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Where zKillboard's history files are: URL/history/totals.json, ... (R2Z2 repairs its gaps "
                           "from its own URL's /history/)"),
         sources.historyUrl.toString()},
        [](Configuration& c) -> QUrl& { return c.engine.sources.historyUrl; }));
    settings.push_back(
        url({QStringLiteral("evekill/url"), QStringLiteral("evekill-url"), "KILLMAIL_EVEKILL_URL",
             QStringLiteral("url"), QT_TRANSLATE_NOOP("SettingsTable", "EVE-KILL URL"),
             QT_TRANSLATE_NOOP("SettingsTable", "EVE-KILL's API (export)"), sources.eveKillUrl.toString()},
            [](Configuration& c) -> QUrl& { return c.engine.sources.eveKillUrl; }));
    settings.push_back(
        url({QStringLiteral("everef/url"), QStringLiteral("everef-url"), "KILLMAIL_EVEREF_URL", QStringLiteral("url"),
             QT_TRANSLATE_NOOP("SettingsTable", "EVE Ref URL"),
             QT_TRANSLATE_NOOP("SettingsTable", "EVE Ref's data site (killmail archives, market history)"),
             sources.eveRefUrl.toString()},
            [](Configuration& c) -> QUrl& { return c.engine.sources.eveRefUrl; }));
    settings.push_back(address(
        {QStringLiteral("metrics/address"), QStringLiteral("metrics-address"), "KILLMAIL_METRICS_ADDRESS",
         QStringLiteral("address"), QT_TRANSLATE_NOOP("SettingsTable", "Metrics address"),
         QT_TRANSLATE_NOOP("SettingsTable", "Address /metrics and /healthz listen on"), QStringLiteral("127.0.0.1")},
        [](Configuration& c) -> QHostAddress& { return c.engine.monitoring.address; }));
    settings.push_back(number({QStringLiteral("metrics/port"), QStringLiteral("metrics-port"), "KILLMAIL_METRICS_PORT",
                               QStringLiteral("port"), QT_TRANSLATE_NOOP("SettingsTable", "Metrics port"),
                               QT_TRANSLATE_NOOP("SettingsTable", "Port of /metrics and /healthz; 0 switches them off"),
                               QStringLiteral("9464")},
                              0, 65535, [](int port, Configuration& c) { c.engine.monitoring.port = quint16(port); }));
    settings.push_back(number(
        {QStringLiteral("metrics/failure-alert"), QStringLiteral("failure-alert"), "KILLMAIL_FAILURE_ALERT",
         QStringLiteral("percent"), QT_TRANSLATE_NOOP("SettingsTable", "Failure alert (percent)"),
         QT_TRANSLATE_NOOP("SettingsTable", "Share of jobs failing for good (last 10 minutes) that raises the alert"),
         QStringLiteral("5")},
        1, 100, [](int percent, Configuration& c) { c.engine.monitoring.failureAlertThreshold = percent / 100.0; }));
    settings.push_back(address(
        {QStringLiteral("feed/address"), QStringLiteral("feed-address"), "KILLMAIL_FEED_ADDRESS",
         QStringLiteral("address"), QT_TRANSLATE_NOOP("SettingsTable", "Live feed address"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Address the live feed (WebSocket, /events, /overlay) listens on; off loopback it needs a "
                           "token"),
         QStringLiteral("127.0.0.1")},
        [](Configuration& c) -> QHostAddress& { return c.engine.feed.address; }));
    settings.push_back(
        number({QStringLiteral("feed/port"), QStringLiteral("feed-port"), "KILLMAIL_FEED_PORT", QStringLiteral("port"),
                QT_TRANSLATE_NOOP("SettingsTable", "Live feed port"),
                QT_TRANSLATE_NOOP("SettingsTable", "Port of the live feed; 0 switches it off"), QStringLiteral("8765")},
               0, 65535, [](int port, Configuration& c) { c.engine.feed.port = quint16(port); }));
    settings.push_back(text(
        {QStringLiteral("feed/token"),
         QStringLiteral("feed-token"),
         "KILLMAIL_FEED_TOKEN",
         QStringLiteral("token"),
         QT_TRANSLATE_NOOP("SettingsTable", "Live feed token"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Access token the live feed's clients give (?token= or Authorization: "
                           "Bearer); required when it listens off loopback"),
         {}},
        [](Configuration& c) -> QString& { return c.engine.feed.token; }, SettingKind::Secret));
    settings.push_back(toggle({QStringLiteral("maintenance/refresh-prices"),
                               QStringLiteral("no-price-refresh"),
                               "KILLMAIL_REFRESH_PRICES",
                               {},
                               QT_TRANSLATE_NOOP("SettingsTable", "Refresh prices and unknown types daily"),
                               QT_TRANSLATE_NOOP("SettingsTable", "Do not refresh prices and unknown types daily"),
                               QStringLiteral("true")},
                              [](Configuration& c) -> bool& { return c.engine.maintenance.refreshPrices; }));
    settings.push_back(text(
        {QStringLiteral("data/folder"), QStringLiteral("data-folder"), "KILLMAIL_DATA_FOLDER", QStringLiteral("dir"),
         QT_TRANSLATE_NOOP("SettingsTable", "Data folder"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "Folder of refreshed static data (sde/, from sde:refresh) and of hand_set_prices.csv, "
                           "which replaces bundled hand-set prices"),
         StaticData::dataFolder()},
        [](Configuration& c) -> QString& { return c.engine.staticData.dataFolder; }, SettingKind::Folder));
    settings.push_back(url({QStringLiteral("sde/url"), QStringLiteral("sde-url"), "KILLMAIL_SDE_URL",
                            QStringLiteral("url"), QT_TRANSLATE_NOOP("SettingsTable", "SDE URL"),
                            QT_TRANSLATE_NOOP("SettingsTable",
                                              "CCP's static data export (sde:refresh reads URL/latest.jsonl, then the "
                                              "build's JSON Lines zip)"),
                            engine.staticData.sdeUrl.toString()},
                           [](Configuration& c) -> QUrl& { return c.engine.staticData.sdeUrl; }));
    settings.push_back(
        seconds({QStringLiteral("http/timeout"), QStringLiteral("http-timeout"), "KILLMAIL_HTTP_TIMEOUT",
                 QStringLiteral("seconds"), QT_TRANSLATE_NOOP("SettingsTable", "HTTP pause (seconds)"),
                 QT_TRANSLATE_NOOP("SettingsTable",
                                   "Seconds without an answer, or without progress of one, after which a request to "
                                   "zKillboard, EVE-KILL or EVE Ref is given up"),
                 secondsText(engine.http.timeout)},
                [](Configuration& c) -> std::chrono::milliseconds& { return c.engine.http.timeout; }));
    settings.push_back(number({QStringLiteral("http/max-redirects"), QStringLiteral("http-max-redirects"),
                               "KILLMAIL_HTTP_MAX_REDIRECTS", QStringLiteral("n"),
                               QT_TRANSLATE_NOOP("SettingsTable", "HTTP redirects"),
                               QT_TRANSLATE_NOOP("SettingsTable", "Redirects one request follows before it fails"),
                               QString::number(engine.http.maxRedirects)},
                              0, 50, [](int redirects, Configuration& c) { c.engine.http.maxRedirects = redirects; }));
    settings.push_back(mebibytes(
        {QStringLiteral("http/answer-mib"), QStringLiteral("http-answer-mib"), "KILLMAIL_HTTP_ANSWER_MIB",
         QStringLiteral("MiB"), QT_TRANSLATE_NOOP("SettingsTable", "Largest answer (MiB)"),
         QT_TRANSLATE_NOOP("SettingsTable", "The most one answer (a feed record or poll, a page, an index) may bring"),
         mebibytesText(engine.http.answer.maxBytes)},
        4096, [](Configuration& c) -> qint64& { return c.engine.http.answer.maxBytes; }));
    settings.push_back(seconds(
        {QStringLiteral("http/answer-seconds"), QStringLiteral("http-answer-seconds"), "KILLMAIL_HTTP_ANSWER_SECONDS",
         QStringLiteral("seconds"), QT_TRANSLATE_NOOP("SettingsTable", "Longest answer (seconds)"),
         QT_TRANSLATE_NOOP("SettingsTable", "The most one answer may take, from asking to its last byte"),
         secondsText(engine.http.answer.deadline)},
        [](Configuration& c) -> std::chrono::milliseconds& { return c.engine.http.answer.deadline; }));
    settings.push_back(
        mebibytes({QStringLiteral("http/day-mib"), QStringLiteral("http-day-mib"), "KILLMAIL_HTTP_DAY_MIB",
                   QStringLiteral("MiB"), QT_TRANSLATE_NOOP("SettingsTable", "Largest history day (MiB)"),
                   QT_TRANSLATE_NOOP("SettingsTable", "The most one zKillboard history day may bring"),
                   mebibytesText(engine.http.dayFile.maxBytes)},
                  65536, [](Configuration& c) -> qint64& { return c.engine.http.dayFile.maxBytes; }));
    settings.push_back(
        seconds({QStringLiteral("http/day-seconds"), QStringLiteral("http-day-seconds"), "KILLMAIL_HTTP_DAY_SECONDS",
                 QStringLiteral("seconds"), QT_TRANSLATE_NOOP("SettingsTable", "Longest history day (seconds)"),
                 QT_TRANSLATE_NOOP("SettingsTable", "The most one zKillboard history day may take"),
                 secondsText(engine.http.dayFile.deadline)},
                [](Configuration& c) -> std::chrono::milliseconds& { return c.engine.http.dayFile.deadline; }));
    settings.push_back(mebibytes(
        {QStringLiteral("http/download-mib"), QStringLiteral("http-download-mib"), "KILLMAIL_HTTP_DOWNLOAD_MIB",
         QStringLiteral("MiB"), QT_TRANSLATE_NOOP("SettingsTable", "Largest download (MiB)"),
         QT_TRANSLATE_NOOP("SettingsTable",
                           "The most one file downloaded to disk (an EVE Ref archive, the static data export) may "
                           "bring"),
         mebibytesText(engine.http.download.maxBytes)},
        1 << 20, [](Configuration& c) -> qint64& { return c.engine.http.download.maxBytes; }));
    settings.push_back(
        seconds({QStringLiteral("http/download-seconds"), QStringLiteral("http-download-seconds"),
                 "KILLMAIL_HTTP_DOWNLOAD_SECONDS", QStringLiteral("seconds"),
                 QT_TRANSLATE_NOOP("SettingsTable", "Longest download (seconds)"),
                 QT_TRANSLATE_NOOP("SettingsTable", "The most one file downloaded to disk may take"),
                 secondsText(engine.http.download.deadline)},
                [](Configuration& c) -> std::chrono::milliseconds& { return c.engine.http.download.deadline; }));
    return settings;
}

} // namespace

const Configuration::Source* Configuration::source(const QString& key) const
{
    const auto found =
        std::find_if(sources.cbegin(), sources.cend(), [&key](const Source& source) { return source.key == key; });
    return found == sources.cend() ? nullptr : &*found;
}

QString Setting::helpText() const { return translated(help); }

QString Setting::titleText() const { return translated(title); }

std::optional<QString> Setting::problem(const QString& text) const
{
    if (std::optional<QString> problem = controlCharacterProblem(text)) {
        return problem;
    }
    Configuration scratch;
    return apply(text, scratch);
}

QString Setting::shown(const QString& text) const
{
    if (kind == SettingKind::DatabaseUrl) {
        const auto parsed = DatabaseUrl::parse(text, nullptr);
        return parsed ? parsed->redacted() : DatabaseUrl::masked(text);
    }
    if (key == QLatin1StringView("feed/token") && !text.isEmpty()) {
        return QStringLiteral("(set)");
    }
    return text;
}

const std::vector<Setting>& SettingsTable::all()
{
    static const std::vector<Setting> settings = allSettings();
    return settings;
}

const Setting* SettingsTable::find(const QString& key)
{
    const auto found = std::find_if(all().cbegin(), all().cend(), [&key](const Setting& s) { return s.key == key; });
    return found == all().cend() ? nullptr : &*found;
}

QString SettingsTable::defaultConfigFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/killmail-console/killmail-console.conf");
}

QString SettingsTable::fileToRead(const QString& named)
{
    if (!named.isEmpty()) {
        return named;
    }
    return QFileInfo::exists(defaultConfigFile()) ? defaultConfigFile() : QString();
}

QString SettingsTable::exampleConfig()
{
    QString text;
    QString section;
    for (const Setting& setting : all()) {
        if (setting.section() != section) {
            text += (section.isEmpty() ? QStringLiteral("[") : QStringLiteral("\n[")) + setting.section()
                + QStringLiteral("]\n");
            section = setting.section();
        }
        text += QStringLiteral("; %1\n; %2 = %3\n").arg(setting.helpText(), setting.name(), setting.defaultText);
    }
    return text;
}

std::optional<Configuration> SettingsTable::read(const FlagValue& flags, const QString& configFile, QString& error)
{
    Configuration configuration;
    configuration.configFile = configFile;
    QMap<QString, QString> file;
    if (!configFile.isEmpty()) {
        auto values = ConfigFile::read(configFile, error);
        if (!values) {
            return std::nullopt;
        }
        file = *values;
    }
    for (const Setting& setting : all()) {
        Configuration::Source source{setting.key, {}, {}, Configuration::Origin::Default};
        if (const std::optional<QString> flagged = flags ? flags(setting) : std::nullopt) {
            source.value = *flagged;
            source.origin = QStringLiteral("--") + setting.flag;
            source.from = Configuration::Origin::Flag;
        } else if (qEnvironmentVariableIsSet(setting.environment)) {
            source.value = qEnvironmentVariable(setting.environment);
            source.origin = QString::fromLatin1(setting.environment);
            source.from = Configuration::Origin::Environment;
        } else if (file.contains(setting.key)) {
            source.value = file.value(setting.key);
            source.origin = QStringLiteral("%1: %2").arg(configFile, setting.key);
            source.from = Configuration::Origin::File;
        } else {
            source.value = setting.defaultText;
            source.origin = QStringLiteral("default");
            // The database's default is a path of this user's: read it like a given URL.
            if (setting.kind != SettingKind::DatabaseUrl) {
                configuration.sources.append(source);
                continue;
            }
        }
        std::optional<QString> problem = controlCharacterProblem(source.value);
        if (!problem) {
            problem = setting.apply(source.value, configuration);
        }
        if (problem) {
            error = QStringLiteral("%1: %2").arg(source.origin, *problem);
            return std::nullopt;
        }
        configuration.sources.append(source);
    }
    return configuration;
}

SettingsTable::FlagValue SettingsTable::flagsOf(const Configuration& configuration)
{
    return [configuration](const Setting& setting) -> std::optional<QString> {
        const Configuration::Source* source = configuration.source(setting.key);
        if (source && source->from == Configuration::Origin::Flag) {
            return source->value;
        }
        return std::nullopt;
    };
}

std::optional<bool> SettingsTable::switchState(const QString& text)
{
    const QString word = text.trimmed().toLower();
    if (QStringList{QStringLiteral("true"), QStringLiteral("yes"), QStringLiteral("on"), QStringLiteral("1")}.contains(
            word)) {
        return true;
    }
    if (QStringList{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("off"), QStringLiteral("0")}.contains(
            word)) {
        return false;
    }
    return std::nullopt;
}

void useConfiguredDataFolder(const Configuration& configuration)
{
    if (!configuration.engine.staticData.dataFolder.isEmpty()) {
        StaticData::useDataFolder(configuration.engine.staticData.dataFolder);
    }
}

} // namespace km
