#include "util/UtcTime.h"

#include <cstdio>

namespace km::utc {
namespace {

constexpr std::int64_t secondsPerDay = 86400;

bool readDigits(QStringView text, qsizetype& pos, int count, int& value)
{
    if (pos + count > text.size()) {
        return false;
    }
    value = 0;
    for (int i = 0; i < count; ++i) {
        const QChar c = text[pos + i];
        if (c < u'0' || c > u'9') {
            return false;
        }
        value = value * 10 + (c.unicode() - u'0');
    }
    pos += count;
    return true;
}

bool expect(QStringView text, qsizetype& pos, QChar c)
{
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

std::optional<UnixTime> compose(int year, int month, int day, int hour, int minute, int second)
{
    const QDate date(year, month, day);
    if (!date.isValid() || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    return startOfDay(date) + UnixTime(hour) * 3600 + UnixTime(minute) * 60 + second;
}

} // namespace

std::optional<UnixTime> parseIso8601(QStringView text)
{
    qsizetype pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!readDigits(text, pos, 4, year) || !expect(text, pos, u'-') || !readDigits(text, pos, 2, month)
        || !expect(text, pos, u'-') || !readDigits(text, pos, 2, day)
        || !(expect(text, pos, u'T') || expect(text, pos, u' ')) || !readDigits(text, pos, 2, hour)
        || !expect(text, pos, u':') || !readDigits(text, pos, 2, minute) || !expect(text, pos, u':')
        || !readDigits(text, pos, 2, second)) {
        return std::nullopt;
    }
    if (expect(text, pos, u'.')) {
        while (pos < text.size() && text[pos].isDigit()) {
            ++pos;
        }
    }
    const QStringView zone = text.mid(pos);
    if (!zone.isEmpty() && zone != u"Z" && zone != u"+00:00" && zone != u"+0000") {
        return std::nullopt;
    }
    return compose(year, month, day, hour, minute, second);
}

QByteArray toSqlTimestamp(UnixTime time)
{
    const QDate date = dateOf(time);
    const std::int64_t secondOfDay = time - startOfDay(date);
    char buffer[32];
    const int length =
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d", date.year(), date.month(), date.day(),
                      int(secondOfDay / 3600), int(secondOfDay / 60 % 60), int(secondOfDay % 60));
    return QByteArray(buffer, length);
}

std::optional<UnixTime> fromSqlTimestamp(QStringView text)
{
    if (text.size() == 10) {
        int year = 0, month = 0, day = 0;
        qsizetype pos = 0;
        if (readDigits(text, pos, 4, year) && expect(text, pos, u'-') && readDigits(text, pos, 2, month)
            && expect(text, pos, u'-') && readDigits(text, pos, 2, day)) {
            return compose(year, month, day, 0, 0, 0);
        }
        return std::nullopt;
    }
    return parseIso8601(text);
}

QDate dateOf(UnixTime time)
{
    std::int64_t days = time / secondsPerDay;
    if (time % secondsPerDay < 0) {
        --days;
    }
    return QDate(1970, 1, 1).addDays(days);
}

UnixTime startOfDay(QDate date) { return QDate(1970, 1, 1).daysTo(date) * secondsPerDay; }

QDate monthOf(UnixTime time)
{
    const QDate date = dateOf(time);
    return QDate(date.year(), date.month(), 1);
}

} // namespace km::utc
