#include "sources/ZkillboardBackfill.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace km {
namespace {

QString cursorOf(const QMap<QDate, qint64>& finished)
{
    QJsonObject days;
    for (auto it = finished.cbegin(); it != finished.cend(); ++it) {
        days.insert(ZkbHistory::dayKey(it.key()), it.value());
    }
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("finished"), days}}).toJson(QJsonDocument::Compact));
}

std::optional<QMap<QDate, qint64>> finishedOf(const QString& cursor)
{
    const QJsonValue days = QJsonDocument::fromJson(cursor.toUtf8()).object().value(QLatin1StringView("finished"));
    if (!days.isObject()) {
        return std::nullopt;
    }
    QMap<QDate, qint64> finished;
    const QJsonObject object = days.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QDate day = QDate::fromString(it.key(), QStringLiteral("yyyyMMdd"));
        if (!day.isValid() || !it.value().isDouble() || it.value().toInteger() < 0) {
            return std::nullopt;
        }
        finished.insert(day, it.value().toInteger());
    }
    return finished;
}

} // namespace

QString ZkillboardBackfillSettings::problem() const
{
    if (const QString url = httpUrlProblem(baseUrl); !url.isEmpty()) {
        return url;
    }
    if (!startDate.isValid() || !endDate.isValid() || startDate > endDate) {
        return QStringLiteral("the days to backfill must be valid, the first no later than the last (%1 to %2)")
            .arg(startDate.toString(Qt::ISODate), endDate.toString(Qt::ISODate));
    }
    return history.problem();
}

ZkillboardBackfill::ZkillboardBackfill(ZkillboardBackfillSettings settings, SourceContext context, QObject* parent)
    : ZkbHistorySource(sourceName, context, settings.baseUrl, settings.history, Priority::Normal, parent)
    , m_settings(std::move(settings))
{
}

QCoro::Task<> ZkillboardBackfill::run()
{
    if (const QString problem = m_settings.problem(); !problem.isEmpty()) {
        recordError(QStringLiteral("cannot start: ") + problem);
        co_return;
    }
    std::optional<QMap<QDate, qint64>> finished = co_await finishedDays();
    if (!finished) {
        co_return;
    }
    setState(SourceState::Running);
    setDetail(QStringLiteral("reading totals.json"));
    const std::optional<HistoryTotals> totals = co_await fetchTotals();
    if (!totals) {
        co_return; // stopped, or reported
    }
    const qint64 days = m_settings.startDate.daysTo(m_settings.endDate) + 1;
    qint64 unfinished = 0;
    for (qint64 index = 0; index < days; ++index) {
        const QDate day = m_settings.startDate.addDays(index);
        setProgress(index, days);
        showDay(day, index + 1, days);
        const qint64 count = totals->killsPerDay.value(day, 0);
        if (count == 0 || finished->value(day, -1) == count) {
            continue;
        }
        setState(SourceState::Running);
        const DayOutcome outcome = co_await handOverDay(day);
        if (outcome == DayOutcome::Stopped) {
            co_return;
        }
        if (outcome != DayOutcome::HandedOver) {
            const QString why = outcome == DayOutcome::Missing
                ? QStringLiteral("totals.json counts %1 killmail(s), yet there is no file for it").arg(count)
                : QStringLiteral("see the errors before this one");
            recordError(QStringLiteral("%1 left unfinished (a later run reads it again): %2")
                            .arg(day.toString(Qt::ISODate), why));
            ++unfinished;
            continue;
        }
        finished->insert(day, count);
        const bool saved = co_await deliverSurely({}, cursorOf(*finished));
        if (!saved) {
            co_return;
        }
    }
    setProgress(days, days);
    setDetail(QStringLiteral("done: %1 to %2 (%3 days, %4 left unfinished)")
                  .arg(m_settings.startDate.toString(Qt::ISODate), m_settings.endDate.toString(Qt::ISODate))
                  .arg(days)
                  .arg(unfinished));
    setState(SourceState::Finished);
}

QCoro::Task<std::optional<QMap<QDate, qint64>>> ZkillboardBackfill::finishedDays()
{
    const std::optional<QString> saved = co_await savedCursor();
    if (stopping()) {
        co_return std::nullopt;
    }
    if (!saved) {
        co_return QMap<QDate, qint64>();
    }
    std::optional<QMap<QDate, qint64>> finished = finishedOf(*saved);
    if (!finished) {
        recordError(QStringLiteral("the saved cursor is unreadable (expected {\"finished\": {\"YYYYMMDD\": count}}, "
                                   "got %1): every day is read again")
                        .arg(saved->left(200)));
        co_return QMap<QDate, qint64>();
    }
    co_return finished;
}

void ZkillboardBackfill::showDay(QDate day, qint64 index, qint64 days)
{
    setDetail(QStringLiteral("%1 (%2 of %3 days)").arg(day.toString(Qt::ISODate)).arg(index).arg(days));
}

} // namespace km
