#include "ArchiveWriter.h"

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

} // namespace

QByteArray writeArchive(const std::function<int(archive*)>& setUp, const std::vector<ArchiveMember>& members,
                        qint64 mtime)
{
    QByteArray bytes;
    const std::unique_ptr<archive, WriterDeleter> writer(archive_write_new());
    archive* handle = writer.get();
    check(handle, setUp(handle));
    check(handle, archive_write_open(handle, &bytes, nullptr, appendTo, nullptr));
    for (const ArchiveMember& member : members) {
        const std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), member.path.toUtf8().constData());
        const bool file = member.kind == ArchiveMember::Kind::File;
        archive_entry_set_filetype(entry.get(), member.kind == ArchiveMember::Kind::SymbolicLink ? AE_IFLNK : AE_IFREG);
        if (member.kind == ArchiveMember::Kind::SymbolicLink) {
            archive_entry_set_symlink(entry.get(), member.linkTarget.toUtf8().constData());
        } else if (member.kind == ArchiveMember::Kind::HardLink) {
            archive_entry_set_hardlink(entry.get(), member.linkTarget.toUtf8().constData());
        }
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), file ? member.content.size() : 0);
        archive_entry_set_mtime(entry.get(), mtime, 0);
        check(handle, archive_write_header(handle, entry.get()));
        if (file
            && archive_write_data(handle, member.content.constData(), size_t(member.content.size()))
                != member.content.size()) {
            check(handle, ARCHIVE_FATAL);
        }
    }
    check(handle, archive_write_close(handle));
    return bytes;
}

} // namespace km::test
