#include "settings/SettingsDialog.h"

#include "config/ConfigFile.h"
#include "settings/ConnectionTester.h"
#include "settings/SettingField.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QUrl>
#include <QVBoxLayout>

namespace km::ui {
namespace {

const QString passwordMask = QStringLiteral("***");

/// A database URL with its password masked, for the editor.
QString masked(const QString& text)
{
    QUrl url(text);
    if (url.password().isEmpty()) {
        return text;
    }
    url.setPassword(passwordMask);
    return url.toString();
}

/// An edited database URL whose password is still the mask: the password it had before.
QString unmasked(const QString& edited, const QString& original)
{
    QUrl url(edited);
    if (url.password() != passwordMask) {
        return edited;
    }
    url.setPassword(QUrl(original).password());
    return url.toString();
}

QString originOf(const Configuration::Source& source)
{
    switch (source.from) {
    case Configuration::Origin::Flag:
        return SettingsDialog::tr("Set by %1 on the command line, which overrides the config file").arg(source.origin);
    case Configuration::Origin::Environment:
        return SettingsDialog::tr("Set by the environment variable %1, which overrides the config file")
            .arg(source.origin);
    case Configuration::Origin::File: return SettingsDialog::tr("From the config file");
    case Configuration::Origin::Default: break;
    }
    return SettingsDialog::tr("Default (not in the config file)");
}

QLabel* smallLabel(QWidget* parent)
{
    // Not word-wrapped: the scroll area would squeeze the rows of a layout whose height depends on its width.
    auto* label = new QLabel(parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    label->setFont(font);
    return label;
}

} // namespace

struct SettingsDialog::Row {
    const Setting* setting;
    SettingField* field;
    QLabel* origin;
    QLabel* problem;
    /// The value the editor was filled with, unmasked, and its text in the editor.
    QString loaded;
    QString loadedText;
};

SettingsDialog::SettingsDialog(Configuration running, QWidget* parent)
    : QDialog(parent)
    , m_running(std::move(running))
    , m_current(m_running)
    , m_status(new QLabel(this))
    , m_tester(new ConnectionTester(this))
{
    setWindowTitle(tr("Settings"));
    auto* layout = new QVBoxLayout(this);
    auto* note = new QLabel(
        tr("The settings are kept in %1, which the command line and --headless read too. A flag or an environment "
           "variable overrides the file. The running engine keeps the settings it started with: "
           "changes apply when the console is started again (none can be applied while it runs); "
           "commands read the file each time they run.")
            .arg(configFile()),
        this);
    note->setWordWrap(true);
    layout->addWidget(note);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(new QWidget(scroll));
    layout->addWidget(scroll, 1);
    addRows(scroll->widget());
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* buttons =
        new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Reset | QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Reset)->setText(tr("&Reload"));
    connect(buttons->button(QDialogButtonBox::Save), &QPushButton::clicked, this, &SettingsDialog::save);
    connect(buttons->button(QDialogButtonBox::Reset), &QPushButton::clicked, this, &SettingsDialog::reload);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_tester, &ConnectionTester::finished, this, [this](bool connected, const QString& message) {
        m_test->setEnabled(true);
        m_testResult->setText(message);
        m_testResult->setStyleSheet(connected ? QString() : QStringLiteral("color: #d03030"));
    });
    reload();
    // Not told what the engine started with: what the settings say now is the best guess.
    if (m_running.sources.isEmpty()) {
        m_running = m_current;
    }
    resize(760, 640);
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::addRows(QWidget* content)
{
    auto* sections = new QVBoxLayout(content);
    QFormLayout* form = nullptr;
    QString section;
    for (const Setting& setting : SettingsTable::all()) {
        if (setting.section() != section) {
            section = setting.section();
            auto* group = new QGroupBox(QStringLiteral("[%1]").arg(section), content);
            form = new QFormLayout(group);
            sections->addWidget(group);
        }
        auto* cell = new QWidget(content);
        auto* column = new QVBoxLayout(cell);
        column->setContentsMargins(0, 0, 0, 0);
        Row row{&setting, new SettingField(setting, cell), smallLabel(cell), smallLabel(cell), {}, {}};
        const QString help =
            tr("%1\nFlag: --%2 · environment: %3 · config file: %4")
                .arg(setting.helpText(), setting.flag, QString::fromLatin1(setting.environment), setting.key);
        row.field->setToolTip(help);
        column->addWidget(row.field);
        if (setting.kind == SettingKind::DatabaseUrl) {
            auto* line = new QHBoxLayout;
            m_test = new QPushButton(tr("&Test connection"), cell);
            m_testResult = smallLabel(cell);
            line->addWidget(m_test);
            line->addWidget(m_testResult, 1);
            column->addLayout(line);
            connect(m_test, &QPushButton::clicked, this, &SettingsDialog::testConnection);
        }
        row.origin->setForegroundRole(QPalette::PlaceholderText);
        row.problem->setStyleSheet(QStringLiteral("color: #d03030"));
        column->addWidget(row.origin);
        column->addWidget(row.problem);
        auto* label = new QLabel(setting.kind == SettingKind::Switch ? QString() : setting.titleText(), cell);
        label->setToolTip(help);
        form->addRow(label, cell);
        const std::size_t index = m_rows.size();
        connect(row.field, &SettingField::edited, this, [this, index] { check(m_rows[index]); });
        m_rows.push_back(row);
    }
    sections->addStretch();
}

QString SettingsDialog::configFile() const
{
    return m_running.configFile.isEmpty() ? SettingsTable::defaultConfigFile() : m_running.configFile;
}

void SettingsDialog::reload()
{
    QString error;
    const QString file = SettingsTable::fileToRead(m_running.configFile);
    const std::optional<Configuration> current = SettingsTable::read(SettingsTable::flagsOf(m_running), file, error);
    if (!current) {
        m_status->setText(tr("The settings cannot be read: %1").arg(error));
        return;
    }
    fill(*current);
}

void SettingsDialog::fill(const Configuration& current)
{
    m_current = current;
    for (Row& row : m_rows) {
        const Configuration::Source* source = current.source(row.setting->key);
        row.loaded = source->value;
        row.field->setText(row.setting->kind == SettingKind::DatabaseUrl ? masked(source->value) : source->value);
        row.loadedText = row.field->text();
        row.origin->setText(originOf(*source));
        row.problem->clear();
        row.problem->hide();
    }
}

QString SettingsDialog::valueOf(const Row& row) const
{
    const QString text = row.field->text();
    if (text == row.loadedText) {
        return row.loaded;
    }
    return row.setting->kind == SettingKind::DatabaseUrl ? unmasked(text, row.loaded) : text;
}

bool SettingsDialog::check(const Row& row)
{
    const std::optional<QString> problem = row.setting->problem(valueOf(row));
    row.problem->setText(problem.value_or(QString()));
    row.problem->setVisible(problem.has_value());
    return !problem;
}

bool SettingsDialog::save()
{
    QMap<QString, QString> changed;
    const Row* refused = nullptr;
    for (const Row& row : m_rows) {
        if (!check(row) && !refused) {
            refused = &row;
        }
        if (row.field->text() != row.loadedText) {
            changed.insert(row.setting->key, valueOf(row));
        }
    }
    if (refused) {
        m_status->setText(
            tr("Not saved: %1 is refused (%2).").arg(refused->setting->titleText(), refused->problem->text()));
        refused->field->setFocus();
        return false;
    }
    if (changed.isEmpty()) {
        m_status->setText(tr("Nothing changed."));
        return true;
    }
    QString error;
    if (!ConfigFile::write(configFile(), changed, error)) {
        m_status->setText(tr("Not saved: %1").arg(error));
        return false;
    }
    reload();
    QStringList restart;
    for (const Row& row : m_rows) {
        if (m_current.source(row.setting->key)->value != m_running.source(row.setting->key)->value) {
            restart << row.setting->titleText();
        }
    }
    m_status->setText(restart.isEmpty()
                          ? tr("Saved to %1. The running engine already uses these values.").arg(configFile())
                          : tr("Saved to %1. Restart needed: the running engine keeps its settings for %2.")
                                .arg(configFile(), restart.join(QStringLiteral(", "))));
    return true;
}

const SettingsDialog::Row* SettingsDialog::rowOf(const QString& key) const
{
    const auto found =
        std::find_if(m_rows.cbegin(), m_rows.cend(), [&key](const Row& row) { return row.setting->key == key; });
    return found == m_rows.cend() ? nullptr : &*found;
}

SettingField* SettingsDialog::field(const QString& key) const
{
    const Row* row = rowOf(key);
    return row ? row->field : nullptr;
}

QString SettingsDialog::problemText(const QString& key) const
{
    const Row* row = rowOf(key);
    return row ? row->problem->text() : QString();
}

QString SettingsDialog::originText(const QString& key) const
{
    const Row* row = rowOf(key);
    return row ? row->origin->text() : QString();
}

void SettingsDialog::testConnection()
{
    const Row& row = *rowOf(QStringLiteral("database/url"));
    QString error;
    const std::optional<DatabaseUrl> url = DatabaseUrl::parse(valueOf(row), &error);
    if (!url) {
        m_testResult->setText(tr("Cannot connect: %1").arg(error));
        return;
    }
    m_test->setEnabled(false);
    m_testResult->setStyleSheet(QString());
    m_testResult->setText(tr("Connecting to %1…").arg(url->redacted()));
    m_tester->test(*url);
}

} // namespace km::ui
