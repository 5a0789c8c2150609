#include "EngineOptions.h"

#include <QUrl>

namespace km::cli {
namespace {

QString valueOf(const QCommandLineParser& parser, const QCommandLineOption& option, const char* environment)
{
    return parser.isSet(option) ? parser.value(option) : qEnvironmentVariable(environment);
}

} // namespace

EngineOptions::EngineOptions()
    : m_esiUrl(QStringLiteral("esi-url"),
               QStringLiteral("ESI base URL (environment: KILLMAIL_ESI_URL; default: https://esi.evetech.net)."),
               QStringLiteral("url"))
    , m_esiContact(QStringLiteral("esi-contact"),
                   QStringLiteral("Your contact (mail or in-game name), sent to ESI in the User-Agent as CCP asks "
                                  "(environment: KILLMAIL_ESI_CONTACT)."),
                   QStringLiteral("contact"))
    , m_concurrency(QStringLiteral("concurrency"),
                    QStringLiteral("Killmail jobs processed at once (environment: KILLMAIL_CONCURRENCY; default: 10)."),
                    QStringLiteral("n"))
    , m_noEntityUpdates(QStringLiteral("no-entity-updates"),
                        QStringLiteral("Do not fetch character, corporation and alliance details from ESI."))
    , m_jobLease(QStringLiteral("job-lease"),
                 QStringLiteral("Seconds a worker holds a job before other workers may take it back, should the "
                                "worker die (environment: KILLMAIL_JOB_LEASE; default: 60)."),
                 QStringLiteral("seconds"))
    , m_keepCompleted(QStringLiteral("keep-completed"),
                      QStringLiteral("Hours completed jobs are kept before they are deleted; 0 deletes them at once "
                                     "(environment: KILLMAIL_KEEP_COMPLETED; default: 24). Failed jobs are kept 14 "
                                     "days."),
                      QStringLiteral("hours"))
{
}

void EngineOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({m_esiUrl, m_esiContact, m_concurrency, m_noEntityUpdates, m_jobLease, m_keepCompleted});
}

QStringList EngineOptions::valueOptionSpellings()
{
    return {QStringLiteral("--database"),      QStringLiteral("-d"),
            QStringLiteral("--esi-url"),       QStringLiteral("--esi-contact"),
            QStringLiteral("--concurrency"),   QStringLiteral("--job-lease"),
            QStringLiteral("--keep-completed")};
}

bool EngineOptions::readNumber(const QCommandLineParser& parser, const QCommandLineOption& option,
                               const char* environment, int min, int max, int& value, QString& error)
{
    const QString text = valueOf(parser, option, environment);
    if (text.isEmpty()) {
        return true;
    }
    bool ok = false;
    const int number = text.toInt(&ok);
    if (!ok || number < min || number > max) {
        error = QStringLiteral("--%1: '%2' is not a whole number from %3 to %4")
                    .arg(option.names().constFirst(), text)
                    .arg(min)
                    .arg(max);
        return false;
    }
    value = number;
    return true;
}

std::optional<WorkerSettings> EngineOptions::read(const QCommandLineParser& parser, QString& error) const
{
    WorkerSettings settings;
    const QString esiUrl = valueOf(parser, m_esiUrl, "KILLMAIL_ESI_URL");
    if (!esiUrl.isEmpty()) {
        const QUrl url(esiUrl, QUrl::StrictMode);
        if (!url.isValid()
            || (url.scheme() != QLatin1StringView("http") && url.scheme() != QLatin1StringView("https"))) {
            error = QStringLiteral("--esi-url: '%1' is not an http(s) URL").arg(esiUrl);
            return std::nullopt;
        }
        settings.esi.baseUrl = url;
    }
    settings.esi.contact = valueOf(parser, m_esiContact, "KILLMAIL_ESI_CONTACT");
    int leaseSeconds = int(std::chrono::duration_cast<std::chrono::seconds>(settings.queue.lease).count());
    int keepHours = int(std::chrono::duration_cast<std::chrono::hours>(settings.queue.completedRetention).count());
    if (!readNumber(parser, m_concurrency, "KILLMAIL_CONCURRENCY", 1, 1000, settings.killmails.concurrency, error)
        || !readNumber(parser, m_jobLease, "KILLMAIL_JOB_LEASE", 1, 3600, leaseSeconds, error)
        || !readNumber(parser, m_keepCompleted, "KILLMAIL_KEEP_COMPLETED", 0, 24 * 365, keepHours, error)) {
        return std::nullopt;
    }
    settings.queue.lease = std::chrono::seconds(leaseSeconds);
    settings.queue.completedRetention = std::chrono::hours(keepHours);
    settings.entityUpdates = !parser.isSet(m_noEntityUpdates);
    return settings;
}

} // namespace km::cli
