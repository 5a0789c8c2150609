#pragma once

#include "FakeHttpServer.h"

#include <QByteArray>
#include <QDate>
#include <QMap>
#include <QString>
#include <QUrl>

namespace km::test {

/**
 * EVE Ref's market-history folder over real HTTP/1.1 (see FakeHttpServer): `GET /market-history/totals.json`
 * (`{"YYYY-MM-DD": rows, ...}`, the days added) and
 * `GET /market-history/YYYY/market-history-YYYY-MM-DD.csv.bz2` (the bytes added for that day); 404 for the rest.
 * Scripted answers take precedence, first in first out per path prefix.
 */
class FakeEveRefMarket : public FakeHttpServer {
    Q_OBJECT
public:
    explicit FakeEveRefMarket(QObject* parent = nullptr);

    /// The folder to configure as PriceRefresher's everefUrl.
    [[nodiscard]] QUrl marketHistoryUrl() const;
    /// The request path of a day's file.
    [[nodiscard]] static QString dayPath(QDate day);

    /// Serves `file` as the day's file, listed in totals.json with `rows`.
    void addDay(QDate day, const QByteArray& file, qint64 rows);
    /// Serves the file at `path` (a compressed EVE Ref day file) as the day's; false when it cannot be read.
    bool addDayFile(QDate day, const QString& path, qint64 rows);

protected:
    Answer route(const Request& request) override;

private:
    struct Day {
        QByteArray file;
        qint64 rows = 0;
    };

    QMap<QDate, Day> m_days;
};

} // namespace km::test
