#pragma once

#include "net/RequestStatus.h"
#include "queue/KillmailJobs.h"
#include "sources/Source.h"

#include <QCoroTask>
#include <QDate>
#include <QMap>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>
#include <vector>

namespace km {

class HttpClient;
struct HttpReply;

/// What one request for a history file gave.
struct HistoryAnswer {
    enum class Outcome {
        Ok,
        /// 404: there is no such file.
        Missing,
        /// No usable answer; a transient one (no answer, cut off, 429, 5xx) is worth asking again soon.
        Failed,
        /// A complete answer that is not what the file holds (garbled JSON, another shape).
        Malformed,
    };
    /// Its message names the URL.
    RequestStatus status;

    [[nodiscard]] Outcome outcome() const;
};

/// totals.json: how many killmails each UTC day has.
struct HistoryTotals {
    HistoryAnswer answer;
    QMap<QDate, qint64> killsPerDay;
};

/// One UTC day of killmails.
struct HistoryDay {
    HistoryAnswer answer;
    /// From raw/YYYYMMDD.json each job carries its ESI body, and its hash when YYYYMMDD.json gave it (the raw file
    /// has none); from YYYYMMDD.json alone its hash and no body.
    std::vector<KillmailJob> killmails;
    /// Entries that could not be read, each named with its file and key.
    QStringList rejected;
};

/**
 * A client for zKillboard's history files under `<base>/history/`: totals.json (`{"YYYYMMDD": count}`),
 * raw/YYYYMMDD.json (`{"<id>": {ESI body}}`, since mid 2026) and YYYYMMDD.json (`{"<id>": "<hash>"}`). One
 * request per file (two for a raw day: its hashes are in the plain file), no retries: that is the caller's to decide.
 */
class ZkbHistory {
public:
    /// Jobs made from the files carry `source` and `priority`.
    ZkbHistory(HttpClient& http, QUrl baseUrl, QString source, Priority priority);

    QCoro::Task<HistoryTotals> totals();
    /// The day from raw/YYYYMMDD.json with the hashes of YYYYMMDD.json, or when the raw file is missing (404), from
    /// YYYYMMDD.json alone (IDs and hashes).
    QCoro::Task<HistoryDay> day(QDate date);

    /// "YYYYMMDD", as the files name days.
    static QString dayKey(QDate date);
    /// totals.json's answer, as totals() reads it; `what` names the request in errors.
    static HistoryTotals readTotals(const HttpReply& reply, const QString& what);
    /// The answer for raw/YYYYMMDD.json (`raw`) or YYYYMMDD.json, as day() reads each.
    [[nodiscard]] HistoryDay readDay(const HttpReply& reply, const QString& what, bool raw) const;

private:
    QCoro::Task<HistoryDay> dayFile(QDate date, bool raw);

    HttpClient& m_http;
    QUrl m_baseUrl;
    QString m_source;
    Priority m_priority;
};

/// A failed answer's error, saying so when zKillboard refused the User-Agent (its 403).
QString zkbFailure(const HttpReply& reply);
/// Why `url` cannot be a service's base URL (not http or https); empty when it can.
QString httpUrlProblem(const QUrl& url);

/// How days of the history are fetched and handed over.
struct HistoryDaySettings {
    /// Killmails per hand-over (one transaction each).
    int chunkSize = 1000;
    /// Refused (403, other 4xx) or malformed answers for one file are asked again this many times in all before the
    /// file is given up for now; no answer, cut-off answers, 429 and 5xx are asked again for as long as it takes.
    int attempts = 3;
    /// Waits between attempts, growing from `backoffInitial` to `backoffMax` (a 429's Retry-After wins).
    std::chrono::milliseconds backoffInitial{5000};
    std::chrono::milliseconds backoffMax{std::chrono::minutes(5)};

    /// Why the history cannot be read with these settings; empty when it can.
    [[nodiscard]] QString problem() const;
};

/**
 * A source that hands over whole days of zKillboard's history: the zKillboard backfill, and R2Z2 repairing a gap in
 * its feed. Failed requests are asked again (see HistoryDaySettings), killmails already stored are left out, the
 * rest is handed over in chunks.
 */
class ZkbHistorySource : public Source {
    Q_OBJECT
protected:
    enum class DayOutcome {
        /// Every killmail of the day was handed over.
        HandedOver,
        /// Handed over, but some entries could not be read (each reported).
        Incomplete,
        /// Neither raw/YYYYMMDD.json nor YYYYMMDD.json exists (not reported: whether that is wrong is the caller's).
        Missing,
        /// Given up after `attempts` refusals or malformed answers (reported).
        Failed,
        Stopped,
    };

    /// Jobs from the history carry this source's name and `priority`.
    ZkbHistorySource(QString name, SourceContext context, const QUrl& baseUrl, HistoryDaySettings settings,
                     Priority priority, QObject* parent);

    QCoro::Task<DayOutcome> handOverDay(QDate day);
    /// totals.json; nullopt when given up (reported), missing (reported) or stopped.
    QCoro::Task<std::optional<HistoryTotals>> fetchTotals();
    /// Hands over, waiting and trying again while the database refuses; false when asked to stop first.
    QCoro::Task<bool> deliverSurely(const std::vector<KillmailJob>& killmails, const std::optional<QString>& cursor);

private:
    /// Asks until Ok or Missing; nullopt when given up or stopped.
    template <typename Answer, typename Ask>
    QCoro::Task<std::optional<Answer>> askPatiently(Ask ask);
    /// Hands over in chunks, leaving out what is stored; false when stopped first.
    QCoro::Task<bool> handOverChunks(const std::vector<KillmailJob>& killmails);

    ZkbHistory m_history;
    HistoryDaySettings m_settings;
    Backoff m_databaseBackoff{std::chrono::seconds(1), std::chrono::minutes(1)};
};

} // namespace km
