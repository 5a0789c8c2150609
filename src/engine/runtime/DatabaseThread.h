#pragma once

#include "storage/DatabaseUrl.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QThread>

#include <exception>
#include <functional>
#include <memory>

namespace km {

class Database;

/**
 * A thread with a database connection of its own that runs, one after another, the database actions of a client
 * whose thread must not run SQL (the window). run() returns at once; the client continues the future on its own
 * thread with one `.then(this, [](QFuture<R> done) { try { done.result() ... } catch (const StorageError&) ... })`,
 * as KDE's Kaidan does. Not `.then(this, ...).onFailed(this, ...)`: when `this` goes while the answer is delivered,
 * Qt 6.4 runs the failure handler without its context (a Q_ASSERT abort). An action's StorageError (or a
 * connection that cannot be opened) fails its future; the connection is opened again for the next action when the
 * server dropped it. Destroying the thread waits for the running action; actions not started yet are cancelled.
 * Beware: when the action has finished before `.then(this, ...)` is attached, Qt runs the continuation at once, inside
 * the call that attaches it; a caller that must not be re-entered (a model inside fetchMore(), a constructor) hands
 * the result on through a queued signal.
 */
class DatabaseThread : public QObject {
    Q_OBJECT
public:
    explicit DatabaseThread(DatabaseUrl url, QObject* parent = nullptr);
    ~DatabaseThread() override;

    template <typename Result>
    QFuture<Result> run(std::function<Result(Database&)> action)
    {
        auto promise = std::make_shared<QPromise<Result>>();
        QFuture<Result> future = promise->future();
        promise->start();
        post([this, promise, action = std::move(action)] {
            try {
                if constexpr (std::is_void_v<Result>) {
                    action(database());
                } else {
                    promise->addResult(action(database()));
                }
            } catch (...) {
                promise->setException(std::current_exception());
                forgetLostConnection();
            }
            promise->finish();
        });
        return future;
    }

private:
    class Worker;

    /// Runs `task` on the worker's thread; dropped (its promise cancelled) when the thread is stopping.
    void post(std::function<void()> task);
    /// The worker's connection, opened on first use; throws StorageError when it cannot be opened.
    Database& database();
    /// After a failed action: a connection the server dropped is opened again before the next one.
    void forgetLostConnection() noexcept;

    QThread m_thread;
    Worker* m_worker;
};

} // namespace km
