#include "settings/SettingField.h"

#include "config/SettingsTable.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace km::ui {
namespace {

const QString noItem = QStringLiteral("none");

} // namespace

SettingField::SettingField(const Setting& setting, QWidget* parent)
    : QWidget(parent)
    , m_setting(setting)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (setting.kind == SettingKind::Number) {
        m_number = new QSpinBox(this);
        m_number->setRange(setting.minimum, setting.maximum);
        // A scroll area shrinks its rows to their minimum to spare a scroll bar; a spin box's is too low to read.
        m_number->setMinimumSize(m_number->sizeHint());
        layout->addWidget(m_number);
        layout->addStretch();
        connect(m_number, &QSpinBox::valueChanged, this, &SettingField::edited);
    } else if (setting.kind == SettingKind::Switch) {
        m_switch = new QCheckBox(setting.titleText(), this);
        layout->addWidget(m_switch);
        connect(m_switch, &QCheckBox::toggled, this, &SettingField::edited);
    } else if (!setting.choices.isEmpty()) {
        for (const QString& choice : setting.choices) {
            auto* box = new QCheckBox(choice, this);
            m_choices << box;
            layout->addWidget(box);
            connect(box, &QCheckBox::toggled, this, &SettingField::edited);
        }
        layout->addStretch();
    } else {
        m_line = new QLineEdit(this);
        m_line->setPlaceholderText(setting.defaultText);
        if (setting.kind == SettingKind::Secret) {
            m_line->setEchoMode(QLineEdit::Password);
        }
        layout->addWidget(m_line);
        connect(m_line, &QLineEdit::textEdited, this, &SettingField::edited);
        if (setting.kind == SettingKind::Folder) {
            auto* choose = new QPushButton(tr("Choose…"), this);
            layout->addWidget(choose);
            connect(choose, &QPushButton::clicked, this, [this] {
                const QString folder = QFileDialog::getExistingDirectory(this, m_setting.titleText(), m_line->text());
                if (!folder.isEmpty()) {
                    m_line->setText(folder);
                    Q_EMIT edited();
                }
            });
        }
    }
}

QString SettingField::text() const
{
    if (m_number) {
        return QString::number(m_number->value());
    }
    if (m_switch) {
        return m_switch->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    }
    if (!m_choices.isEmpty()) {
        QStringList chosen;
        for (const QCheckBox* box : m_choices) {
            if (box->isChecked()) {
                chosen << box->text();
            }
        }
        return chosen.isEmpty() ? noItem : chosen.join(u',');
    }
    return m_line->text();
}

void SettingField::setText(const QString& text)
{
    const QSignalBlocker quiet(this);
    if (m_number) {
        m_number->setValue(text.toInt());
    } else if (m_switch) {
        m_switch->setChecked(SettingsTable::switchState(text).value_or(false));
    } else if (!m_choices.isEmpty()) {
        const QStringList items = text.split(u',');
        for (QCheckBox* box : m_choices) {
            box->setChecked(std::any_of(items.cbegin(), items.cend(),
                                        [box](const QString& item) { return item.trimmed() == box->text(); }));
        }
    } else {
        m_line->setText(text);
    }
}

} // namespace km::ui
