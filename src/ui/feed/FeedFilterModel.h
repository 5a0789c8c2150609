#pragma once

#include "feed/FeedModel.h"

#include <QSortFilterProxyModel>

namespace km::ui {

/// The feed as the filter bar narrows it: text (ship, group, victim, system, region, source, ID), a minimum value
/// and flags a kill must all have. Sorts by FeedModel::SortRole.
class FeedFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit FeedFilterModel(QObject* parent = nullptr);

    void setText(const QString& text);
    void setMinimumValue(double isk);
    void setRequiredFlags(FeedModel::KillFlags flags);

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
    double m_minimumValue = 0;
    FeedModel::KillFlags m_requiredFlags;
};

} // namespace km::ui
