#pragma once

#include <QByteArray>
#include <QString>

#include <functional>
#include <vector>

struct archive;

namespace km::test {

/// One member of an archive being built: a regular file, or a link to `linkTarget` (its content left out).
struct ArchiveMember {
    enum class Kind { File, SymbolicLink, HardLink };
    QString path;
    QByteArray content;
    Kind kind = Kind::File;
    QString linkTarget{};
};

/**
 * The bytes of a real archive built with libarchive: `setUp` picks the format and filters on the writer (e.g.
 * archive_write_set_format_zip), then each member is written as a regular file (or link) dated `mtime`. Throws
 * std::runtime_error when libarchive refuses.
 */
QByteArray writeArchive(const std::function<int(archive*)>& setUp, const std::vector<ArchiveMember>& members,
                        qint64 mtime = 0);

} // namespace km::test
