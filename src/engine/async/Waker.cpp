#include "async/Waker.h"

#include <QTimer>

namespace km {

Waker::Waker(QObject* parent)
    : QObject(parent)
{
}

void Waker::wakeAll()
{
    m_awake = true;
    Q_EMIT wakingAll();
}

void Waker::schedule(std::chrono::milliseconds duration, std::coroutine_handle<> coroutine)
{
    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [timer, coroutine] {
        timer->disconnect();
        timer->deleteLater();
        coroutine.resume();
    });
    connect(this, &Waker::wakingAll, timer, [timer] { timer->start(0); });
    timer->start(duration);
}

} // namespace km
