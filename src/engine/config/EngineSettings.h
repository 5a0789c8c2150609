#pragma once

#include "feed/FeedSettings.h"
#include "net/HttpClient.h"
#include "processing/WorkerSettings.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>

namespace km {

/// Where the public services are, and how the live feeds are set up: what an operator configures.
struct SourceSettings {
    /// The live feeds to run: any of "r2z2", "redisq", "ekws".
    QStringList live{QStringLiteral("r2z2")};
    QUrl r2z2Url{QStringLiteral("https://r2z2.zkillboard.com")};
    QUrl redisqUrl{QStringLiteral("https://zkillredisq.stream")};
    /// RedisQ's queueID: the feed remembers what each queue has been sent.
    QString redisqQueueId;
    QUrl ekwsUrl{QStringLiteral("wss://ws.eve-kill.com/killmails")};
    /// EVE-KILL topics ("character:123", "region:10000002", ...); empty: every killmail.
    QStringList ekwsTopics;
    /// Serves zKillboard's history files under /history/ (totals.json, YYYYMMDD.json, raw/YYYYMMDD.json).
    QUrl historyUrl{QStringLiteral("https://r2z2.zkillboard.com")};
    QUrl eveKillUrl{QStringLiteral("https://eve-kill.com")};
    QUrl eveRefUrl{QStringLiteral("https://data.everef.net")};
};

struct MonitoringSettings {
    /// The /metrics and /healthz endpoint; port 0 switches it off.
    QHostAddress address{QHostAddress::LocalHost};
    quint16 port = 9464;
    /// Share of jobs failing for good, over the last ten minutes, above which the engine raises its alert.
    double failureAlertThreshold = 0.05;
};

struct MaintenanceSettings {
    /// Refresh prices (EVE Ref market history, ESI as the fallback) and resolve unknown types each day.
    bool refreshPrices = true;
};

/// Where the static data and the hand-set prices come from besides what is compiled in.
struct StaticDataSettings {
    /// Holds sde/ (written by sde:refresh) and hand_set_prices.csv; empty: StaticData::dataFolder()'s default.
    QString dataFolder;
    /// CCP's SDE export: URL/latest.jsonl and URL/eve-online-static-data-<build>-jsonl.zip.
    QUrl sdeUrl{QStringLiteral("https://developers.eveonline.com/static-data/tranquility")};
};

/// Everything the engine runs with: defaults, then the config file, the environment and the flags.
struct EngineSettings {
    WorkerSettings workers;
    SourceSettings sources;
    MonitoringSettings monitoring;
    MaintenanceSettings maintenance;
    StaticDataSettings staticData;
    FeedSettings feed;
    /// The bounds of requests to the public services other than ESI (the User-Agent comes from the ESI contact).
    HttpSettings http;
};

} // namespace km
