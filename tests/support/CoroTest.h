#pragma once

// Qt Test inside QCoro coroutines. QVERIFY/QCOMPARE `return`, which a coroutine cannot; these `co_return`
// instead, so they work in a coroutine returning QCoro::Task<> (the failure is recorded by Qt Test first).
// Run such a coroutine from a test slot with KM_CO_RUN(task) or KM_CO_RUN_FOR(task, deadline).

#include <QCoroTask>
#include <QEventLoop>
#include <QTest>
#include <QTimer>

#include <chrono>
#include <exception>
#include <memory>
#include <string>

#define KM_CO_VERIFY(statement)                                                                                        \
    do {                                                                                                               \
        if (!QTest::qVerify(static_cast<bool>(statement), #statement, "", __FILE__, __LINE__))                         \
            co_return;                                                                                                 \
    } while (false)

#define KM_CO_VERIFY2(statement, description)                                                                          \
    do {                                                                                                               \
        if (!QTest::qVerify(static_cast<bool>(statement), #statement, (description), __FILE__, __LINE__))              \
            co_return;                                                                                                 \
    } while (false)

#define KM_CO_COMPARE(actual, expected)                                                                                \
    do {                                                                                                               \
        if (!QTest::qCompare(actual, expected, #actual, #expected, __FILE__, __LINE__))                                \
            co_return;                                                                                                 \
    } while (false)

#define KM_CO_FAIL(message)                                                                                            \
    do {                                                                                                               \
        QTest::qFail(message, __FILE__, __LINE__);                                                                     \
        co_return;                                                                                                     \
    } while (false)

/// In a test slot: runs the coroutine task to its end (30 s at most) and returns from the slot if it failed.
#define KM_CO_RUN(task) KM_CO_RUN_FOR(task, std::chrono::seconds(30))

#define KM_CO_RUN_FOR(task, deadline)                                                                                  \
    do {                                                                                                               \
        if (!::km::test::runCoroutine((task), (deadline), __FILE__, __LINE__) || QTest::currentTestFailed())           \
            return;                                                                                                    \
    } while (false)

namespace km::test {

namespace detail {

struct CoroutineRun {
    bool done = false;
    std::exception_ptr error;
    QEventLoop* loop = nullptr;
};

// Takes the shared state by value: if the deadline passes, the run outlives the caller's frame.
inline QCoro::Task<> watch(QCoro::Task<> task, std::shared_ptr<CoroutineRun> run)
{
    try {
        co_await task;
    } catch (...) {
        // QCoro::waitFor would hang on an exception; keep it and report it instead.
        run->error = std::current_exception();
    }
    run->done = true;
    if (run->loop) {
        run->loop->quit();
    }
}

inline std::string describe(const std::exception_ptr& error)
{
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& exception) {
        return exception.what();
    } catch (...) {
        return "unknown exception";
    }
}

} // namespace detail

/**
 * Spins an event loop until `task` is done. Fails the current test (and returns false) when it threw or did
 * not finish within `deadline`; in that case the coroutine is abandoned, still suspended, so the objects it
 * uses should outlive the test function (they leak rather than crash).
 */
inline bool runCoroutine(QCoro::Task<> task, std::chrono::milliseconds deadline, const char* file, int line)
{
    auto run = std::make_shared<detail::CoroutineRun>();
    QCoro::Task<> watcher = detail::watch(std::move(task), run);
    if (!run->done) {
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        timer.start(deadline);
        run->loop = &loop;
        loop.exec();
        run->loop = nullptr;
    }
    if (!run->done) {
        QTest::qFail(qPrintable(QStringLiteral("the coroutine did not finish within %1 ms").arg(deadline.count())),
                     file, line);
        return false;
    }
    if (run->error) {
        QTest::qFail(("the coroutine threw: " + detail::describe(run->error)).c_str(), file, line);
        return false;
    }
    return true;
}

} // namespace km::test
