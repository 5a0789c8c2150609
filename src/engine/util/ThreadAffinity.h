#pragma once

#include <QObject>
#include <QThread>

namespace km {

/// Asserts (in debug builds) that the caller runs on `owner`: classes bound to one thread (their connection, their
/// network manager, their timers) call it at the entry of their public methods.
inline void assertThread(const QThread* owner)
{
    Q_ASSERT_X(owner == QThread::currentThread(), "assertThread", "called from a thread other than its owner's");
}

/// The QObject's own thread.
inline void assertThread(const QObject* object) { assertThread(object->thread()); }

} // namespace km
