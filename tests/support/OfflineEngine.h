#pragma once

#include "config/EngineSettings.h"

namespace km::test {

/// Engine settings for a test that runs an engine in its process: no live source, ESI and EVE Ref on a closed
/// loopback port, no entity updates, no price refresh at start, and neither /metrics nor the live feed listening.
inline EngineSettings offlineEngineSettings()
{
    EngineSettings settings;
    settings.sources.live.clear();
    settings.sources.eveRefUrl = QUrl(QStringLiteral("http://127.0.0.1:9"));
    settings.workers.esi.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:9"));
    settings.workers.entityUpdates = false;
    settings.maintenance.refreshPrices = false;
    settings.monitoring.port = 0;
    settings.feed.port = 0;
    return settings;
}

} // namespace km::test
