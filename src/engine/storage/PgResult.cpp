#include "storage/PgResult.h"

#include "storage/StorageError.h"

#include <QString>

#include <charconv>
#include <cstdio>
#include <vector>

namespace km::pg {
namespace {

[[noreturn]] void fail(PGconn* connection, const char* what, const PGresult* result = nullptr)
{
    const QString message =
        QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(connection)).trimmed();
    const QString text = QStringLiteral("database error while trying to %1: %2").arg(QString::fromUtf8(what), message);
    if (PQstatus(connection) != CONNECTION_OK
        || (result && isDatabaseWide(PQresultErrorField(result, PG_DIAG_SQLSTATE)))) {
        throw DatabaseUnavailable(text);
    }
    throw StorageError(text);
}

} // namespace

bool isDatabaseWide(QByteArrayView sqlState)
{
    return sqlState.startsWith("08") || sqlState.startsWith("40") || sqlState.startsWith("53")
        || sqlState.startsWith("57") || sqlState.startsWith("58") || sqlState == "25006";
}

Result exec(PGconn* connection, const QByteArray& sql, const QList<QByteArray>& parameters, const char* what)
{
    std::vector<const char*> values;
    values.reserve(parameters.size());
    for (const QByteArray& parameter : parameters) {
        values.push_back(parameter.constData());
    }
    Result result(
        PQexecParams(connection, sql.constData(), int(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        fail(connection, what, result.get());
    }
    return result;
}

void copyIn(PGconn* connection, const QByteArray& copyStatement, const QByteArray& data, const char* what)
{
    Result start(PQexec(connection, copyStatement.constData()));
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) {
        fail(connection, what, start.get());
    }
    constexpr qsizetype chunk = 1 << 20;
    for (qsizetype offset = 0; offset < data.size(); offset += chunk) {
        const qsizetype length = std::min(chunk, data.size() - offset);
        if (PQputCopyData(connection, data.constData() + offset, int(length)) != 1) {
            fail(connection, what);
        }
    }
    if (PQputCopyEnd(connection, nullptr) != 1) {
        fail(connection, what);
    }
    Result failure;
    while (Result result{PQgetResult(connection)}) {
        if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
            failure = std::move(result);
        }
    }
    if (failure) {
        fail(connection, what, failure.get());
    }
}

void CopyBuffer::separate()
{
    if (m_rowStarted) {
        m_data += '\t';
    }
    m_rowStarted = true;
}

void CopyBuffer::addNull()
{
    separate();
    m_data += "\\N";
}

void CopyBuffer::addInteger(std::int64_t value)
{
    separate();
    char buffer[24];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_data.append(buffer, end - buffer);
}

void CopyBuffer::addDouble(double value)
{
    separate();
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_data.append(buffer, end - buffer);
}

void CopyBuffer::addMoney(double value)
{
    separate();
    char buffer[48];
    const int length = std::snprintf(buffer, sizeof buffer, "%.2f", value);
    m_data.append(buffer, length);
}

void CopyBuffer::addBool(bool value)
{
    separate();
    m_data += value ? 't' : 'f';
}

void CopyBuffer::addText(const QByteArray& value)
{
    separate();
    for (const char c : value) {
        switch (c) {
        case '\\': m_data += "\\\\"; break;
        case '\t': m_data += "\\t"; break;
        case '\n': m_data += "\\n"; break;
        case '\r': m_data += "\\r"; break;
        default: m_data += c;
        }
    }
}

void CopyBuffer::endRow()
{
    m_data += '\n';
    m_rowStarted = false;
}

} // namespace km::pg
