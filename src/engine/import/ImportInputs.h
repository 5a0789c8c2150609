#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace km {

/// One thing to import: a JSON file, a compressed JSON file, or an archive of JSON files.
struct ImportInput {
    enum class Kind { Json, CompressedJson, Archive };
    QString path;
    Kind kind = Kind::Json;
    qint64 size = 0;
};

/// One JSON document read from an input; `origin` names it for error messages ("day.tar.bz2:killmails/1.json").
struct ImportDocument {
    QString origin;
    QByteArray json;
};

/// A path that could not be used, and why.
struct ImportFailure {
    QString where;
    QString reason;
};

/// The most one document (a file, or one member of an archive) may hold once decompressed: a real killmail is
/// under a few MB, so anything larger is refused unread rather than held in memory (a decompression bomb).
constexpr qint64 maxImportDocumentBytes = 64 << 20;

/**
 * Expands command-line paths into inputs: files as given, folders recursively (only .json, .json.bz2,
 * .json.gz and archives: .tar, .tar.bz2, .tbz2, .tar.gz, .tgz, .tar.xz, .zip), in a stable order. What cannot
 * be read (a folder or file without permission, a broken link, a device or pipe) is added to `failures` by name.
 */
std::vector<ImportInput> collectImportInputs(const QStringList& paths, std::vector<ImportFailure>& failures);

/**
 * Reads the documents of one input, calling `document` for each (it returns false to stop reading) and
 * `progress` with the input bytes consumed so far. Archive members that are not .json files are skipped. Returns what
 * could not be read, each named: the input, or one member of an archive (a member larger than maxImportDocumentBytes;
 * the others are still read).
 */
std::vector<ImportFailure> readImportInput(const ImportInput& input,
                                           const std::function<bool(ImportDocument&&)>& document,
                                           const std::function<void(qint64 bytesRead)>& progress);

} // namespace km
