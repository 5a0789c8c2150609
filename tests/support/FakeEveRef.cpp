#include "FakeEveRef.h"

#include "util/UtcTime.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>

namespace km::test {
namespace {

struct WriterDeleter {
    void operator()(archive* handle) const { archive_write_free(handle); }
};
struct EntryDeleter {
    void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

la_ssize_t appendTo(archive*, void* target, const void* buffer, size_t length)
{
    static_cast<QByteArray*>(target)->append(static_cast<const char*>(buffer), qsizetype(length));
    return la_ssize_t(length);
}

void check(archive* handle, int status)
{
    if (status != ARCHIVE_OK) {
        throw std::runtime_error(std::string("cannot build an archive: ") + archive_error_string(handle));
    }
}

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
    QByteArray archiveBytes;
    const std::unique_ptr<archive, WriterDeleter> writer(archive_write_new());
    archive* handle = writer.get();
    check(handle, archive_write_add_filter_bzip2(handle));
    check(handle, archive_write_set_format_pax_restricted(handle));
    check(handle, archive_write_open(handle, &archiveBytes, nullptr, appendTo, nullptr));
    for (const EsiFixture& killmail : killmails) {
        const QByteArray content = archiveEntry(killmail);
        const std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), QStringLiteral("killmails/%1.json").arg(killmail.killmailId).toUtf8());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), content.size());
        archive_entry_set_mtime(entry.get(), 1704153600, 0);
        check(handle, archive_write_header(handle, entry.get()));
        if (archive_write_data(handle, content.constData(), size_t(content.size())) != content.size()) {
            check(handle, ARCHIVE_FATAL);
        }
    }
    check(handle, archive_write_close(handle));
    return archiveBytes;
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
