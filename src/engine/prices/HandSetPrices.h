#pragma once

#include "prices/PriceMoment.h"

#include <QByteArray>
#include <QDate>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace km {

/// What a hand-set row says about a type's price.
struct HandSetPrice {
    enum class Kind {
        /// `isk` is the price.
        Fixed,
        /// The build price when it is above 1 ISK, else the rules after the hand-set prices (titans, supercarriers).
        Build,
    };
    Kind kind = Kind::Fixed;
    double isk = 0;
};

/**
 * zKillboard's hand-set prices (its Price::getFixedPrice), by type ID or by group ID, some for a period only: the
 * CSV file resources/prices/hand_set_prices.csv (columns scope, id, price, from, until, name) compiled in, and an
 * operator's file of the same form whose rows replace the bundled rows of the same type or group. A row applies
 * to a moment from its `from` day (zKillboard's `!($date <= from)`) until its `until` day (`$date <= until`).
 * "market" as the price means no hand-set price, which lets an override drop a bundled row.
 */
class HandSetPrices {
public:
    /// Parses a file's content; each malformed row is a problem naming `fileName` and the line, and is skipped.
    static HandSetPrices parse(const QByteArray& content, const QString& fileName, QStringList& problems);
    /**
     * The bundled file with `overrideFile`'s rows in place of the bundled rows they name, when that file exists.
     * An override with any malformed row is not used at all (each problem is reported): half an operator's
     * prices would be worse than none.
     */
    static HandSetPrices load(const QString& bundledFile, const QString& overrideFile, QStringList& problems);

    /// The price set for the type at `moment`: its own rows first, then its group's; none when neither applies.
    [[nodiscard]] std::optional<HandSetPrice> find(int typeId, std::optional<int> groupId,
                                                   const PriceMoment& moment) const;

    /// Replaces this list's rows of every type and group that `other` names with `other`'s.
    void overrideWith(const HandSetPrices& other);
    /// Types and groups with rows.
    [[nodiscard]] qsizetype keyCount() const { return m_rows.size(); }

private:
    struct Row {
        /// None for "market".
        std::optional<HandSetPrice> price;
        QDate from;
        QDate until;
    };

    [[nodiscard]] std::optional<HandSetPrice> findRow(qint64 key, const PriceMoment& moment, bool& found) const;

    /// By key: the group ID, or the type ID with bit 32 set; rows in file order.
    QHash<qint64, std::vector<Row>> m_rows;
};

} // namespace km
