#include "sources/EveKillBackfill.h"

#include "net/HttpClient.h"
#include "sources/EveKillDocument.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace km {
namespace {

const QString filterKey = QStringLiteral("filter");
const QString skipKey = QStringLiteral("skip");

/// Sorted, without duplicates; nullopt when empty (EVE-KILL refuses an empty list).
std::optional<QJsonArray> idList(QList<qint64> ids)
{
    if (ids.isEmpty()) {
        return std::nullopt;
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    QJsonArray list;
    for (const qint64 id : ids) {
        list.append(id);
    }
    return list;
}

QString cursorText(const QString& fingerprint, qint64 skip)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{filterKey, fingerprint}, {skipKey, skip}}).toJson(QJsonDocument::Compact));
}

} // namespace

EveKillBackfill::EveKillBackfill(EveKillBackfillSettings settings, SourceContext context, QObject* parent)
    : Source(sourceName, context, parent)
    , m_settings(std::move(settings))
    , m_backoff(m_settings.backoffInitial, m_settings.backoffMax)
{
}

QJsonObject EveKillBackfill::filter() const
{
    QJsonObject filter;
    const std::pair<QString, const QList<qint64>*> lists[] = {
        {QStringLiteral("character_ids"), &m_settings.characters},
        {QStringLiteral("corporation_ids"), &m_settings.corporations},
        {QStringLiteral("alliance_ids"), &m_settings.alliances}};
    for (const auto& [key, ids] : lists) {
        if (const auto list = idList(*ids)) {
            filter.insert(key, *list);
        }
    }
    return filter;
}

QString EveKillBackfill::filterFingerprint() const
{
    // QJsonObject keeps its keys sorted, so the compact text is canonical.
    const QByteArray canonical = QJsonDocument(filter()).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256).toHex());
}

QCoro::Task<> EveKillBackfill::run()
{
    const QJsonObject filter = this->filter();
    if (filter.isEmpty()) {
        recordError(QStringLiteral("not started: no character, corporation or alliance to export killmails for"));
        co_return;
    }
    const QString fingerprint = filterFingerprint();
    const std::optional<qint64> resumed = co_await startingSkip(fingerprint);
    if (!resumed) {
        co_return;
    }
    qint64 skip = *resumed;
    setProgress(skip, 0);
    int pages = 0;
    int malformed = 0;
    const QUrl url = joinUrl(m_settings.baseUrl, QStringLiteral("api/export/killmails"));
    while (!stopping()) {
        const HttpReply reply = co_await context().http.post(url, request(filter, skip));
        if (stopping()) {
            break;
        }
        const QString unfinished =
            QStringLiteral("stopped unfinished (a re-run resumes after the first %1 killmail(s)): ").arg(skip);
        if (!reply.status.good()) {
            if (!reply.status.transient()) {
                recordError(unfinished + reply.status.message);
                co_return;
            }
            const std::chrono::milliseconds wait = std::max<std::chrono::milliseconds>(
                reply.status.retryAfter.value_or(std::chrono::seconds(0)), m_backoff.next());
            if (const bool going = co_await backOff(wait, reply.status.message); !going) {
                break;
            }
            continue;
        }
        QString problem;
        std::optional<Page> page = readPage(reply, skip, m_settings.pageSize, problem);
        for (const QString& rejected : page ? page->rejected : QStringList()) {
            recordError(rejected);
        }
        if (!page) {
            if (++malformed > m_settings.malformedRetries) {
                recordError(unfinished + problem);
                co_return;
            }
            if (const bool going = co_await backOff(m_backoff.next(), problem); !going) {
                break;
            }
            continue;
        }
        malformed = 0;
        if (!deliver(page->killmails, cursorText(fingerprint, skip + page->size))) { // deliver() recorded why
            if (const bool going = co_await waitToRetry(m_backoff.next()); !going) {
                break;
            }
            continue;
        }
        m_backoff.reset();
        skip += page->size;
        ++pages;
        setProgress(skip, page->total.value_or(0));
        if (page->last) {
            setDetail(QStringLiteral("finished: %1 killmail(s) read").arg(skip));
            setState(SourceState::Finished);
            co_return;
        }
        setState(SourceState::Running);
        setDetail(QStringLiteral("%1 killmail(s) read, %2 page(s) this run").arg(skip).arg(pages));
    }
}

QCoro::Task<std::optional<qint64>> EveKillBackfill::startingSkip(QString fingerprint)
{
    const std::optional<QString> cursor = co_await savedCursor();
    if (stopping()) {
        co_return std::nullopt;
    }
    if (!cursor) {
        co_return 0;
    }
    const QJsonObject saved = QJsonDocument::fromJson(cursor->toUtf8()).object();
    const QJsonValue skip = saved.value(skipKey);
    if (!saved.value(filterKey).isString() || skip.toInteger(-1) < 0) {
        recordError(QStringLiteral("the saved cursor %1 is not one of ours: starting over").arg(cursor->left(200)));
        co_return 0;
    }
    if (saved.value(filterKey).toString() != fingerprint) {
        setDetail(QStringLiteral("another filter than last time: starting over"));
        co_return 0;
    }
    setDetail(QStringLiteral("resuming after the first %1 killmail(s)").arg(skip.toInteger()));
    co_return skip.toInteger();
}

QByteArray EveKillBackfill::request(const QJsonObject& filter, qint64 skip) const
{
    const QJsonObject options{{QStringLiteral("limit"), m_settings.pageSize}, {skipKey, skip}};
    return QJsonDocument(QJsonObject{{filterKey, filter}, {QStringLiteral("options"), options}})
        .toJson(QJsonDocument::Compact);
}

std::optional<EveKillBackfill::Page> EveKillBackfill::readPage(const HttpReply& reply, qint64 skip, int pageSize,
                                                               QString& problem)
{
    const QString what = QStringLiteral("the export page after the first %1 killmail(s)").arg(skip);
    const std::optional<QJsonDocument> document = reply.json(what, problem);
    if (!document) {
        return std::nullopt;
    }
    const QJsonObject answer = document->object();
    const QJsonValue data =
        document->isArray() ? QJsonValue(document->array()) : answer.value(QLatin1StringView("data"));
    if (!data.isArray()) {
        problem = QStringLiteral("%1: expected {\"data\": [killmails...]} or an array of killmails").arg(what);
        return std::nullopt;
    }
    const QJsonArray documents = data.toArray();
    Page page;
    page.size = documents.size();
    for (qsizetype index = 0; index < documents.size(); ++index) {
        QString rejected;
        if (const auto killmail = EveKillDocument::reference(documents[index], rejected)) {
            page.killmails.push_back(
                KillmailJob{killmail->killmailId, killmail->hash, sourceName, QByteArray(), Priority::Normal});
        } else {
            page.rejected << QStringLiteral("%1, document %2: %3").arg(what).arg(index).arg(rejected);
        }
    }
    const QJsonValue hasMore =
        answer.value(QLatin1StringView("pagination")).toObject().value(QLatin1StringView("hasMore"));
    page.last = documents.isEmpty() || (hasMore.isBool() ? !hasMore.toBool() : page.size < pageSize);
    // A count that is no whole number of qint64's range (1e300, -5, 2.5) is no count
    if (const qint64 total = answer.value(QLatin1StringView("total")).toInteger(-1); total >= 0) {
        page.total = total;
    }
    return page;
}

} // namespace km
