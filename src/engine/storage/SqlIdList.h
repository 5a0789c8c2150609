#pragma once

#include <QString>
#include <QStringList>

#include <iterator>

namespace km {

/// "1,2,3": integer IDs for an SQL `IN (...)` list. Numbers only, so there is nothing to escape.
template <typename Range>
QString sqlIdList(const Range& ids)
{
    QStringList list;
    list.reserve(qsizetype(std::size(ids)));
    for (const auto id : ids) {
        list << QString::number(id);
    }
    return list.join(u',');
}

} // namespace km
