#pragma once

#include "storage/DatabaseUrl.h"

#include <QString>
#include <QVariant>

namespace km {

/**
 * Integer IDs as ONE bound parameter, never formatted into the statement: write `"id" ` + list.match() where
 * `"id" IN (...)` would go and bind list.binding() at its `?`. PostgreSQL reads a `{1,2,3}` array, SQLite a JSON
 * array through json_each; both use the column's index, whatever the list's length. An empty list matches nothing.
 */
class SqlIdList {
public:
    template <typename Range>
    SqlIdList(Backend backend, const Range& ids)
        : m_backend(backend)
    {
        const bool postgres = backend == Backend::Postgres;
        m_values += postgres ? u'{' : u'[';
        for (const auto id : ids) {
            if (m_values.size() > 1) {
                m_values += u',';
            }
            m_values += QString::number(id);
        }
        m_values += postgres ? u'}' : u']';
    }

    /// The condition after the column, with one `?`.
    [[nodiscard]] QString match() const
    {
        return m_backend == Backend::Postgres ? QStringLiteral("= ANY(CAST(? AS BIGINT[]))")
                                              : QStringLiteral("IN (SELECT value FROM json_each(?))");
    }
    /// The value for match()'s `?`.
    [[nodiscard]] QVariant binding() const { return m_values; }

private:
    Backend m_backend;
    QString m_values;
};

} // namespace km
