#pragma once

#include "feed/FeedModel.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace km::ui {

class FeedFilterModel;

/// The live feed tab: the filter bar (text, minimum value, flags), pause/resume, and the table of kills, which reads
/// older kills back from the database as it is scrolled to its bottom.
class FeedView : public QWidget {
    Q_OBJECT
public:
    explicit FeedView(FeedModel& model, QWidget* parent = nullptr);

    [[nodiscard]] QTableView* table() const { return m_table; }
    [[nodiscard]] FeedFilterModel* filterModel() const { return m_filter; }
    [[nodiscard]] QLineEdit* textFilter() const { return m_text; }
    [[nodiscard]] QLineEdit* minimumValueFilter() const { return m_minimumValue; }
    [[nodiscard]] QPushButton* pauseButton() const { return m_pause; }

Q_SIGNALS:
    /// The operator asked for a kill's details (double-click or Enter).
    void killmailActivated(const km::StoredKillmail& killmail);

private:
    void applyMinimumValue();
    void applyFlags();
    void activate(const QModelIndex& index);
    void updateCount();
    /// After a page of older kills: the next one while the bottom of the table is in view.
    void readOnWhileBottomShown();

    FeedModel& m_model;
    FeedFilterModel* m_filter;
    QTableView* m_table;
    QLineEdit* m_text;
    QLineEdit* m_minimumValue;
    QCheckBox* m_solo;
    QCheckBox* m_npc;
    QCheckBox* m_awox;
    QPushButton* m_pause;
    QLabel* m_count;
};

} // namespace km::ui
