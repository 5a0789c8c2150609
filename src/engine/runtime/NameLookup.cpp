#include "runtime/NameLookup.h"

#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <memory>

namespace km {

/// Lives on the lookup's thread; announces what it found through its owner's found() (queued to the owner's thread).
class NameLookup::Worker : public QObject {
public:
    Worker(NameLookup& owner, DatabaseUrl url)
        : m_owner(owner)
        , m_url(std::move(url))
        , m_names([this] { return database(); })
    {
    }

    void lookup(EntityKind kind, const std::vector<EntityId>& ids)
    {
        assertThread(this);
        m_names.prefetch(kind, ids);
        QHash<EntityId, EntityName> found;
        for (const EntityId id : ids) {
            if (const std::optional<EntityName> name = m_names.find(kind, id)) {
                found.insert(id, *name);
            }
        }
        if (!found.isEmpty()) {
            Q_EMIT m_owner.found(kind, found);
        }
    }

private:
    Database* database()
    {
        if (!m_database) {
            try {
                m_database = std::make_unique<Database>(m_url);
            } catch (const StorageError& error) {
                qCWarning(lcNameLookup).noquote() << "names cannot be looked up for now:" << error.what();
            }
        }
        return m_database.get();
    }

    NameLookup& m_owner;
    DatabaseUrl m_url;
    std::unique_ptr<Database> m_database;
    EntityNames m_names;
};

NameLookup::NameLookup(DatabaseUrl url, QObject* parent)
    : QObject(parent)
    , m_worker(new Worker(*this, std::move(url)))
{
    m_thread.setObjectName(QStringLiteral("names"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &NameLookup::lookupRequested, m_worker,
            [worker = m_worker](EntityKind kind, const std::vector<EntityId>& ids) { worker->lookup(kind, ids); });
    m_thread.start();
}

NameLookup::~NameLookup()
{
    // The worker's last lookup returns before this goes: it may still announce its names through found().
    m_thread.quit();
    m_thread.wait();
}

void NameLookup::lookup(EntityKind kind, const std::vector<EntityId>& ids)
{
    assertThread(this);
    Q_EMIT lookupRequested(kind, ids, QPrivateSignal());
}

} // namespace km
