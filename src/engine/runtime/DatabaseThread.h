#pragma once

#include "storage/DatabaseUrl.h"

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QPromise>
#include <QThread>

#include <exception>
#include <functional>
#include <memory>

namespace km {

class Database;

/**
 * A thread with a database connection of its own that runs, one after another, the database actions of a client
 * whose thread must not run SQL (the window). run() returns at once. A client object hands the finished future to
 * itself with `run(action, this, [this](QFuture<R> done) { try { done.result() ... } catch (const StorageError&) ...
 * })`: the handler runs later on this object's thread (never inside the call), and not at all when the client has
 * gone by then. Not Qt's `.then(this, ...)`: Qt 6.4 asserts its context is alive when the action finishes (an abort
 * in Debug builds when the client goes mid-read), and runs the continuation inside the attaching call when the action
 * has finished already. An action's StorageError (or a connection that cannot be opened) fails its future; the
 * connection is opened again for the next action when the server dropped it. Destroying the thread waits for the
 * running action; actions not started yet are cancelled.
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

    /// Runs `action`, then `done(finishedFuture)` on `client`'s thread (this object's) unless `client` is gone.
    template <typename Result, typename Done>
    void run(std::function<Result(Database&)> action, QObject* client, Done done)
    {
        Q_ASSERT(client->thread() == thread());
        run<Result>(std::move(action))
            .then([this, client = QPointer<QObject>(client),
                   done = std::make_shared<Done>(std::move(done))](QFuture<Result> finished) {
                QMetaObject::invokeMethod(
                    this,
                    [client, done, finished]() mutable {
                        if (client) {
                            (*done)(std::move(finished));
                        }
                    },
                    Qt::QueuedConnection);
            });
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
