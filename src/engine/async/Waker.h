#pragma once

#include <QObject>

#include <chrono>
#include <coroutine>

namespace km {

/**
 * The waits of the coroutines one object owns. `co_await waker.sleep(d)` resumes after `d`, or at once when the owner
 * calls wakeAll() (stopping); afterwards every sleep returns at once until rearm(). Each wait's timer belongs to the
 * waker, not to the coroutine's frame, and the waker belongs to the owner: when the owner goes, its pending timers go
 * with it and can never resume a coroutine into freed memory. The coroutine is resumed from the timer's own timeout
 * (not a queued call), after the timer was handed to deleteLater(), so what it does next may destroy anything.
 *
 * The rule every coroutine of the engine follows: its owner stops it (wakeAll(), and aborting its requests), the
 * coroutine checks after each await whether it is stopping and returns touching nothing more, and the owner destroys
 * what the coroutine awaited only once it has returned.
 */
class Waker : public QObject {
    Q_OBJECT
public:
    class Sleep {
    public:
        Sleep(Waker& waker, std::chrono::milliseconds duration)
            : m_waker(waker)
            , m_duration(duration)
        {
        }
        [[nodiscard]] bool await_ready() const noexcept { return m_waker.m_awake; }
        void await_suspend(std::coroutine_handle<> coroutine) const { m_waker.schedule(m_duration, coroutine); }
        void await_resume() const noexcept { }

    private:
        Waker& m_waker;
        std::chrono::milliseconds m_duration;
    };

    explicit Waker(QObject* parent = nullptr);

    /// Waits `duration` or until wakeAll(); `co_await` it.
    [[nodiscard]] Sleep sleep(std::chrono::milliseconds duration) { return {*this, duration}; }
    /// Ends every wait now and makes later ones return at once.
    void wakeAll();
    /// Waits last their whole time again.
    void rearm() { m_awake = false; }

Q_SIGNALS:
    void wakingAll();

private:
    void schedule(std::chrono::milliseconds duration, std::coroutine_handle<> coroutine);

    bool m_awake = false;
};

} // namespace km
