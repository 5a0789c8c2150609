#include "sources/EveRefBackfill.h"

#include "net/HttpClient.h"
#include "sources/KillmailSink.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/UtcTime.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTemporaryDir>

#include <algorithm>

namespace km {
namespace {

using std::chrono::milliseconds;

QString dayKey(QDate day) { return day.toString(Qt::ISODate); }

/// EVE Ref writes days as YYYYMMDD; YYYY-MM-DD (the cursor's form, and what other mirrors write) is read too.
QDate dayFromKey(const QString& key)
{
    for (const QString& format : {QStringLiteral("yyyyMMdd"), QStringLiteral("yyyy-MM-dd")}) {
        const QDate day = QDate::fromString(key, format);
        if (day.isValid()) {
            return day;
        }
    }
    return {};
}

/// `{"<day>": count, ...}`; nullopt with `problem` set when anything in it is not a day or a whole count.
std::optional<QMap<QDate, qint64>> dayCounts(const QJsonDocument& json, QString& problem)
{
    if (!json.isObject()) {
        problem = QStringLiteral("not an object of day: count");
        return std::nullopt;
    }
    QMap<QDate, qint64> counts;
    const QJsonObject object = json.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QDate day = dayFromKey(it.key());
        if (!day.isValid()) {
            problem = QStringLiteral("\"%1\" is not a day (YYYYMMDD)").arg(it.key());
            return std::nullopt;
        }
        const QJsonValue count = it.value();
        if (!count.isDouble() || count.toDouble() != double(count.toInteger()) || count.toInteger() < 0) {
            problem = QStringLiteral("the count of %1 is not a whole number").arg(it.key());
            return std::nullopt;
        }
        counts.insert(day, count.toInteger());
    }
    return counts;
}

QString cursorText(const QMap<QDate, qint64>& finished)
{
    QJsonObject object;
    for (auto it = finished.begin(); it != finished.end(); ++it) {
        object.insert(dayKey(it.key()), it.value());
    }
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

/// "killmails/2024/killmails-2024-01-01.tar.bz2", under the base URL.
QString archivePath(QDate day)
{
    return QStringLiteral("killmails/%1/killmails-%2.tar.bz2").arg(day.year()).arg(dayKey(day));
}

QString counted(qint64 count, const QString& singular)
{
    return QStringLiteral("%1 %2%3").arg(QLocale(QLocale::English).toString(count), singular,
                                         count == 1 ? QString() : QStringLiteral("s"));
}

QString rejections(const QString& path, const std::vector<ImportFailure>& rejected)
{
    return QStringLiteral("%1: left unfinished, %2 (first: %3: %4)")
        .arg(QFileInfo(path).fileName(), counted(qint64(rejected.size()), QStringLiteral("rejection")),
             rejected.front().where, rejected.front().reason);
}

} // namespace

EveRefBackfill::EveRefBackfill(EveRefSettings settings, SourceContext context, QObject* parent)
    : Source(QStringLiteral("backfill:everef"), context, parent)
    , m_settings(std::move(settings))
    , m_backoff(m_settings.backoffInitial, m_settings.backoffMaximum)
{
}

QCoro::Task<> EveRefBackfill::run()
{
    if (m_settings.localFiles.isEmpty()) {
        co_await backfillDays();
    } else {
        co_await importLocalFiles();
    }
}

QCoro::Task<> EveRefBackfill::importLocalFiles()
{
    setState(SourceState::Running);
    const QStringList& files = m_settings.localFiles;
    qint64 unfinished = 0;
    for (qsizetype i = 0; i < files.size(); ++i) {
        setProgress(i, files.size());
        const QString label =
            QStringLiteral("%1 (%2 of %3 files)").arg(QFileInfo(files[i]).fileName()).arg(i + 1).arg(files.size());
        setDetail(label);
        // Imports block the thread and nothing else here waits: this lets a queued stop() in before the next one.
        const bool going = co_await pause(milliseconds(0));
        if (!going) {
            co_return;
        }
        const Outcome outcome = co_await importFile(files[i], label);
        if (outcome == Outcome::Stopped) {
            co_return;
        }
        unfinished += outcome == Outcome::Failed ? 1 : 0;
    }
    finish(files.size(), QStringLiteral("file"), unfinished);
}

QCoro::Task<> EveRefBackfill::backfillDays()
{
    const std::optional<DayCounts> totals = co_await fetchTotals();
    if (!totals) {
        co_return;
    }
    DayCounts finished = co_await finishedDays();
    if (stopping()) {
        co_return;
    }
    const QList<QDate> days = daysWithKills(*totals);
    std::optional<QTemporaryDir> temporary;
    QString directory = m_settings.downloadDirectory;
    if (directory.isEmpty()) {
        temporary.emplace();
        if (!temporary->isValid()) {
            recordError(
                QStringLiteral("cannot create a temporary folder for the downloads: %1").arg(temporary->errorString()));
            co_return;
        }
        directory = temporary->path();
    } else if (!QDir().mkpath(directory)) {
        recordError(QStringLiteral("cannot create the download folder %1").arg(directory));
        co_return;
    }

    setState(SourceState::Running);
    qint64 unfinished = 0;
    for (qsizetype i = 0; i < days.size(); ++i) {
        const QDate day = days[i];
        const qint64 total = totals->value(day);
        setProgress(i, days.size());
        if (stopping()) { // by a listener of that progress
            co_return;
        }
        const QString label = QStringLiteral("%1 (%2 of %3 days)").arg(dayKey(day)).arg(i + 1).arg(days.size());
        setDetail(label);
        if (isComplete(day, total, finished)) {
            continue;
        }
        const QString archive = QDir(directory).filePath(QFileInfo(archivePath(day)).fileName());
        const Outcome outcome = co_await backfillDay(day, archive, label);
        if (outcome == Outcome::Stopped) {
            co_return;
        }
        if (outcome == Outcome::Failed) {
            ++unfinished;
            continue;
        }
        finished.insert(day, total);
        saveFinishedDays(finished);
    }
    finish(days.size(), QStringLiteral("day"), unfinished);
}

QList<QDate> EveRefBackfill::daysWithKills(const DayCounts& totals) const
{
    QList<QDate> days;
    for (auto it = totals.begin(); it != totals.end(); ++it) {
        const bool afterStart = !m_settings.startDate.isValid() || it.key() >= m_settings.startDate;
        const bool beforeEnd = !m_settings.endDate.isValid() || it.key() <= m_settings.endDate;
        if (afterStart && beforeEnd && it.value() > 0) {
            days.append(it.key());
        }
    }
    return days;
}

QCoro::Task<std::optional<EveRefBackfill::DayCounts>> EveRefBackfill::fetchTotals()
{
    const QUrl url = joinUrl(m_settings.baseUrl, QStringLiteral("killmails/totals.json"));
    const QString route = QStringLiteral("GET %1").arg(url.toDisplayString());
    setDetail(QStringLiteral("reading totals.json"));
    while (!stopping()) {
        const HttpReply reply = co_await context().http.get(url);
        if (stopping()) {
            break;
        }
        QString problem = reply.status.message;
        if (reply.status.good()) {
            if (const std::optional<QJsonDocument> json = reply.json(route, problem)) {
                if (std::optional<DayCounts> totals = dayCounts(*json, problem)) {
                    m_backoff.reset();
                    co_return totals;
                }
                problem = QStringLiteral("%1: malformed totals: %2").arg(route, problem);
            }
        }
        const bool going = co_await backOff(waitAfter(reply), problem);
        if (!going) {
            break;
        }
        setState(SourceState::Starting);
    }
    co_return std::nullopt;
}

QCoro::Task<EveRefBackfill::DayCounts> EveRefBackfill::finishedDays()
{
    const std::optional<QString> cursor = co_await savedCursor();
    if (!cursor) {
        co_return DayCounts{};
    }
    QString problem;
    std::optional<DayCounts> finished = dayCounts(QJsonDocument::fromJson(cursor->toUtf8()), problem);
    if (!finished) {
        recordError(QStringLiteral("the saved cursor is unreadable (%1): every day is checked against the database")
                        .arg(problem));
        co_return DayCounts{};
    }
    co_return *finished;
}

QCoro::Task<EveRefBackfill::Outcome> EveRefBackfill::backfillDay(QDate day, QString archive, QString label)
{
    const Outcome downloaded = co_await download(day, archive);
    if (downloaded != Outcome::Done) {
        co_return downloaded;
    }
    const Outcome imported = co_await importFile(archive, label);
    if (!m_settings.keepDownloads) {
        QFile::remove(archive);
    }
    co_return imported;
}

QCoro::Task<EveRefBackfill::Outcome> EveRefBackfill::download(QDate day, QString archive)
{
    const QUrl url = joinUrl(m_settings.baseUrl, archivePath(day));
    while (true) {
        // The file appears only once the whole body arrived: a cut-off transfer leaves nothing to import.
        const HttpReply reply = co_await context().http.download(url, archive);
        if (stopping()) {
            co_return Outcome::Stopped;
        }
        if (reply.status.good()) {
            m_backoff.reset();
            co_return Outcome::Done;
        }
        if (reply.status.code == RequestStatus::Code::NotFound) {
            recordError(QStringLiteral("%1: EVE Ref has not built this archive yet, the day is left unfinished")
                            .arg(reply.status.message));
            co_return Outcome::Failed;
        }
        if (!reply.status.transient()) {
            recordError(QStringLiteral("%1: the day is left unfinished").arg(reply.status.message));
            co_return Outcome::Failed;
        }
        const bool going = co_await backOff(waitAfter(reply), reply.status.message);
        if (!going) {
            co_return Outcome::Stopped;
        }
        setState(SourceState::Running);
    }
}

QCoro::Task<EveRefBackfill::Outcome> EveRefBackfill::importFile(QString path, QString label)
{
    while (true) {
        const ImportReport report = runImporter(path, label);
        setDetail(label);
        m_stored += report.stored; // committed even when a later batch failed
        countKillmails(0, report.stored);
        if (!report.storageError.isEmpty()) {
            const bool going = co_await backOff(m_backoff.next(),
                                                QStringLiteral("%1: the database refused the import: %2")
                                                    .arg(QFileInfo(path).fileName(), report.storageError));
            if (!going) {
                co_return Outcome::Stopped;
            }
            setState(SourceState::Running);
            continue;
        }
        m_backoff.reset();
        m_imported += report.stored + report.duplicates;
        countKillmails(report.stored + report.duplicates, 0);
        if (!report.rejected.empty()) {
            recordError(rejections(path, report.rejected));
            co_return Outcome::Failed;
        }
        co_return Outcome::Done;
    }
}

ImportReport EveRefBackfill::runImporter(const QString& path, const QString& label)
{
    // The types resolved through ESI too, as the processor, revaluation and check-data value with them.
    std::optional<StaticData> staticData;
    try {
        staticData.emplace(TypeResolver::withResolvedTypes(StaticData::bundled(), context().sink.database()));
    } catch (const StorageError& error) {
        ImportReport refused;
        refused.storageError = error.message();
        return refused;
    }
    KillmailImporter importer(context().sink.database().url(), *staticData, m_settings.import);
    importer.setProgressCallback([this, &label](const ProgressSnapshot& progress) {
        setDetail(QStringLiteral("%1: %2").arg(label, progress.describe(QStringLiteral("killmails"))));
    });
    return importer.importPaths({path});
}

bool EveRefBackfill::isComplete(QDate day, qint64 total, const DayCounts& finished)
{
    if (finished.value(day, -1) >= total) {
        return true;
    }
    Database& database = context().sink.database();
    try {
        const qint64 stored =
            database
                .scalar(QStringLiteral(
                            R"(SELECT COUNT(*) FROM killmails WHERE "killmailTime" >= ? AND "killmailTime" < ?)"),
                        {QString::fromLatin1(utc::toSqlTimestamp(utc::startOfDay(day))),
                         QString::fromLatin1(utc::toSqlTimestamp(utc::startOfDay(day.addDays(1))))},
                        "count the killmails stored on a day")
                .toLongLong();
        return stored >= total;
    } catch (const StorageError& error) {
        recordError(QStringLiteral("cannot count the killmails stored on %1, importing it: %2")
                        .arg(dayKey(day), error.message()));
        database.reconnectIfLost();
        return false;
    }
}

void EveRefBackfill::saveFinishedDays(const DayCounts& finished)
{
    try {
        context().sink.state().saveCursor(name(), cursorText(finished));
    } catch (const StorageError& error) {
        recordError(
            QStringLiteral("cannot save the finished days (the next run checks them again): %1").arg(error.message()));
        context().sink.database().reconnectIfLost();
    }
}

milliseconds EveRefBackfill::waitAfter(const HttpReply& reply)
{
    const milliseconds grown = m_backoff.next();
    return reply.status.retryAfter ? std::max<milliseconds>(*reply.status.retryAfter, grown) : grown;
}

void EveRefBackfill::finish(qint64 units, const QString& unit, qint64 unfinished)
{
    setProgress(units, units);
    QString detail = QStringLiteral("finished %1: %2 imported, %3 new")
                         .arg(counted(units, unit), counted(m_imported, QStringLiteral("killmail")),
                              QLocale(QLocale::English).toString(m_stored));
    if (unfinished > 0) {
        detail += QStringLiteral(", %1 left unfinished").arg(counted(unfinished, unit));
    }
    setDetail(detail);
    setState(SourceState::Finished);
}

} // namespace km
