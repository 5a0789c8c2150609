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
{
}

void EngineOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({m_esiUrl, m_esiContact, m_concurrency, m_noEntityUpdates, m_jobLease});
}

QStringList EngineOptions::valueOptionSpellings()
{
    return {QStringLiteral("--database"),    QStringLiteral("-d"),
            QStringLiteral("--esi-url"),     QStringLiteral("--esi-contact"),
            QStringLiteral("--concurrency"), QStringLiteral("--job-lease")};
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
    const QString concurrency = valueOf(parser, m_concurrency, "KILLMAIL_CONCURRENCY");
    if (!concurrency.isEmpty()) {
        bool ok = false;
        settings.killmails.concurrency = concurrency.toInt(&ok);
        if (!ok || settings.killmails.concurrency < 1 || settings.killmails.concurrency > 1000) {
            error = QStringLiteral("--concurrency: '%1' is not a number from 1 to 1000").arg(concurrency);
            return std::nullopt;
        }
    }
    const QString lease = valueOf(parser, m_jobLease, "KILLMAIL_JOB_LEASE");
    if (!lease.isEmpty()) {
        bool ok = false;
        const int seconds = lease.toInt(&ok);
        if (!ok || seconds < 1 || seconds > 3600) {
            error = QStringLiteral("--job-lease: '%1' is not a number of seconds from 1 to 3600").arg(lease);
            return std::nullopt;
        }
        settings.queue.lease = std::chrono::seconds(seconds);
    }
    settings.entityUpdates = !parser.isSet(m_noEntityUpdates);
    return settings;
}

} // namespace km::cli
