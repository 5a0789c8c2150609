#pragma once

#include <QString>
#include <QUrl>
#include <QtGlobal>

#include <chrono>

namespace km {

/// How the process talks to ESI. Environment: KILLMAIL_ESI_URL (base URL, for a mirror or a test server) and
/// KILLMAIL_ESI_CONTACT (the operator's contact, sent in the User-Agent as ESI asks).
struct EsiSettings {
    QUrl baseUrl{QStringLiteral("https://esi.evetech.net")};
    /// The operator's contact (mail address or in-game name) for the User-Agent.
    QString contact;
    QString compatibilityDate{QStringLiteral("2025-08-26")};
    std::chrono::milliseconds timeout{15000};
    /// Stop sending while X-ESI-Error-Limit-Remain is at or below this, until the reset.
    int errorLimitReserve = 10;
    /// Below this share of a bucket, requests are spread at the bucket's sustained rate.
    double bucketReserveFraction = 0.05;
    /// 429s waited out (Retry-After) and retried inside the client before it gives up (transient).
    int max429Retries = 3;

    [[nodiscard]] static EsiSettings fromEnvironment()
    {
        EsiSettings settings;
        const QString url = qEnvironmentVariable("KILLMAIL_ESI_URL");
        if (!url.isEmpty()) {
            settings.baseUrl = QUrl(url);
        }
        settings.contact = qEnvironmentVariable("KILLMAIL_ESI_CONTACT");
        return settings;
    }

    [[nodiscard]] QString userAgent() const
    {
        const QString home = QStringLiteral("+https://github.com/killmail-console");
        QString contact = this->contact;
        for (QChar& c : contact) {
            if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
                c = QLatin1Char(' '); // a header value must stay on one line
            }
        }
        return QStringLiteral("killmail-console/%1 (%2)")
            .arg(QStringLiteral(KILLMAIL_VERSION),
                 contact.trimmed().isEmpty() ? home : contact.trimmed() + QStringLiteral("; ") + home);
    }
};

} // namespace km
