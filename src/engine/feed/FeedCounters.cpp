#include "feed/FeedCounters.h"

#include "monitoring/PrometheusText.h"

namespace km {

QByteArray FeedCounters::metricsText() const
{
    using Type = PrometheusText::Type;
    PrometheusText page;
    page.family("killmail_console_feed_clients", Type::Gauge,
                QStringLiteral("Live feed clients connected (WebSocket and Server-Sent Events)"));
    page.sample(clients.load());
    page.family("killmail_console_feed_messages_sent_total", Type::Counter,
                QStringLiteral("Killmail messages handed to live feed clients"));
    page.sample(messagesSent.load());
    page.family("killmail_console_feed_clients_dropped_total", Type::Counter,
                QStringLiteral("Live feed clients dropped, by reason (slow: their queue was full; silent: no pong)"));
    page.sample(droppedSlow.load(), {{"reason", QStringLiteral("slow")}});
    page.sample(droppedSilent.load(), {{"reason", QStringLiteral("silent")}});
    return page.text();
}

} // namespace km
