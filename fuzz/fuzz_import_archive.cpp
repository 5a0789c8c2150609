// What `import` reads: archives (tar, zip, compressed...) of killmail files, and compressed single files, through
// libarchive, each document then parsed as the importer does.
#include "FuzzSupport.h"

#include "import/ImportInputs.h"
#include "parse/KillmailParser.h"

using namespace km;

KILLMAIL_FUZZ_TARGET(data, size)
{
    const QString path = fuzz::writeInput(fuzz::bytes(data, size), QStringLiteral("input.tar.bz2"));
    for (const ImportInput::Kind kind : {ImportInput::Kind::Archive, ImportInput::Kind::CompressedJson}) {
        const ImportInput input{path, kind, qint64(size)};
        const std::vector<ImportFailure> failures = readImportInput(
            input,
            [](ImportDocument&& document) {
                fuzz::require(document.json.size() <= maxImportDocumentBytes, "a document is bounded in size");
                KillmailParser::parseDocument(document.json, document.origin);
                return true;
            },
            [size](qint64 bytesRead) {
                fuzz::require(bytesRead >= 0, "progress is never negative", QString::number(bytesRead));
                Q_UNUSED(size);
            });
        for (const ImportFailure& failure : failures) {
            fuzz::require(!failure.reason.isEmpty(), "an unreadable input names what was wrong", failure.where);
        }
    }
    return 0;
}
