#pragma once

class QAbstractItemModel;
class QTableView;
class QWidget;

namespace km::ui {

/// Sets a table up as the console's tables look and behave: whole compact rows selected, read-only, no row numbers.
void setUpTable(QTableView* table);
/// A table showing `model` through a sorting proxy that sorts by `sortRole`, in the model's order until a column is
/// chosen.
QTableView* sortedTable(QAbstractItemModel* model, int sortRole, QWidget* parent);

} // namespace km::ui
