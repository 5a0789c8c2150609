#pragma once

#include "FakeHttpServer.h"
#include "Fixtures.h"

#include <QByteArray>
#include <QDate>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QString>

#include <vector>

namespace km::test {

/**
 * EVE Ref's killmail files over real HTTP/1.1 (see FakeHttpServer): GET /killmails/totals.json (`{"YYYYMMDD":
 * count}`) and GET /killmails/YYYY/killmails-YYYY-MM-DD.tar.bz2, real bzip2'd tar archives built from the killmails
 * added, one per UTC day of their killmail_time. Unknown paths answer 404. Scripted answers take precedence.
 */
class FakeEveRef : public FakeHttpServer {
    Q_OBJECT
public:
    explicit FakeEveRef(QObject* parent = nullptr);

    /// Files each killmail under its day: that day's archive holds it and totals.json counts it.
    void addKillmails(const std::vector<EsiFixture>& killmails);
    /// Keeps the day in totals.json but answers 404 for its archive, as while EVE Ref has not built it.
    void withholdArchive(QDate day);
    /// Serves `body` as the day's archive instead of the one built from its killmails; the total stays.
    void replaceArchive(QDate day, const QByteArray& body);
    /// Writes totals.json's days as YYYY-MM-DD instead of EVE Ref's YYYYMMDD.
    void setDashedTotals(bool dashed);

    /// The archive EVE Ref builds for `killmails`: `killmails/<id>.json` members holding the ESI body plus
    /// `killmail_hash` and `http_last_modified`, tar, bzip2.
    static QByteArray buildArchive(const std::vector<EsiFixture>& killmails);
    /// "/killmails/2024/killmails-2024-01-01.tar.bz2".
    static QString archivePath(QDate day);
    /// The UTC day of the killmail's killmail_time.
    static QDate dayOf(const EsiFixture& killmail);
    /// `killmails` by day.
    static QMap<QDate, std::vector<EsiFixture>> byDay(const std::vector<EsiFixture>& killmails);

protected:
    Answer route(const Request& request) override;

private:
    [[nodiscard]] QByteArray totalsJson() const;

    QMap<QDate, std::vector<EsiFixture>> m_days;
    QSet<QDate> m_withheld;
    QHash<QDate, QByteArray> m_replaced;
    bool m_dashed = false;
};

} // namespace km::test
