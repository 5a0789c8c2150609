#pragma once

#include "config/SettingsTable.h"

#include <QDialog>

class QLabel;
class QPushButton;

namespace km::ui {

class ConnectionTester;
class SettingField;

/**
 * Every setting of `config:show`, grouped by the config file's sections, each with a fitting editor, its help, and
 * where its value comes from (a flag or an environment variable overrides the file). Save checks every changed value
 * with the settings table's readers (their messages shown beside the field) and writes only the changed ones to the
 * config file the CLI reads. The running engine keeps the settings it started with: the dialog names the saved
 * settings that differ from them ("restart needed"). The database URL's password is never shown.
 */
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    /// `running`: the settings the console was started with (their flags are read again on reload); when it holds
    /// none, the settings as the environment and the config file give them now.
    explicit SettingsDialog(Configuration running, QWidget* parent = nullptr);
    ~SettingsDialog() override;

    /// The file Save writes: the one the console read, else the default one.
    [[nodiscard]] QString configFile() const;
    [[nodiscard]] SettingField* field(const QString& key) const;
    /// The problem shown beside a field (empty when none), and where its value comes from.
    [[nodiscard]] QString problemText(const QString& key) const;
    [[nodiscard]] QString originText(const QString& key) const;
    [[nodiscard]] QLabel* statusLabel() const { return m_status; }
    [[nodiscard]] QPushButton* testButton() const { return m_test; }
    [[nodiscard]] QLabel* testResultLabel() const { return m_testResult; }

    /// Checks the changed values and writes them; false (nothing written) when one is refused or writing fails.
    bool save();
    /// Reads the settings again (flags, environment, config file), dropping unsaved edits.
    void reload();

private:
    struct Row;

    /// A group of rows per config-file section, in `content`.
    void addRows(QWidget* content);
    void fill(const Configuration& current);
    /// The text of a row to check and write (the database URL with its real password).
    [[nodiscard]] QString valueOf(const Row& row) const;
    bool check(const Row& row);
    [[nodiscard]] const Row* rowOf(const QString& key) const;
    void testConnection();

    Configuration m_running;
    Configuration m_current;
    std::vector<Row> m_rows;
    QLabel* m_status;
    QPushButton* m_test = nullptr;
    QLabel* m_testResult = nullptr;
    ConnectionTester* m_tester;
};

} // namespace km::ui
