#include "import/ImportInputs.h"

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>

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

QString readWithLibarchive(const ImportInput& input, const std::function<void(ImportDocument&&)>& document,
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
        return archiveError(handle.get());
    }
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
        QByteArray content;
        if (archive_entry_size_is_set(entry)) {
            content.reserve(qsizetype(archive_entry_size(entry)));
        }
        char buffer[1 << 16];
        la_ssize_t length = 0;
        while ((length = archive_read_data(handle.get(), buffer, sizeof buffer)) > 0) {
            content.append(buffer, length);
        }
        if (length < 0) {
            return QStringLiteral("%1: %2").arg(member, archiveError(handle.get()));
        }
        const QString origin = input.kind == ImportInput::Kind::Archive ? input.path + u':' + member : input.path;
        document(ImportDocument{origin, std::move(content)});
        progress(archive_filter_bytes(handle.get(), -1));
    }
    return status == ARCHIVE_EOF ? QString() : archiveError(handle.get());
}

} // namespace

std::vector<ImportInput> collectImportInputs(const QStringList& paths, std::vector<ImportFailure>& failures)
{
    std::vector<ImportInput> inputs;
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.exists()) {
            failures.push_back({path, QStringLiteral("no such file or folder")});
            continue;
        }
        if (info.isFile()) {
            inputs.push_back({path, *kindOf(path, true), info.size()});
            continue;
        }
        std::vector<ImportInput> found;
        QDirIterator it(path, QDir::Files | QDir::Readable,
                        QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
        while (it.hasNext()) {
            const QString file = it.next();
            if (const auto kind = kindOf(file, false)) {
                found.push_back({file, *kind, it.fileInfo().size()});
            }
        }
        std::sort(found.begin(), found.end(),
                  [](const ImportInput& a, const ImportInput& b) { return a.path < b.path; });
        inputs.insert(inputs.end(), found.begin(), found.end());
    }
    return inputs;
}

QString readImportInput(const ImportInput& input, const std::function<void(ImportDocument&&)>& document,
                        const std::function<void(qint64)>& progress)
{
    if (input.kind != ImportInput::Kind::Json) {
        return readWithLibarchive(input, document, progress);
    }
    QFile file(input.path);
    if (!file.open(QIODevice::ReadOnly)) {
        return file.errorString();
    }
    QByteArray content = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        return file.errorString();
    }
    document(ImportDocument{input.path, std::move(content)});
    progress(input.size);
    return {};
}

} // namespace km
