#pragma once

#include "config/EngineSettings.h"
#include "sources/R2z2Source.h"

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

/// The offline engine following the fake zKillboard at `zkillboard`: its R2Z2 feed live, its history for backfills.
inline EngineSettings zkillboardEngineSettings(const QUrl& zkillboard)
{
    EngineSettings settings = offlineEngineSettings();
    settings.sources.live = {R2z2Source::sourceName};
    settings.sources.r2z2Url = zkillboard;
    settings.sources.historyUrl = zkillboard;
    return settings;
}

} // namespace km::test
