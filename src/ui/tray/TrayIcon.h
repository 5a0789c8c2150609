#pragma once

#include <QSystemTrayIcon>

#include <memory>

class QAction;
class QMenu;

namespace km {
class EngineView;
}

namespace km::ui {

class FeedModel;

/**
 * The console in the system tray: the live ingestion rate (and the failure alert or a database outage) in its
 * tooltip, a click shows or hides the window, and its menu shows/hides the window, pauses the feed and quits (as
 * closing the window does). Only worth creating where QSystemTrayIcon::isSystemTrayAvailable().
 */
class TrayIcon : public QSystemTrayIcon {
    Q_OBJECT
public:
    TrayIcon(QWidget& window, const EngineView& engine, FeedModel& feed);
    ~TrayIcon() override;

    [[nodiscard]] QAction* showAction() const { return m_show; }
    [[nodiscard]] QAction* pauseAction() const { return m_pause; }
    [[nodiscard]] QAction* quitAction() const { return m_quit; }

private:
    void showRate();
    void toggleWindow();
    void quit();

    QWidget& m_window;
    const EngineView& m_engine;
    std::unique_ptr<QMenu> m_menu;
    QAction* m_show;
    QAction* m_pause;
    QAction* m_quit = nullptr;
};

} // namespace km::ui
