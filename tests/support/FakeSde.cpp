#include "FakeSde.h"

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
    if (status < ARCHIVE_WARN) {
        throw std::runtime_error(archive_error_string(handle));
    }
}

} // namespace

QByteArray FakeSde::zip(const std::map<QString, QByteArray>& files)
{
    QByteArray bytes;
    const std::unique_ptr<archive, WriterDeleter> writer(archive_write_new());
    archive* handle = writer.get();
    check(handle, archive_write_set_format_zip(handle));
    check(handle, archive_write_open(handle, &bytes, nullptr, appendTo, nullptr));
    for (const auto& [name, content] : files) {
        const std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), name.toUtf8().constData());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), content.size());
        check(handle, archive_write_header(handle, entry.get()));
        if (archive_write_data(handle, content.constData(), size_t(content.size())) != content.size()) {
            check(handle, ARCHIVE_FATAL);
        }
    }
    check(handle, archive_write_close(handle));
    return bytes;
}

void FakeSde::publish(int build, const std::map<QString, QByteArray>& files)
{
    const QByteArray archive = zip(files);
    const QMutexLocker lock(&mutex());
    m_build = build;
    m_zip = archive;
}

FakeSde::Answer FakeSde::route(const Request& request)
{
    if (request.route() == QLatin1StringView("/latest.jsonl")) {
        return {200,
                QStringLiteral(R"({"_key":"sde","buildNumber":%1,"releaseDate":"2026-08-12T11:14:03Z"})")
                        .arg(m_build)
                        .toUtf8()
                    + '\n',
                {}};
    }
    if (request.route() == QStringLiteral("/eve-online-static-data-%1-jsonl.zip").arg(m_build)) {
        return {200, m_zip, {{"Content-Type", "application/zip"}}};
    }
    return {404, errorBody(QStringLiteral("not found")), {}};
}

} // namespace km::test
