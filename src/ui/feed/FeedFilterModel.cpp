#include "feed/FeedFilterModel.h"

namespace km::ui {

FeedFilterModel::FeedFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(FeedModel::SortRole);
}

void FeedFilterModel::setText(const QString& text)
{
    m_text = text.trimmed();
    invalidateRowsFilter();
}

void FeedFilterModel::setMinimumValue(double isk)
{
    m_minimumValue = isk;
    invalidateRowsFilter();
}

void FeedFilterModel::setRequiredFlags(FeedModel::KillFlags flags)
{
    m_requiredFlags = flags;
    invalidateRowsFilter();
}

bool FeedFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(FeedModel::TotalValueRole).toDouble() < m_minimumValue) {
        return false;
    }
    const auto flags = FeedModel::KillFlags::fromInt(index.data(FeedModel::FlagsRole).toInt());
    if ((flags & m_requiredFlags) != m_requiredFlags) {
        return false;
    }
    return m_text.isEmpty() || index.data(FeedModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace km::ui
