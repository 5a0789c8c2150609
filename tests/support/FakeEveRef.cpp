#include "FakeEveRef.h"

#include "ArchiveWriter.h"

#include "util/UtcTime.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <archive.h>

namespace km::test {
namespace {

/// The ESI body with the two fields EVE Ref adds.
QByteArray archiveEntry(const EsiFixture& killmail)
{
    QJsonObject object = QJsonDocument::fromJson(killmail.body).object();
    object.insert(QStringLiteral("killmail_hash"), killmail.hash);
    object.insert(QStringLiteral("http_last_modified"), QStringLiteral("2024-01-02T00:00:00Z"));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

FakeEveRef::FakeEveRef(QObject* parent)
    : FakeHttpServer(parent)
{
}

void FakeEveRef::addKillmails(const std::vector<EsiFixture>& killmails)
{
    const QMutexLocker lock(&mutex());
    for (const EsiFixture& killmail : killmails) {
        m_days[dayOf(killmail)].push_back(killmail);
    }
}

void FakeEveRef::withholdArchive(QDate day)
{
    const QMutexLocker lock(&mutex());
    m_withheld.insert(day);
}

void FakeEveRef::replaceArchive(QDate day, const QByteArray& body)
{
    const QMutexLocker lock(&mutex());
    m_replaced.insert(day, body);
}

void FakeEveRef::setDashedTotals(bool dashed)
{
    const QMutexLocker lock(&mutex());
    m_dashed = dashed;
}

QByteArray FakeEveRef::buildArchive(const std::vector<EsiFixture>& killmails)
{
    std::vector<ArchiveMember> members;
    for (const EsiFixture& killmail : killmails) {
        members.push_back({QStringLiteral("killmails/%1.json").arg(killmail.killmailId), archiveEntry(killmail)});
    }
    return writeArchive(
        [](archive* handle) {
            const int status = archive_write_add_filter_bzip2(handle);
            return status == ARCHIVE_OK ? archive_write_set_format_pax_restricted(handle) : status;
        },
        members, 1704153600);
}

QString FakeEveRef::archivePath(QDate day)
{
    return QStringLiteral("/killmails/%1/killmails-%2.tar.bz2").arg(day.year()).arg(day.toString(Qt::ISODate));
}

QDate FakeEveRef::dayOf(const EsiFixture& killmail)
{
    const QString time =
        QJsonDocument::fromJson(killmail.body).object().value(QStringLiteral("killmail_time")).toString();
    const std::optional<UnixTime> parsed = utc::parseIso8601(time);
    if (!parsed) {
        throw std::runtime_error("fixture without a killmail_time: " + std::to_string(killmail.killmailId));
    }
    return utc::dateOf(*parsed);
}

QMap<QDate, std::vector<EsiFixture>> FakeEveRef::byDay(const std::vector<EsiFixture>& killmails)
{
    QMap<QDate, std::vector<EsiFixture>> days;
    for (const EsiFixture& killmail : killmails) {
        days[dayOf(killmail)].push_back(killmail);
    }
    return days;
}

FakeEveRef::Answer FakeEveRef::route(const Request& request)
{
    const QString path = request.route();
    if (request.method != "GET") {
        return {405, "Method not allowed", {{"Content-Type", "text/plain"}}};
    }
    if (path == QStringLiteral("/killmails/totals.json")) {
        return {200, totalsJson(), {}};
    }
    for (auto it = m_days.cbegin(); it != m_days.cend(); ++it) {
        if (path == archivePath(it.key()) && !m_withheld.contains(it.key())) {
            const QByteArray body =
                m_replaced.contains(it.key()) ? m_replaced.value(it.key()) : buildArchive(it.value());
            return {200, body, {{"Content-Type", "application/x-bzip2"}}};
        }
    }
    return {404,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
            "<Message>The specified key does not exist.</Message></Error>",
            {{"Content-Type", "application/xml"}}};
}

QByteArray FakeEveRef::totalsJson() const
{
    QJsonObject totals;
    for (auto it = m_days.cbegin(); it != m_days.cend(); ++it) {
        const QString key = it.key().toString(m_dashed ? QStringLiteral("yyyy-MM-dd") : QStringLiteral("yyyyMMdd"));
        totals.insert(key, qint64(it.value().size()));
    }
    return QJsonDocument(totals).toJson(QJsonDocument::Compact);
}

} // namespace km::test
