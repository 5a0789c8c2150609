#include "import/ImportInputs.h"

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace km {
namespace {

constexpr std::array archiveSuffixes{".tar", ".tar.bz2", ".tbz2", ".tar.gz", ".tgz", ".tar.xz", ".zip"};
constexpr std::array compressedJsonSuffixes{".json.bz2", ".json.gz", ".json.xz"};

bool endsWithAny(const QString& name, const auto& suffixes)
{
    return std::any_of(suffixes.begin(), suffixes.end(), [&](const char* suffix) {
        return name.endsWith(QLatin1StringView(suffix), Qt::CaseInsensitive);
    });
}

std::optional<ImportInput::Kind> kindOf(const QString& name, bool explicitlyNamed)
{
    if (endsWithAny(name, archiveSuffixes)) {
        return ImportInput::Kind::Archive;
    }
    if (endsWithAny(name, compressedJsonSuffixes)) {
        return ImportInput::Kind::CompressedJson;
    }
    if (explicitlyNamed || name.endsWith(QLatin1StringView(".json"), Qt::CaseInsensitive)) {
        return ImportInput::Kind::Json;
    }
    return std::nullopt;
}

struct ArchiveDeleter {
    void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

QString archiveError(archive* handle)
{
    const char* message = archive_error_string(handle);
    return message ? QString::fromUtf8(message) : QStringLiteral("unreadable archive");
}

QString tooLarge()
{
    return QStringLiteral("larger than %1 MiB once decompressed, which no killmail is: not imported")
        .arg(maxImportDocumentBytes >> 20);
}

enum class EntryRead { Read, TooLarge, Damaged };

/// Reads the data of the current entry into `content`, never more than maxImportDocumentBytes.
EntryRead readEntry(archive* handle, archive_entry* entry, QByteArray& content)
{
    if (archive_entry_size_is_set(entry)) {
        if (archive_entry_size(entry) > maxImportDocumentBytes) {
            return EntryRead::TooLarge;
        }
        content.reserve(qsizetype(archive_entry_size(entry)));
    }
    char buffer[1 << 16];
    la_ssize_t length = 0;
    while ((length = archive_read_data(handle, buffer, sizeof buffer)) > 0) {
        if (content.size() + length > maxImportDocumentBytes) {
            return EntryRead::TooLarge;
        }
        content.append(buffer, length);
    }
    return length < 0 ? EntryRead::Damaged : EntryRead::Read;
}

std::vector<ImportFailure> readWithLibarchive(const ImportInput& input,
                                              const std::function<bool(ImportDocument&&)>& document,
                                              const std::function<void(qint64)>& progress)
{
    ArchivePtr handle(archive_read_new());
    archive_read_support_filter_all(handle.get());
    if (input.kind == ImportInput::Kind::Archive) {
        archive_read_support_format_all(handle.get());
    } else {
        archive_read_support_format_raw(handle.get());
    }
    if (archive_read_open_filename(handle.get(), QFile::encodeName(input.path).constData(), 1 << 16) != ARCHIVE_OK) {
        return {{input.path, archiveError(handle.get())}};
    }
    std::vector<ImportFailure> failures;
    archive_entry* entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(handle.get(), &entry)) == ARCHIVE_OK) {
        const QString member = QString::fromUtf8(archive_entry_pathname(entry));
        const bool wanted = input.kind == ImportInput::Kind::CompressedJson
            || (archive_entry_filetype(entry) == AE_IFREG
                && member.endsWith(QLatin1StringView(".json"), Qt::CaseInsensitive));
        if (!wanted) {
            continue;
        }
        const QString origin = input.kind == ImportInput::Kind::Archive ? input.path + u':' + member : input.path;
        QByteArray content;
        const EntryRead read = readEntry(handle.get(), entry, content);
        if (read == EntryRead::Damaged) {
            failures.push_back({origin, archiveError(handle.get())});
            return failures;
        }
        if (read == EntryRead::TooLarge) {
            failures.push_back({origin, tooLarge()});
            if (input.kind != ImportInput::Kind::Archive) {
                return failures; // its one document: no need to decompress the rest
            }
            continue; // the next members are still read; skipping this one keeps none of it
        }
        if (!document(ImportDocument{origin, std::move(content)})) {
            return failures;
        }
        progress(archive_filter_bytes(handle.get(), -1));
    }
    if (status != ARCHIVE_EOF) {
        failures.push_back({input.path, archiveError(handle.get())});
    }
    return failures;
}

/// Why a path found on disk cannot be read as a file or walked as a folder; empty when it can.
QString unreadable(const QFileInfo& info)
{
    if (info.isSymLink() && !info.exists()) {
        return QStringLiteral("a link to nothing");
    }
    if (info.isDir()) {
        return info.isReadable() && info.isExecutable() ? QString() : QStringLiteral("the folder cannot be read");
    }
    if (!info.isFile()) {
        return QStringLiteral("not a regular file (a device, pipe or socket)");
    }
    return info.isReadable() ? QString() : QStringLiteral("the file cannot be read");
}

/// The killmail files under `folder`, recursively; what cannot be read is added to `failures`.
std::vector<ImportInput> walkFolder(const QString& folder, std::vector<ImportFailure>& failures)
{
    std::vector<ImportInput> found;
    // System entries too (pipes, devices, broken links), so that none is passed over without a word.
    QDirIterator it(folder, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System,
                    QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info = it.fileInfo();
        const std::optional<ImportInput::Kind> kind = kindOf(path, false);
        if (!info.isDir() && !kind) {
            continue; // not a killmail file by its name
        }
        if (const QString reason = unreadable(info); !reason.isEmpty()) {
            failures.push_back({path, reason});
        } else if (kind && !info.isDir()) {
            found.push_back({path, *kind, info.size()});
        }
    }
    std::sort(found.begin(), found.end(), [](const ImportInput& a, const ImportInput& b) { return a.path < b.path; });
    return found;
}

} // namespace

std::vector<ImportInput> collectImportInputs(const QStringList& paths, std::vector<ImportFailure>& failures)
{
    std::vector<ImportInput> inputs;
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.exists() && !info.isSymLink()) {
            failures.push_back({path, QStringLiteral("no such file or folder")});
        } else if (const QString reason = unreadable(info); !reason.isEmpty()) {
            failures.push_back({path, reason});
        } else if (info.isDir()) {
            const std::vector<ImportInput> found = walkFolder(path, failures);
            inputs.insert(inputs.end(), found.begin(), found.end());
        } else {
            inputs.push_back({path, *kindOf(path, true), info.size()});
        }
    }
    return inputs;
}

std::vector<ImportFailure> readImportInput(const ImportInput& input,
                                           const std::function<bool(ImportDocument&&)>& document,
                                           const std::function<void(qint64)>& progress)
{
    if (input.kind != ImportInput::Kind::Json) {
        return readWithLibarchive(input, document, progress);
    }
    if (input.size > maxImportDocumentBytes) {
        return {{input.path, tooLarge()}};
    }
    QFile file(input.path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {{input.path, file.errorString()}};
    }
    QByteArray content = file.read(maxImportDocumentBytes + 1);
    if (file.error() != QFileDevice::NoError) {
        return {{input.path, file.errorString()}};
    }
    if (content.size() > maxImportDocumentBytes) { // it grew since it was listed
        return {{input.path, tooLarge()}};
    }
    document(ImportDocument{input.path, std::move(content)});
    progress(input.size);
    return {};
}

} // namespace km
