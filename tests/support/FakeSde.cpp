#include "FakeSde.h"

#include "ArchiveWriter.h"

#include <QMutexLocker>

#include <archive.h>

namespace km::test {

QByteArray FakeSde::zip(const std::map<QString, QByteArray>& files)
{
    std::vector<ArchiveMember> members;
    for (const auto& [name, content] : files) {
        members.push_back({name, content});
    }
    return writeArchive(archive_write_set_format_zip, members);
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
