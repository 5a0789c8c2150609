#include "sources/R2z2Source.h"

#include "net/HttpClient.h"
#include "parse/KillmailParser.h"
#include "util/Logging.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdlib>

namespace km {
namespace {

using std::chrono::milliseconds;

constexpr std::chrono::hours longestHistorySettle{24 * 7};

bool isWholeNumber(const QJsonValue& value, double least)
{
    return value.isDouble() && value.toDouble() >= least && value.toDouble() == double(value.toInteger());
}

bool isPositiveInteger(const QJsonValue& value) { return isWholeNumber(value, 1); }

QDate todayUtc() { return QDateTime::currentDateTimeUtc().date(); }

} // namespace

QString R2z2Settings::problem() const
{
    if (const QString url = httpUrlProblem(baseUrl); !url.isEmpty()) {
        return url;
    }
    if (notPublishedWait.count() < 1 || minRequestInterval.count() < 0 || backoffInitial.count() < 1
        || backoffMax < backoffInitial) {
        return QStringLiteral("the waits must be positive, the backoff's maximum no less than its start");
    }
    if (gapThreshold < 1 || malformedAttempts < 1) {
        return QStringLiteral("the gap threshold and the attempts must be 1 or more");
    }
    if (repairLookBack.count() < 0 || historySettle.count() < 0 || historySettle > longestHistorySettle) {
        return QStringLiteral("the repair's look-back must not be negative, the history's settling time 0 to 7 days");
    }
    return history.problem();
}

QString R2z2Cursor::toJson() const
{
    QJsonObject object{{QStringLiteral("sequence"), sequence},
                       {QStringLiteral("seenUntil"), seenUntil.toUTC().toString(Qt::ISODate)}};
    if (repair) {
        object.insert(QStringLiteral("repair"),
                      QJsonObject{{QStringLiteral("next"), repair->next.toString(Qt::ISODate)},
                                  {QStringLiteral("last"), repair->last.toString(Qt::ISODate)}});
    }
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

std::optional<R2z2Cursor> R2z2Cursor::fromJson(const QString& text, QString& problem)
{
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    const QJsonValue sequence = object.value(QLatin1StringView("sequence"));
    R2z2Cursor cursor;
    cursor.seenUntil = QDateTime::fromString(object.value(QLatin1StringView("seenUntil")).toString(), Qt::ISODate);
    if (!isWholeNumber(sequence, 0) || !cursor.seenUntil.isValid()) {
        problem = QStringLiteral("expected {\"sequence\": N, \"seenUntil\": \"<ISO time>\", ...}, got %1")
                      .arg(text.left(200));
        return std::nullopt;
    }
    cursor.sequence = sequence.toInteger();
    const QJsonValue repair = object.value(QLatin1StringView("repair"));
    if (repair.isUndefined()) {
        return cursor;
    }
    const QDate next = QDate::fromString(repair[QLatin1StringView("next")].toString(), Qt::ISODate);
    const QDate last = QDate::fromString(repair[QLatin1StringView("last")].toString(), Qt::ISODate);
    if (!next.isValid() || !last.isValid() || next > last) {
        problem = QStringLiteral("repair: expected {\"next\": \"YYYY-MM-DD\", \"last\": \"YYYY-MM-DD\"}, next <= last");
        return std::nullopt;
    }
    cursor.repair = Days{next, last};
    return cursor;
}

void R2z2Cursor::addRepair(QDate from, QDate to)
{
    if (!repair) {
        repair = Days{from, to};
        return;
    }
    repair->next = std::min(repair->next, from);
    repair->last = std::max(repair->last, to);
}

void R2z2Cursor::repaired(QDate day)
{
    if (!repair || repair->next != day) {
        return; // the repair was moved back meanwhile, by a new gap: it goes on from there
    }
    repair->next = day.addDays(1);
    if (repair->next > repair->last) {
        repair.reset();
    }
}

std::optional<R2z2Record> R2z2Record::read(const HttpReply& reply, qint64 sequence, const QString& what,
                                           QString& problem)
{
    const std::optional<QJsonDocument> document = reply.json(what, problem);
    if (!document) {
        return std::nullopt;
    }
    const QJsonObject object = document->object();
    const QJsonValue id = object.value(QLatin1StringView("killmail_id"));
    const QString hash = object.value(QLatin1StringView("hash")).toString();
    const QJsonValue esi = object.value(QLatin1StringView("esi"));
    if (!document->isObject()) {
        problem = what + QStringLiteral(": expected a record (a JSON object)");
    } else if (!isPositiveInteger(id)) {
        problem = what + QStringLiteral(": killmail_id is missing or not a killmail ID");
    } else if (!KillmailParser::isValidHash(hash)) {
        problem = what + QStringLiteral(": hash is missing or not a killmail hash");
    } else if (!esi.isObject()) {
        problem = what + QStringLiteral(": esi (the killmail's ESI body) is missing or not an object");
    } else if (esi[QLatin1StringView("killmail_id")].toInteger() != id.toInteger()) {
        problem = what + QStringLiteral(": esi.killmail_id is not the record's killmail_id");
    }
    if (!problem.isEmpty()) {
        return std::nullopt;
    }
    R2z2Record record;
    record.sequence = sequence;
    record.job = {id.toInteger(), hash, R2z2Source::sourceName,
                  QJsonDocument(esi.toObject()).toJson(QJsonDocument::Compact), Priority::High};
    record.killmailTime =
        QDateTime::fromString(esi[QLatin1StringView("killmail_time")].toString(), Qt::ISODate).toUTC();
    if (const QJsonValue updated = object.value(QLatin1StringView("sequence_updated")); isPositiveInteger(updated)) {
        record.republishes = updated.toInteger();
    }
    return record;
}

R2z2Source::R2z2Source(R2z2Settings settings, SourceContext context, QObject* parent)
    : ZkbHistorySource(sourceName, context, settings.baseUrl, settings.history, Priority::Normal, parent)
    , m_settings(std::move(settings))
    , m_backoff(m_settings.backoffInitial, m_settings.backoffMax)
    , m_repairBackoff(m_settings.history.backoffInitial, m_settings.history.backoffMax)
{
}

QCoro::Task<> R2z2Source::run()
{
    if (const QString problem = m_settings.problem(); !problem.isEmpty()) {
        recordError(QStringLiteral("cannot start: ") + problem);
        co_return;
    }
    if (const bool found = co_await findStart(); found) {
        showPosition();
        repairInBackground();
        while (!stopping()) {
            co_await follow();
        }
    }
    if (!m_repair.isReady()) {
        co_await m_repair;
    }
}

QCoro::Task<bool> R2z2Source::findStart()
{
    const std::optional<QString> saved = co_await savedCursor();
    if (stopping()) {
        co_return false;
    }
    if (saved) {
        QString problem;
        if (const std::optional<R2z2Cursor> cursor = R2z2Cursor::fromJson(*saved, problem)) {
            m_cursor = *cursor;
            co_return true;
        }
        recordError(QStringLiteral("the saved cursor is unreadable (%1): starting again from sequence.json, the "
                                   "kills in between are not repaired")
                        .arg(problem));
    }
    while (!stopping()) {
        const std::optional<qint64> published = co_await publishedSequence();
        if (published) {
            R2z2Cursor start;
            start.sequence = *published - 1;
            start.seenUntil = QDateTime::currentDateTimeUtc();
            if (const bool delivered = co_await deliverSurely({}, start.toJson()); !delivered) {
                break;
            }
            m_cursor = start;
            co_return true;
        }
    }
    co_return false;
}

QCoro::Task<> R2z2Source::follow()
{
    const qint64 sequence = m_cursor.sequence + 1;
    const QString path = QStringLiteral("ephemeral/%1.json").arg(sequence);
    const HttpReply reply = co_await askFeed(path);
    if (stopping()) {
        co_return;
    }
    if (reply.status.code == RequestStatus::Code::NotFound) {
        co_await notPublished();
        co_return;
    }
    if (!reply.status.good()) {
        co_await waitAfter(reply);
        co_return;
    }
    const QString what =
        QStringLiteral("sequence %1 (GET %2)").arg(sequence).arg(joinUrl(m_settings.baseUrl, path).toDisplayString());
    QString problem;
    const std::optional<R2z2Record> record = R2z2Record::read(reply, sequence, what, problem);
    if (!record) {
        co_await malformed(sequence, problem);
        co_return;
    }
    co_await handOver(*record);
}

QCoro::Task<HttpReply> R2z2Source::askFeed(const QString& path)
{
    const milliseconds since(m_sinceLastRequest.isValid() ? m_sinceLastRequest.elapsed() : 0);
    if (m_sinceLastRequest.isValid() && since < m_settings.minRequestInterval) {
        const bool going = co_await pause(m_settings.minRequestInterval - since);
        if (!going) {
            HttpReply stopped;
            stopped.status = {RequestStatus::Code::Aborted, 0, QStringLiteral("%1: not asked, stopping").arg(path),
                              std::nullopt};
            co_return stopped;
        }
    }
    m_sinceLastRequest.start();
    co_return co_await context().http.get(joinUrl(m_settings.baseUrl, path));
}

QCoro::Task<> R2z2Source::waitAfter(const HttpReply& reply)
{
    const milliseconds wait = reply.status.retryAfter ? milliseconds(*reply.status.retryAfter) : m_backoff.next();
    co_await backOff(wait, zkbFailure(reply));
}

QCoro::Task<std::optional<qint64>> R2z2Source::publishedSequence()
{
    const QString path = QStringLiteral("ephemeral/sequence.json");
    const HttpReply reply = co_await askFeed(path);
    if (stopping()) {
        co_return std::nullopt;
    }
    if (!reply.status.good()) {
        co_await waitAfter(reply);
        co_return std::nullopt;
    }
    const QString what = QStringLiteral("GET %1").arg(joinUrl(m_settings.baseUrl, path).toDisplayString());
    QString problem;
    const std::optional<QJsonDocument> document = reply.json(what, problem);
    const QJsonValue sequence = document ? document->object().value(QLatin1StringView("sequence")) : QJsonValue();
    if (!isPositiveInteger(sequence)) {
        const QString reason = document ? what + QStringLiteral(": expected {\"sequence\": N}") : problem;
        co_await backOff(m_backoff.next(), reason);
        co_return std::nullopt;
    }
    co_return sequence.toInteger();
}

QCoro::Task<> R2z2Source::notPublished()
{
    const std::optional<qint64> published = co_await publishedSequence();
    if (!published || stopping()) {
        co_return; // a failure was reported and waited for; the record is asked for again
    }
    // Far behind: the record expired. Far ahead: the feed was renumbered, or the cursor is not this feed's.
    if (std::abs(*published - m_cursor.sequence) > m_settings.gapThreshold) {
        const R2z2Cursor::Days days = gapDays();
        recordError(QStringLiteral("gap: sequence %1 is gone while sequence.json is at %2 (records expire after "
                                   "hours): jumping to %2, repairing %3 to %4 from the history")
                        .arg(m_cursor.sequence + 1)
                        .arg(*published)
                        .arg(days.next.toString(Qt::ISODate), days.last.toString(Qt::ISODate)));
        co_await skipTo(*published - 1, days);
        co_return;
    }
    setState(SourceState::Waiting);
    co_await pause(m_settings.notPublishedWait);
}

QCoro::Task<> R2z2Source::handOver(const R2z2Record& record)
{
    if (record.republishes) {
        qCInfo(lcSources).noquote() << QStringLiteral("%1: sequence %2 re-publishes killmail %3 (sequence %4)")
                                           .arg(name())
                                           .arg(record.sequence)
                                           .arg(record.job.killmailId)
                                           .arg(*record.republishes);
    }
    R2z2Cursor next = m_cursor;
    next.sequence = record.sequence;
    if (record.killmailTime.isValid() && (!next.seenUntil.isValid() || record.killmailTime > next.seenUntil)) {
        next.seenUntil = record.killmailTime;
    }
    const std::vector<KillmailJob> jobs{record.job};
    if (const bool delivered = co_await deliverSurely(jobs, next.toJson()); !delivered) {
        co_return; // stopped: neither queued nor passed, so asked for again after a restart
    }
    // Only the feed's part: the repair may have moved on meanwhile.
    m_cursor.sequence = next.sequence;
    m_cursor.seenUntil = next.seenUntil;
    m_malformedAnswers = 0;
    m_backoff.reset();
    setState(SourceState::Running);
    showPosition();
}

QCoro::Task<> R2z2Source::malformed(qint64 sequence, const QString& problem)
{
    if (++m_malformedAnswers < m_settings.malformedAttempts) {
        co_await backOff(m_backoff.next(),
                         QStringLiteral("%1 (attempt %2 of %3)")
                             .arg(problem)
                             .arg(m_malformedAnswers)
                             .arg(m_settings.malformedAttempts));
        co_return;
    }
    const R2z2Cursor::Days days = gapDays();
    recordError(QStringLiteral("skipped sequence %1 after %2 unreadable answers (the last: %3); its kill is looked "
                               "for in the history, %4 to %5")
                    .arg(sequence)
                    .arg(m_malformedAnswers)
                    .arg(problem, days.next.toString(Qt::ISODate), days.last.toString(Qt::ISODate)));
    co_await skipTo(sequence, days);
}

QCoro::Task<bool> R2z2Source::skipTo(qint64 sequence, R2z2Cursor::Days repair)
{
    R2z2Cursor next = m_cursor;
    next.sequence = sequence;
    next.addRepair(repair.next, repair.last);
    if (const bool delivered = co_await deliverSurely({}, next.toJson()); !delivered) {
        co_return false;
    }
    m_cursor.sequence = sequence;
    m_cursor.addRepair(repair.next, repair.last);
    m_malformedAnswers = 0;
    showPosition();
    repairInBackground();
    co_return true;
}

R2z2Cursor::Days R2z2Source::gapDays() const
{
    const QDate today = todayUtc();
    const QDate from = m_cursor.seenUntil.toUTC().addMSecs(-m_settings.repairLookBack.count()).date();
    return {std::min(from.isValid() ? from : today, today), today};
}

void R2z2Source::repairInBackground()
{
    if (m_cursor.repair && !m_repairing) {
        m_repair = repairGaps();
    }
}

QCoro::Task<> R2z2Source::repairGaps()
{
    m_repairing = true;
    m_repairBackoff.reset();
    while (m_cursor.repair) {
        const bool going = co_await repairDay(m_cursor.repair->next);
        if (!going) {
            break;
        }
    }
    m_repairing = false;
    m_repairingDay = {};
    showPosition();
}

QCoro::Task<bool> R2z2Source::repairDay(QDate day)
{
    const QDateTime settledAt =
        QDateTime(day.addDays(1), QTime(0, 0), Qt::UTC).addMSecs(m_settings.historySettle.count());
    const bool settled = QDateTime::currentDateTimeUtc() >= settledAt;
    m_repairingDay = day;
    showPosition();
    const DayOutcome outcome = co_await handOverDay(day);
    switch (outcome) {
    case DayOutcome::Stopped: co_return false;
    case DayOutcome::Failed: // reported; the history may answer later, and the feed goes on meanwhile
        co_return co_await pause(m_repairBackoff.next());
    case DayOutcome::Missing:
        if (settled) {
            recordError(QStringLiteral("gap repair: the history has no file for %1, its kills are not repaired")
                            .arg(day.toString(Qt::ISODate)));
        }
        break;
    case DayOutcome::HandedOver:
    case DayOutcome::Incomplete: break; // the entries left out were reported
    }
    m_repairBackoff.reset();
    if (!settled) { // read before its file was complete: read it again once it is
        co_return co_await pause(milliseconds(std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(settledAt))));
    }
    R2z2Cursor next = m_cursor;
    next.repaired(day);
    if (const bool delivered = co_await deliverSurely({}, next.toJson()); !delivered) {
        co_return false;
    }
    m_cursor.repaired(day);
    co_return true;
}

void R2z2Source::showPosition()
{
    QString detail = QStringLiteral("sequence %1").arg(m_cursor.sequence);
    if (m_repairingDay.isValid()) {
        detail += QStringLiteral("; repairing a gap from the history: %1").arg(m_repairingDay.toString(Qt::ISODate));
    }
    setDetail(detail);
}

} // namespace km
