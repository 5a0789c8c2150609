#pragma once

#include "feed/EntityNames.h"
#include "storage/DatabaseUrl.h"

#include <QHash>
#include <QObject>
#include <QThread>

#include <vector>

namespace km {

/**
 * Looks up the names of characters, corporations and alliances in the entity tables on a thread of its own, with
 * its own connection, for a client whose thread must not run SQL (the window): lookup() returns at once and found()
 * follows on the caller's thread with the names known (IDs the tables do not hold yet are left out; ask again later,
 * once the entity updates have resolved them). A database it cannot open is tried again at the next lookup.
 */
class NameLookup : public QObject {
    Q_OBJECT
public:
    explicit NameLookup(DatabaseUrl url, QObject* parent = nullptr);
    ~NameLookup() override;

public Q_SLOTS:
    void lookup(km::EntityKind kind, const std::vector<km::EntityId>& ids);

Q_SIGNALS:
    void found(km::EntityKind kind, const QHash<km::EntityId, km::EntityName>& names);
    /// Hands a lookup to the worker's thread.
    void lookupRequested(km::EntityKind kind, const std::vector<km::EntityId>& ids, QPrivateSignal);

private:
    class Worker;

    QThread m_thread;
    Worker* m_worker;
};

} // namespace km
