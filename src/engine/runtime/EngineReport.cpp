#include "runtime/EngineReport.h"

#include "storage/Database.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace km {
namespace {

QJsonObject reportJson(const EngineReport& report)
{
    QJsonArray sources;
    for (const SourceStatus& source : report.sources) {
        sources.append(source.toJson());
    }
    return {{QStringLiteral("summary"), report.summary.toJson()},
            {QStringLiteral("sources"), sources},
            {QStringLiteral("killmailsPerSecond"), report.killmailsPerSecond}};
}

void readReportJson(const QJsonObject& json, EngineReport& report)
{
    report.summary = SourceStatus::fromJson(json.value(QStringLiteral("summary")).toObject());
    for (const QJsonValue& source : json.value(QStringLiteral("sources")).toArray()) {
        report.sources.append(SourceStatus::fromJson(source.toObject()));
    }
    report.killmailsPerSecond = json.value(QStringLiteral("killmailsPerSecond")).toDouble();
}

} // namespace

EngineReport EngineReport::forThisProcess()
{
    EngineReport report;
    report.host = QHostInfo::localHostName();
    report.pid = QCoreApplication::applicationPid();
    report.startedAt = QDateTime::currentDateTimeUtc();
    report.engineId =
        QStringLiteral("%1:%2:%3").arg(report.host).arg(report.pid).arg(report.startedAt.toMSecsSinceEpoch());
    return report;
}

bool EngineReport::isSilent(const QDateTime& now, std::chrono::seconds silence) const
{
    return !updatedAt.isValid() || updatedAt.secsTo(now) > silence.count();
}

EngineReportStore::EngineReportStore(Database& database)
    : m_database(database)
{
}

void EngineReportStore::save(const EngineReport& report)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_database.exec(
        QStringLiteral(R"(INSERT INTO engine_reports ("engineId", "host", "pid", "startedAt", "report", "updatedAt"))"
                       R"( VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ("engineId") DO UPDATE)"
                       R"( SET "report" = excluded."report", "updatedAt" = excluded."updatedAt")"),
        {report.engineId, report.host, report.pid, report.startedAt.toMSecsSinceEpoch(),
         QString::fromUtf8(QJsonDocument(reportJson(report)).toJson(QJsonDocument::Compact)), now},
        "save the engine's report");
    m_database.exec(QStringLiteral(R"(DELETE FROM engine_reports WHERE "updatedAt" < ?)"),
                    {now - std::chrono::duration_cast<std::chrono::milliseconds>(keptFor).count()},
                    "forget engines long gone");
}

QList<EngineReport> EngineReportStore::all()
{
    QSqlQuery query = m_database.exec(
        QStringLiteral(R"(SELECT "engineId", "host", "pid", "startedAt", "report", "updatedAt" FROM engine_reports)"
                       R"( ORDER BY "startedAt" DESC)"),
        {}, "read the engines' reports");
    QList<EngineReport> reports;
    while (query.next()) {
        EngineReport report;
        report.engineId = query.value(0).toString();
        report.host = query.value(1).toString();
        report.pid = query.value(2).toLongLong();
        report.startedAt = QDateTime::fromMSecsSinceEpoch(query.value(3).toLongLong(), Qt::UTC);
        readReportJson(QJsonDocument::fromJson(query.value(4).toString().toUtf8()).object(), report);
        report.updatedAt = QDateTime::fromMSecsSinceEpoch(query.value(5).toLongLong(), Qt::UTC);
        reports.append(report);
    }
    return reports;
}

} // namespace km
