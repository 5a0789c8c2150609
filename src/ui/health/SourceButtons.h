#pragma once

#include <QObject>

class QPushButton;
class QTableView;

namespace km {
class EngineView;
}

namespace km::ui {

/**
 * A Stop or Start button in the Action column of each row of a table of SourceModel (through its proxy). The button
 * follows the source's state; a click asks the host to stop or start that source and the button waits, disabled,
 * until the state has turned.
 */
class SourceButtons : public QObject {
    Q_OBJECT
public:
    SourceButtons(QTableView& table, EngineView& engine, QObject* parent = nullptr);

    /// The button of the source named `source`; null when it has no row.
    [[nodiscard]] QPushButton* buttonOf(const QString& source) const;

private:
    void addButtons(int first, int last);
    void follow();
    void clicked(int row);

    QTableView& m_table;
    EngineView& m_engine;
};

} // namespace km::ui
