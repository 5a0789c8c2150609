#include "MainWindow.h"

#include "backfills/BackfillsView.h"
#include "detail/KillmailDialog.h"
#include "failures/FailuresView.h"
#include "feed/FeedModel.h"
#include "feed/FeedView.h"
#include "fleet/FleetView.h"
#include "health/HealthView.h"
#include "runtime/DatabaseThread.h"
#include "runtime/EngineView.h"
#include "runtime/FleetMonitor.h"
#include "runtime/NameLookup.h"
#include "settings/SettingsDialog.h"
#include "tray/TrayIcon.h"

#include <QCloseEvent>
#include <QHeaderView>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>

namespace km::ui {
namespace {

const QString geometryKey = QStringLiteral("window/geometry");
const QString stateKey = QStringLiteral("window/state");
const QString feedColumnsKey = QStringLiteral("window/feedColumns");
const QString tabKey = QStringLiteral("window/tab");

/// The window's layout lives in a file of its own (window.ini beside the config file): the config file holds the
/// engine's settings only, and the engine refuses a setting it does not know.
QSettings layoutSettings()
{
    return QSettings(QSettings::IniFormat, QSettings::UserScope, QCoreApplication::organizationName(),
                     QStringLiteral("window"));
}

/// The failures tab, read again whenever `monitor` (the engine's, or the fleet's when attached) has read the backlog.
template <typename Monitor>
FailuresView* failuresTab(DatabaseThread& database, const Monitor& monitor, QWidget* parent)
{
    auto* view = new FailuresView(database, parent);
    QObject::connect(&monitor, &Monitor::backlogChanged, view, &FailuresView::refresh);
    return view;
}

} // namespace

MainWindow::MainWindow(const DatabaseUrl& database, const StaticData& staticData, EngineView* engine, QWidget* parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_staticData(staticData)
    , m_names(new NameLookup(database, this))
    , m_database(new DatabaseThread(database, this))
    , m_feedModel(new FeedModel(staticData, FeedModel::defaultLimit, this))
    , m_tabs(new QTabWidget(this))
    , m_feedView(new FeedView(*m_feedModel, m_tabs))
{
    m_tabs->addTab(m_feedView, tr("&Live feed"));
    setCentralWidget(m_tabs);
    m_feedModel->setDatabase(m_database);
    connect(m_feedModel, &FeedModel::namesWanted, m_names, &NameLookup::lookup);
    connect(m_names, &NameLookup::found, m_feedModel, &FeedModel::setNames);
    connect(m_feedView, &FeedView::killmailActivated, this, &MainWindow::showDetails);
    resize(1100, 700);
}

MainWindow::MainWindow(EngineView& engine, const StaticData& staticData, QWidget* parent)
    : MainWindow(engine.databaseUrl(), staticData, &engine, parent)
{
    setWindowTitle(tr("Killmail Console"));
    m_healthView = new HealthView(engine, m_tabs);
    m_tabs->addTab(m_healthView, tr("Engine &health"));
    m_tabs->addTab(failuresTab(*m_database, engine, m_tabs), tr("Fail&ures"));
    m_tabs->addTab(new BackfillsView(engine, m_tabs), tr("&Backfills and imports"));
    createMenus();
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        (new TrayIcon(*this, engine, *m_feedModel))->show();
    }

    connect(&engine, &EngineView::killmailStored, m_feedModel, &FeedModel::add);
    connect(&engine, &EngineView::stopped, this, &MainWindow::onEngineStopped);
    connect(&engine, &EngineView::failed, this,
            [this](const QString& error) { statusBar()->showMessage(tr("The engine cannot run: %1").arg(error)); });
    statusBar()->showMessage(tr("Engine running"));
    restoreLayout();
}

MainWindow::MainWindow(FleetMonitor& fleet, const Configuration& configuration, const StaticData& staticData,
                       QWidget* parent)
    : MainWindow(configuration.database, staticData, nullptr, parent)
{
    setWindowTitle(tr("Killmail Console (attached)"));
    setConfiguration(configuration);
    m_fleetView = new FleetView(fleet, m_tabs);
    m_tabs->addTab(m_fleetView, tr("&Engines"));
    m_tabs->addTab(failuresTab(*m_database, fleet, m_tabs), tr("Fail&ures"));
    m_tabs->addTab(new BackfillsView(configuration.database, configuration.engine, m_tabs),
                   tr("&Backfills and imports"));
    createMenus();

    connect(&fleet, &FleetMonitor::killmailStored, m_feedModel, &FeedModel::add);
    m_engineStopped = true; // nothing of its own to stop before closing
    statusBar()->showMessage(tr("Attached to %1, without an engine of its own").arg(configuration.database.redacted()));
    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Settings…"), this, &MainWindow::showSettings)->setShortcut(QKeySequence::Preferences);
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* pause = view->addAction(tr("&Pause the feed"));
    pause->setCheckable(true);
    connect(pause, &QAction::toggled, m_feedModel, &FeedModel::setPaused);
    connect(m_feedModel, &FeedModel::pausedChanged, pause, &QAction::setChecked);
    for (int tab = 0; tab < m_tabs->count(); ++tab) {
        QAction* show =
            view->addAction(m_tabs->tabText(tab).remove(u'&'), this, [this, tab] { m_tabs->setCurrentIndex(tab); });
        show->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + tab)));
    }
}

void MainWindow::showDetails(const StoredKillmail& killmail)
{
    if (!killmail.valued) {
        return;
    }
    auto* dialog = new KillmailDialog(killmail, m_staticData, m_names, m_database, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showSettings()
{
    auto* dialog = findChild<SettingsDialog*>();
    if (!dialog) {
        dialog = new SettingsDialog(m_configuration, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    dialog->show();
    dialog->raise();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_engineStopped) {
        saveLayout();
        event->accept();
        return;
    }
    event->ignore();
    if (m_closeRequested) {
        return;
    }
    m_closeRequested = true;
    statusBar()->showMessage(tr("Stopping: the jobs in hand finish or are given back…"));
    m_tabs->setEnabled(false);
    m_engine->stop();
}

void MainWindow::onEngineStopped()
{
    m_engineStopped = true;
    if (m_closeRequested) {
        close();
    } else {
        statusBar()->showMessage(tr("The engine has stopped"));
    }
}

void MainWindow::saveLayout() const
{
    QSettings settings = layoutSettings();
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
    settings.setValue(feedColumnsKey, m_feedView->table()->horizontalHeader()->saveState());
    settings.setValue(tabKey, m_tabs->currentIndex());
}

void MainWindow::restoreLayout()
{
    const QSettings settings = layoutSettings();
    restoreGeometry(settings.value(geometryKey).toByteArray());
    restoreState(settings.value(stateKey).toByteArray());
    m_feedView->table()->horizontalHeader()->restoreState(settings.value(feedColumnsKey).toByteArray());
    m_tabs->setCurrentIndex(settings.value(tabKey, 0).toInt());
}

} // namespace km::ui
