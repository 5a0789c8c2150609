#include "feed/FeedHost.h"

#include "feed/FeedServer.h"
#include "util/ThreadAffinity.h"

namespace km {

FeedHost::FeedHost(FeedSettings settings, std::optional<DatabaseUrl> database)
    : m_counters(std::make_shared<FeedCounters>())
    , m_server(new FeedServer(std::move(settings), std::move(database), m_counters))
{
    m_thread.setObjectName(QStringLiteral("feed"));
    m_server->moveToThread(&m_thread);
}

FeedHost::~FeedHost()
{
    stop();
    delete m_server; // its thread has ended: nothing runs on it any more
}

bool FeedHost::start(QString& error)
{
    assertThread(m_owner);
    m_thread.start();
    bool listening = false;
    QMetaObject::invokeMethod(
        m_server,
        [this, &listening, &error] {
            listening = m_server->listen(error);
            if (listening) {
                m_url = m_server->url();
            }
        },
        Qt::BlockingQueuedConnection);
    if (!listening) {
        stop();
    }
    return listening;
}

void FeedHost::stop()
{
    assertThread(m_owner);
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_server, &FeedServer::close, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

} // namespace km
