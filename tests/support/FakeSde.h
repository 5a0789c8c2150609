#pragma once

#include "FakeHttpServer.h"

#include <map>

namespace km::test {

/**
 * CCP's static data site as sde:refresh reads it: /latest.jsonl names the build, and
 * /eve-online-static-data-<build>-jsonl.zip is a real zip archive of JSON Lines files (types.jsonl, ...).
 */
class FakeSde : public FakeHttpServer {
    Q_OBJECT
public:
    using FakeHttpServer::FakeHttpServer;

    /// Serves `build` with these files (name in the archive -> JSON Lines content).
    void publish(int build, const std::map<QString, QByteArray>& files);
    /// A zip archive of the files.
    static QByteArray zip(const std::map<QString, QByteArray>& files);

protected:
    Answer route(const Request& request) override;

private:
    int m_build = 0;
    QByteArray m_zip;
};

} // namespace km::test
