#include "staticdata/SdeRefresher.h"

#include "net/HttpClient.h"
#include "staticdata/StaticData.h"
#include "util/Logging.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <archive.h>
#include <archive_entry.h>

#include <functional>
#include <map>
#include <memory>

namespace km {
namespace {

using Record = std::function<void(const QJsonObject&)>;

struct ArchiveDeleter {
    void operator()(archive* handle) const { archive_read_free(handle); }
};

/// A CSV field: quoted when it holds a comma, a quote or a line break.
QByteArray field(const QString& text)
{
    QByteArray bytes = text.toUtf8();
    if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r')) {
        bytes.replace('"', "\"\"");
        return '"' + bytes + '"';
    }
    return bytes;
}

QByteArray number(const QJsonValue& value)
{
    if (!value.isDouble()) {
        return {};
    }
    const double x = value.toDouble();
    return x == double(qint64(x)) ? QByteArray::number(qint64(x)) : QByteArray::number(x, 'g', 17);
}

/// The English name: the SDE writes names as {"en": ..., "de": ...}.
QString englishName(const QJsonValue& name)
{
    return name.isObject() ? name[QLatin1StringView("en")].toString() : name.toString();
}

QByteArray flag(const QJsonValue& value) { return value.toBool() ? "1" : "0"; }

QByteArray regionSpace(qint64 regionId)
{
    switch (regionId / 1'000'000) {
    case 11: return "wormhole";
    case 12: return "abyssal";
    case 14: return "void";
    default: return "eve";
    }
}

/// One CSV table being written: its header, then a line per record.
struct Table {
    QByteArray content;
    qsizetype rows = 0;

    void add(const QList<QByteArray>& fields)
    {
        content += fields.join(',') + '\n';
        ++rows;
    }
};

/// Feeds each JSON line of the current archive entry to `record`; false with `problem` when a line is not JSON.
bool readLines(archive* handle, const QString& entry, const Record& record, QString& problem)
{
    QByteArray pending;
    const auto consume = [&](QByteArrayView line) {
        if (line.trimmed().isEmpty()) {
            return true;
        }
        QJsonParseError error;
        const QJsonDocument json = QJsonDocument::fromJson(line.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError || !json.isObject()) {
            problem = QStringLiteral("%1: a line is not a JSON object (%2)").arg(entry, error.errorString());
            return false;
        }
        record(json.object());
        return true;
    };
    char buffer[1 << 16];
    for (;;) {
        const la_ssize_t size = archive_read_data(handle, buffer, sizeof buffer);
        if (size < 0) {
            problem = QStringLiteral("%1: %2").arg(entry, QString::fromUtf8(archive_error_string(handle)));
            return false;
        }
        if (size == 0) {
            return consume(pending);
        }
        pending.append(buffer, size);
        qsizetype start = 0;
        for (qsizetype end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
            if (!consume(QByteArrayView(pending).sliced(start, end - start))) {
                return false;
            }
            start = end + 1;
        }
        pending.remove(0, start);
    }
}

/// The tables the export's files become.
class Converter {
public:
    Converter()
    {
        m_tables["types.csv"].add({"typeID", "groupID", "name", "published", "basePrice", "marketGroupID"});
        m_tables["groups.csv"].add({"groupID", "categoryID", "name", "published"});
        m_tables["categories.csv"].add({"categoryID", "name", "published"});
        m_tables["solar_systems.csv"].add({"solarSystemID", "name", "constellationID", "regionID", "security"});
        m_tables["regions.csv"].add({"regionID", "name", "space"});
        m_tables["blueprint_materials.csv"].add(
            {"blueprintTypeID", "productTypeID", "productQuantity", "materialTypeID", "quantity"});
    }

    /// What reads each file of the export, by its name in the archive (any folder).
    std::map<QString, Record> readers()
    {
        const auto key = [](const QJsonObject& o) { return number(o[QLatin1StringView("_key")]); };
        const auto at = [](const QJsonObject& o, const char* name) { return o[QLatin1StringView(name)]; };
        return {
            {QStringLiteral("types.jsonl"),
             [=, this](const QJsonObject& o) {
                 table("types.csv")
                     .add({key(o), number(at(o, "groupID")), field(englishName(at(o, "name"))),
                           flag(at(o, "published")), number(at(o, "basePrice")), number(at(o, "marketGroupID"))});
             }},
            {QStringLiteral("groups.jsonl"),
             [=, this](const QJsonObject& o) {
                 table("groups.csv")
                     .add({key(o), number(at(o, "categoryID")), field(englishName(at(o, "name"))),
                           flag(at(o, "published"))});
             }},
            {QStringLiteral("categories.jsonl"),
             [=, this](const QJsonObject& o) {
                 table("categories.csv").add({key(o), field(englishName(at(o, "name"))), flag(at(o, "published"))});
             }},
            {QStringLiteral("mapSolarSystems.jsonl"),
             [=, this](const QJsonObject& o) {
                 table("solar_systems.csv")
                     .add({key(o), field(englishName(at(o, "name"))), number(at(o, "constellationID")),
                           number(at(o, "regionID")), number(at(o, "securityStatus"))});
             }},
            {QStringLiteral("mapRegions.jsonl"),
             [=, this](const QJsonObject& o) {
                 table("regions.csv")
                     .add({key(o), field(englishName(at(o, "name"))), regionSpace(key(o).toLongLong())});
             }},
            {QStringLiteral("blueprints.jsonl"), [=, this](const QJsonObject& o) { addBlueprint(key(o), o); }},
        };
    }

    Table& table(const char* name) { return m_tables[name]; }
    const std::map<QByteArray, Table>& tables() const { return m_tables; }

private:
    void addBlueprint(const QByteArray& blueprintId, const QJsonObject& blueprint)
    {
        const QJsonObject manufacturing =
            blueprint[QLatin1StringView("activities")][QLatin1StringView("manufacturing")].toObject();
        for (const QJsonValue product : manufacturing[QLatin1StringView("products")].toArray()) {
            for (const QJsonValue material : manufacturing[QLatin1StringView("materials")].toArray()) {
                table("blueprint_materials.csv")
                    .add({blueprintId, number(product[QLatin1StringView("typeID")]),
                          number(product[QLatin1StringView("quantity")]), number(material[QLatin1StringView("typeID")]),
                          number(material[QLatin1StringView("quantity")])});
            }
        }
    }

    std::map<QByteArray, Table> m_tables;
};

/// Reads every file of the export that `readers` names; false with `problem` when the archive cannot be read.
bool readExport(const QString& zipPath, std::map<QString, Record>& readers, QString& problem)
{
    const std::unique_ptr<archive, ArchiveDeleter> reader(archive_read_new());
    archive_read_support_format_zip(reader.get());
    if (archive_read_open_filename(reader.get(), QFile::encodeName(zipPath).constData(), 1 << 16) != ARCHIVE_OK) {
        problem = QStringLiteral("the SDE export is not a readable zip archive (%1)")
                      .arg(QString::fromUtf8(archive_error_string(reader.get())));
        return false;
    }
    archive_entry* entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
        const QString name = QString::fromUtf8(archive_entry_pathname(entry)).section(QLatin1Char('/'), -1);
        const auto wanted = readers.find(name);
        if (wanted == readers.end()) {
            continue;
        }
        if (!readLines(reader.get(), name, wanted->second, problem)) {
            return false;
        }
        readers.erase(wanted);
    }
    if (status != ARCHIVE_EOF) {
        problem = QStringLiteral("the SDE export is cut off or garbled (%1)")
                      .arg(QString::fromUtf8(archive_error_string(reader.get())));
        return false;
    }
    if (!readers.empty()) {
        QStringList missing;
        for (const auto& [name, reader] : readers) {
            missing << name;
        }
        problem = QStringLiteral("the SDE export lacks %1").arg(missing.join(QStringLiteral(", ")));
        return false;
    }
    return true;
}

/// Writes the folder's files next to `folder` and swaps it in; false with `problem` when a write fails.
bool replaceFolder(const QString& folder, const std::map<QString, QByteArray>& files, QString& problem)
{
    const QString fresh = folder + QStringLiteral(".new");
    const QString old = folder + QStringLiteral(".old");
    QDir(fresh).removeRecursively();
    QDir(old).removeRecursively();
    if (!QDir().mkpath(fresh)) {
        problem = QStringLiteral("cannot create %1").arg(fresh);
        return false;
    }
    for (const auto& [name, content] : files) {
        QFile file(fresh + u'/' + name);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.flush()) {
            problem = QStringLiteral("cannot write %1 (%2)").arg(file.fileName(), file.errorString());
            return false;
        }
    }
    if ((QDir(folder).exists() && !QDir().rename(folder, old)) || !QDir().rename(fresh, folder)) {
        problem = QStringLiteral("cannot replace %1 with %2").arg(folder, fresh);
        return false;
    }
    QDir(old).removeRecursively();
    return true;
}

} // namespace

SdeRefresher::SdeRefresher(HttpClient& http, QUrl baseUrl, QString dataFolder)
    : m_http(http)
    , m_baseUrl(std::move(baseUrl))
    , m_dataFolder(std::move(dataFolder))
{
}

QCoro::Task<SdeRefreshReport> SdeRefresher::refresh()
{
    SdeRefreshReport report;
    report.folder = m_dataFolder + QStringLiteral("/sde");
    const QString base = m_baseUrl.toString(QUrl::StripTrailingSlash);
    const HttpReply latest = co_await m_http.get(QUrl(base + QStringLiteral("/latest.jsonl")));
    if (!latest.status.good()) {
        report.errors << latest.status.message;
        co_return report;
    }
    for (const QByteArray& line : latest.body.split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (record[QLatin1StringView("_key")].toString() == QLatin1StringView("sde")) {
            report.build = QString::fromLatin1(number(record[QLatin1StringView("buildNumber")]));
        }
    }
    if (report.build.isEmpty()) {
        report.errors << QStringLiteral("%1/latest.jsonl names no SDE build (no record with _key \"sde\" and a "
                                        "buildNumber)")
                             .arg(base);
        co_return report;
    }
    QDir().mkpath(m_dataFolder);
    QTemporaryDir download(m_dataFolder + QStringLiteral("/sde-download-XXXXXX"));
    const QString zipPath = download.filePath(QStringLiteral("sde.zip"));
    const HttpReply zip = co_await m_http.download(
        QUrl(base + QStringLiteral("/eve-online-static-data-%1-jsonl.zip").arg(report.build)), zipPath);
    if (!zip.status.good()) {
        report.errors << zip.status.message;
        co_return report;
    }
    Converter converter;
    std::map<QString, Record> readers = converter.readers();
    QString problem;
    if (!readExport(zipPath, readers, problem)) {
        report.errors << problem;
        co_return report;
    }
    std::map<QString, QByteArray> files;
    for (const auto& [name, table] : converter.tables()) {
        if (table.rows < 2) {
            report.errors << QStringLiteral("the SDE export's data for %1 is empty").arg(QString::fromLatin1(name));
            co_return report;
        }
        files[QString::fromLatin1(name)] = table.content;
    }
    const QString current = StaticData::bundled().source();
    for (const QString& kept : StaticData::tableFiles()) {
        if (!files.count(kept)) {
            QFile file(current + u'/' + kept);
            if (!file.open(QIODevice::ReadOnly)) {
                report.errors << QStringLiteral("cannot read %1 to keep it").arg(file.fileName());
                co_return report;
            }
            files[kept] = file.readAll();
        }
    }
    if (!replaceFolder(report.folder, files, problem)) {
        report.errors << problem;
        co_return report;
    }
    report.types = converter.table("types.csv").rows - 1;
    report.groups = converter.table("groups.csv").rows - 1;
    report.blueprintMaterials = converter.table("blueprint_materials.csv").rows - 1;
    report.solarSystems = converter.table("solar_systems.csv").rows - 1;
    qCInfo(lcSde) << "static data of SDE build" << report.build << "written to" << report.folder;
    co_return report;
}

} // namespace km
