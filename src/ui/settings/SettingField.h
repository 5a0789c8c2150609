#pragma once

#include <QList>
#include <QWidget>

class QCheckBox;
class QLineEdit;
class QSpinBox;

namespace km {
struct Setting;
}

namespace km::ui {

/**
 * The editor of one setting, fitting its kind: a spin box for a number, a check box for a switch, a check box per
 * choice for a list of a few choices, a line edit otherwise (its text hidden for a secret). It speaks the setting's
 * text, as the config file holds it.
 */
class SettingField : public QWidget {
    Q_OBJECT
public:
    explicit SettingField(const Setting& setting, QWidget* parent = nullptr);

    [[nodiscard]] QString text() const;
    void setText(const QString& text);
    /// The line edit of a setting edited as text; nullptr for the others.
    [[nodiscard]] QLineEdit* lineEdit() const { return m_line; }

Q_SIGNALS:
    void edited();

private:
    const Setting& m_setting;
    QLineEdit* m_line = nullptr;
    QSpinBox* m_number = nullptr;
    QCheckBox* m_switch = nullptr;
    QList<QCheckBox*> m_choices;
};

} // namespace km::ui
