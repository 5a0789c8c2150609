#include "runtime/Engine.h"

#include "sources/EveKillWsSource.h"
#include "sources/R2z2Source.h"
#include "sources/RedisqSource.h"

namespace km {

std::vector<SourceFactory> liveSourceFactories(const EngineSettings& settings)
{
    const SourceSettings& sources = settings.sources;
    std::vector<SourceFactory> factories;
    if (sources.live.contains(R2z2Source::sourceName)) {
        R2z2Settings r2z2;
        r2z2.baseUrl = sources.r2z2Url;
        factories.emplace_back([r2z2](SourceContext context) { return std::make_unique<R2z2Source>(r2z2, context); });
    }
    if (sources.live.contains(RedisqSource::sourceName)) {
        RedisqSettings redisq;
        redisq.baseUrl = sources.redisqUrl;
        redisq.queueId = sources.redisqQueueId;
        factories.emplace_back(
            [redisq](SourceContext context) { return std::make_unique<RedisqSource>(redisq, context); });
    }
    if (sources.live.contains(EveKillWsSource::sourceName)) {
        EveKillWsSettings ekws;
        ekws.url = sources.ekwsUrl;
        ekws.topics = sources.ekwsTopics;
        factories.emplace_back(
            [ekws](SourceContext context) { return std::make_unique<EveKillWsSource>(ekws, context); });
    }
    return factories;
}

} // namespace km
