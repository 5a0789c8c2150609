#pragma once

#include "config/SettingsTable.h"

#include <QMainWindow>

class QTabWidget;

namespace km {
class Engine;
class NameLookup;
class StaticData;
struct StoredKillmail;
} // namespace km

namespace km::ui {

class FeedModel;
class FeedView;
class HealthView;

/**
 * The operator console over a running engine: the live feed and the engine's health. The window only listens to the
 * engine's signals; it never queries the database itself. Closing it stops the engine as SIGTERM does (the jobs in
 * hand finish or are given back) and the window closes once the engine has stopped.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(Engine& engine, const StaticData& staticData, QWidget* parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] FeedModel* feedModel() const { return m_feedModel; }
    [[nodiscard]] FeedView* feedView() const { return m_feedView; }
    [[nodiscard]] HealthView* healthView() const { return m_healthView; }
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
    void createMenus();
    void saveLayout() const;
    void restoreLayout();
    void onEngineStopped();

    Engine& m_engine;
    const StaticData& m_staticData;
    NameLookup* m_names;
    FeedModel* m_feedModel;
    QTabWidget* m_tabs;
    FeedView* m_feedView;
    HealthView* m_healthView;
    bool m_engineStopped = false;
    bool m_closeRequested = false;
    Configuration m_configuration;
};

} // namespace km::ui
