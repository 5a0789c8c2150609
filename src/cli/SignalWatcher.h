#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace km::cli {

/// Turns SIGINT and SIGTERM into a Qt signal on the thread that created it (one instance per process).
class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

    /// False when the process's signal pipe could not be made (then no signal is watched).
    [[nodiscard]] bool isWatching() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void terminationRequested();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace km::cli
