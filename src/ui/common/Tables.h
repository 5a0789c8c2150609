#pragma once

#include <QVariant>

#include <span>

class QAbstractItemModel;
class QDateTime;
class QTableView;
class QWidget;

namespace km::ui {

/// Sets a table up as the console's tables look and behave: whole compact rows selected, read-only, no row numbers.
void setUpTable(QTableView* table);
/// A table showing `model` through a sorting proxy that sorts by `sortRole`, in the model's order until a column is
/// chosen.
QTableView* sortedTable(QAbstractItemModel* model, int sortRole, QWidget* parent);

/// A moment as the console's tables show it: local time to the second; empty when not known.
QString localTimeText(const QDateTime& time);
/// A table model's horizontal header: the title of `section`, translated in `context` (the model's class, where
/// its titles are marked with QT_TR_NOOP); nothing for other sections, orientations and roles.
QVariant columnTitle(const char* context, std::span<const char* const> titles, int section, Qt::Orientation orientation,
                     int role);

} // namespace km::ui
