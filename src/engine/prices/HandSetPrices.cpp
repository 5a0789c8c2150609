#include "prices/HandSetPrices.h"

#include "util/Csv.h"

#include <QFile>
#include <QFileInfo>

namespace km {
namespace {

constexpr qint64 typeKeyBit = qint64(1) << 32;

std::optional<QDate> readDay(const QByteArray& text)
{
    if (text.isEmpty()) {
        return QDate();
    }
    const QDate day = QDate::fromString(QString::fromLatin1(text), Qt::ISODate);
    return day.isValid() && text.size() == 10 ? std::optional<QDate>(day) : std::nullopt;
}

} // namespace

HandSetPrices HandSetPrices::parse(const QByteArray& content, const QString& fileName, QStringList& problems)
{
    HandSetPrices prices;
    const QList<QByteArray> lines = content.split('\n');
    bool header = true;
    for (qsizetype number = 0; number < lines.size(); ++number) {
        const QByteArray line = lines[number].trimmed();
        if (line.isEmpty() || line.startsWith('#')) {
            continue;
        }
        if (header) { // the column names
            header = false;
            continue;
        }
        const auto problem = [&](const QString& what) {
            problems << QStringLiteral("%1:%2: %3").arg(fileName).arg(number + 1).arg(what);
        };
        const QList<QByteArray> fields = csv::splitRecord(line);
        if (fields.size() < 5) {
            problem(QStringLiteral("expected scope,id,price,from,until[,name], found %1 fields").arg(fields.size()));
            continue;
        }
        bool idOk = false;
        const qint64 id = fields[1].trimmed().toLongLong(&idOk);
        const QByteArray scope = fields[0].trimmed();
        if (scope != "type" && scope != "group") {
            problem(QStringLiteral("scope '%1' is neither type nor group").arg(QString::fromUtf8(scope)));
            continue;
        }
        if (!idOk || id < 0 || id >= typeKeyBit) {
            problem(QStringLiteral("'%1' is not a type or group ID").arg(QString::fromUtf8(fields[1])));
            continue;
        }
        Row row;
        const QByteArray price = fields[2].trimmed();
        if (price == "build") {
            row.price = HandSetPrice{HandSetPrice::Kind::Build, 0};
        } else if (price != "market") {
            bool priceOk = false;
            const double isk = price.toDouble(&priceOk);
            if (!priceOk || !(isk >= 0) || isk > 1e16) {
                problem(QStringLiteral("price '%1' is not an amount of ISK, build or market")
                            .arg(QString::fromUtf8(price)));
                continue;
            }
            row.price = HandSetPrice{HandSetPrice::Kind::Fixed, isk};
        }
        const std::optional<QDate> from = readDay(fields[3].trimmed());
        const std::optional<QDate> until = readDay(fields[4].trimmed());
        if (!from || !until || (from->isValid() && until->isValid() && *until <= *from)) {
            problem(QStringLiteral("from '%1' and until '%2' are not empty or YYYY-MM-DD, the first before the second")
                        .arg(QString::fromUtf8(fields[3]), QString::fromUtf8(fields[4])));
            continue;
        }
        row.from = *from;
        row.until = *until;
        prices.m_rows[scope == "type" ? (id | typeKeyBit) : id].push_back(row);
    }
    if (header) {
        problems << QStringLiteral("%1: no header line (scope,id,price,from,until,name)").arg(fileName);
    }
    return prices;
}

HandSetPrices HandSetPrices::load(const QString& bundledFile, const QString& overrideFile, QStringList& problems)
{
    const auto read = [&problems](const QString& path, HandSetPrices& into) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            problems << QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString());
            return false;
        }
        const qsizetype before = problems.size();
        into = parse(file.readAll(), path, problems);
        return problems.size() == before;
    };
    HandSetPrices prices;
    read(bundledFile, prices);
    if (!overrideFile.isEmpty() && QFileInfo::exists(overrideFile)) {
        HandSetPrices overrides;
        if (read(overrideFile, overrides)) {
            prices.overrideWith(overrides);
        } else {
            problems << QStringLiteral("%1: not used; the bundled hand-set prices apply").arg(overrideFile);
        }
    }
    return prices;
}

void HandSetPrices::overrideWith(const HandSetPrices& other)
{
    for (auto it = other.m_rows.cbegin(); it != other.m_rows.cend(); ++it) {
        m_rows.insert(it.key(), it.value());
    }
}

std::optional<HandSetPrice> HandSetPrices::findRow(qint64 key, const PriceMoment& moment, bool& found) const
{
    const auto rows = m_rows.constFind(key);
    if (rows == m_rows.constEnd()) {
        return std::nullopt;
    }
    for (const Row& row : *rows) {
        if ((!row.from.isValid() || !moment.upTo(row.from)) && (!row.until.isValid() || moment.upTo(row.until))) {
            found = true;
            return row.price;
        }
    }
    return std::nullopt;
}

std::optional<HandSetPrice> HandSetPrices::find(int typeId, std::optional<int> groupId, const PriceMoment& moment) const
{
    bool found = false;
    std::optional<HandSetPrice> price = findRow(qint64(typeId) | typeKeyBit, moment, found);
    if (found || !groupId) {
        return price;
    }
    return findRow(*groupId, moment, found);
}

} // namespace km
