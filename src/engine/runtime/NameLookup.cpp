#include "runtime/NameLookup.h"

#include "storage/Database.h"
#include "storage/StorageError.h"

#include <QLoggingCategory>

#include <memory>

Q_LOGGING_CATEGORY(lcNameLookup, "killmail.names", QtInfoMsg)

namespace km {

class NameLookup::Worker : public QObject {
    Q_OBJECT
public:
    explicit Worker(DatabaseUrl url)
        : m_url(std::move(url))
        , m_names([this] { return database(); })
    {
    }

    void lookup(EntityKind kind, const std::vector<EntityId>& ids)
    {
        m_names.prefetch(kind, ids);
        QHash<EntityId, EntityName> found;
        for (const EntityId id : ids) {
            if (const std::optional<EntityName> name = m_names.find(kind, id)) {
                found.insert(id, *name);
            }
        }
        if (!found.isEmpty()) {
            Q_EMIT this->found(kind, found);
        }
    }

Q_SIGNALS:
    void found(km::EntityKind kind, const QHash<km::EntityId, km::EntityName>& names);

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

    DatabaseUrl m_url;
    std::unique_ptr<Database> m_database;
    EntityNames m_names;
};

NameLookup::NameLookup(DatabaseUrl url, QObject* parent)
    : QObject(parent)
    , m_worker(new Worker(std::move(url)))
{
    m_thread.setObjectName(QStringLiteral("names"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &Worker::found, this, &NameLookup::found);
    m_thread.start();
}

NameLookup::~NameLookup()
{
    m_thread.quit();
    m_thread.wait();
}

void NameLookup::lookup(EntityKind kind, const std::vector<EntityId>& ids)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, kind, ids] { worker->lookup(kind, ids); });
}

} // namespace km

#include "NameLookup.moc"
