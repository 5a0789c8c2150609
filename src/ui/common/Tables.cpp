#include "common/Tables.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace km::ui {

void setUpTable(QTableView* table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSortIndicator(-1, Qt::DescendingOrder);
    table->setSortingEnabled(true);
}

QTableView* sortedTable(QAbstractItemModel* model, int sortRole, QWidget* parent)
{
    auto* sorted = new QSortFilterProxyModel(parent);
    sorted->setSourceModel(model);
    sorted->setSortRole(sortRole);
    auto* table = new QTableView(parent);
    table->setModel(sorted);
    setUpTable(table);
    return table;
}

QString localTimeText(const QDateTime& time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
}

QVariant columnTitle(const char* context, std::span<const char* const> titles, int section, Qt::Orientation orientation,
                     int role)
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || std::size_t(section) >= titles.size()) {
        return {};
    }
    return QCoreApplication::translate(context, titles[std::size_t(section)]);
}

} // namespace km::ui
