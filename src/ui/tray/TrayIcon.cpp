#include "tray/TrayIcon.h"

#include "feed/FeedModel.h"
#include "runtime/EngineView.h"

#include <QApplication>
#include <QMenu>
#include <QStyle>

namespace km::ui {

TrayIcon::TrayIcon(QWidget& window, const EngineView& engine, FeedModel& feed)
    : QSystemTrayIcon(&window)
    , m_window(window)
    , m_engine(engine)
    , m_menu(std::make_unique<QMenu>())
    , m_show(m_menu->addAction(tr("Hide the window"), this, &TrayIcon::toggleWindow))
    , m_pause(m_menu->addAction(tr("Pause the feed")))
{
    const QIcon icon = QApplication::windowIcon();
    setIcon(icon.isNull() ? window.style()->standardIcon(QStyle::SP_ComputerIcon) : icon);
    m_pause->setCheckable(true);
    m_pause->setChecked(feed.isPaused());
    connect(m_pause, &QAction::toggled, &feed, &FeedModel::setPaused);
    connect(&feed, &FeedModel::pausedChanged, m_pause, &QAction::setChecked);
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("Quit"), this, &TrayIcon::quit);
    // The window's visibility is read when the menu opens: it may have been shown or hidden by other means.
    connect(m_menu.get(), &QMenu::aboutToShow, this,
            [this] { m_show->setText(m_window.isVisible() ? tr("Hide the window") : tr("Show the window")); });
    setContextMenu(m_menu.get());
    connect(this, &QSystemTrayIcon::activated, this, [this](ActivationReason reason) {
        if (reason == Trigger) {
            toggleWindow();
        }
    });
    connect(&engine, &EngineView::sampled, this, &TrayIcon::showRate);
    showRate();
}

TrayIcon::~TrayIcon() = default;

void TrayIcon::showRate()
{
    QString tip = tr("Killmail Console: %1 killmails/s").arg(m_engine.ingestionRate(), 0, 'f', 2);
    if (m_engine.alert().alerting()) {
        tip += u'\n' + tr("Failure alert: %1").arg(m_engine.alert().reason());
    }
    if (!m_engine.databaseProblem().isEmpty()) {
        tip += u'\n' + tr("Database unavailable: %1").arg(m_engine.databaseProblem());
    }
    setToolTip(tip);
}

void TrayIcon::toggleWindow()
{
    if (m_window.isVisible()) {
        m_window.hide();
        return;
    }
    m_window.show();
    m_window.raise();
    m_window.activateWindow();
}

void TrayIcon::quit()
{
    // Shown first: closing says how the engine stops, and the window closes once it has.
    m_window.show();
    m_window.close();
}

} // namespace km::ui
