#pragma once

#include "config/SettingsTable.h"

#include <QMainWindow>

class QTabWidget;

namespace km {
class DatabaseThread;
class EngineView;
class FleetMonitor;
class NameLookup;
class StaticData;
struct DatabaseUrl;
struct StoredKillmail;
} // namespace km

namespace km::ui {

class FeedModel;
class FeedView;
class FleetView;
class HealthView;

/**
 * The operator console, either over an engine running in this process (the live feed and the engine's health), or
 * attached to the engines that share a database, without an engine of its own (the live feed of what they store and
 * the engines' reports). The GUI thread runs no SQL: the tabs listen to signals, and what they read or change
 * themselves (failed jobs, older feed rows, a connection test) runs on a DatabaseThread of their own. Closing it stops
 * its own engine as SIGTERM does (the jobs in hand finish or are given back) and the window closes once the engine
 * has stopped; an attached window closes at once.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(EngineView& engine, const StaticData& staticData, QWidget* parent = nullptr);
    /// Attached to the engines sharing the configured database, which `fleet` follows.
    MainWindow(FleetMonitor& fleet, const Configuration& configuration, const StaticData& staticData,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] FeedModel* feedModel() const { return m_feedModel; }
    [[nodiscard]] FeedView* feedView() const { return m_feedView; }
    /// The engine's health; null when attached.
    [[nodiscard]] HealthView* healthView() const { return m_healthView; }
    /// The engines sharing the database; null over an engine of its own.
    [[nodiscard]] FleetView* fleetView() const { return m_fleetView; }
    [[nodiscard]] QTabWidget* tabs() const { return m_tabs; }
    /// True once the engine has stopped (the window may then close).
    [[nodiscard]] bool engineStopped() const { return m_engineStopped; }

    /// Opens the detail view of a kill (non-modal); it deletes itself when closed.
    void showDetails(const km::StoredKillmail& killmail);
    /// The settings the engine was started with, which the settings dialog starts from.
    void setConfiguration(const Configuration& configuration) { m_configuration = configuration; }
    /// Opens the settings dialog (non-modal, one at a time).
    void showSettings();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    /// The parts both kinds of window have: the feed, and the names it shows.
    MainWindow(const DatabaseUrl& database, const StaticData& staticData, EngineView* engine, QWidget* parent);
    void createMenus();
    void saveLayout() const;
    void restoreLayout();
    void onEngineStopped();

    /// Null when attached.
    EngineView* m_engine;
    const StaticData& m_staticData;
    NameLookup* m_names;
    /// The window's own connection, for what it reads from the database (older feed rows, item values).
    DatabaseThread* m_database;
    FeedModel* m_feedModel;
    QTabWidget* m_tabs;
    FeedView* m_feedView;
    HealthView* m_healthView = nullptr;
    FleetView* m_fleetView = nullptr;
    bool m_engineStopped = false;
    bool m_closeRequested = false;
    Configuration m_configuration;
};

} // namespace km::ui
