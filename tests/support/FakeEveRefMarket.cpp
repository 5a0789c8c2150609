#include "FakeEveRefMarket.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

namespace km::test {

FakeEveRefMarket::FakeEveRefMarket(QObject* parent)
    : FakeHttpServer(parent)
{
}

QUrl FakeEveRefMarket::marketHistoryUrl() const
{
    QUrl folder = url();
    folder.setPath(QStringLiteral("/market-history"));
    return folder;
}

QString FakeEveRefMarket::dayPath(QDate day)
{
    return QStringLiteral("/market-history/%1/market-history-%2.csv.bz2")
        .arg(day.year())
        .arg(day.toString(Qt::ISODate));
}

void FakeEveRefMarket::addDay(QDate day, const QByteArray& file, qint64 rows)
{
    const QMutexLocker lock(&mutex());
    m_days.insert(day, Day{file, rows});
}

bool FakeEveRefMarket::addDayFile(QDate day, const QString& path, qint64 rows)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return false;
    }
    addDay(day, file.readAll(), rows);
    return true;
}

FakeEveRefMarket::Answer FakeEveRefMarket::route(const Request& request)
{
    if (request.method != "GET") {
        return {405, errorBody(QStringLiteral("Method not allowed")), {}};
    }
    const QString path = request.route();
    if (path == QLatin1StringView("/market-history/totals.json")) {
        QJsonObject totals;
        for (auto day = m_days.cbegin(); day != m_days.cend(); ++day) {
            totals.insert(day.key().toString(Qt::ISODate), day->rows);
        }
        return {200, QJsonDocument(totals).toJson(QJsonDocument::Compact), {{"Content-Type", "application/json"}}};
    }
    for (auto day = m_days.cbegin(); day != m_days.cend(); ++day) {
        if (path == dayPath(day.key())) {
            return {200, day->file, {{"Content-Type", "application/x-bzip2"}}};
        }
    }
    return {404, QByteArrayLiteral("<html><body>404 Not Found</body></html>"), {{"Content-Type", "text/html"}}};
}

} // namespace km::test
