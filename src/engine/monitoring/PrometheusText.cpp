#include "monitoring/PrometheusText.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace km {
namespace {

bool isNameCharacter(char c, bool colonAllowed)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
        || (colonAllowed && c == ':');
}

/// Metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`.
QByteArray sanitisedName(const QByteArray& name, bool colonAllowed)
{
    QByteArray result = name;
    for (char& c : result) {
        if (!isNameCharacter(c, colonAllowed)) {
            c = '_';
        }
    }
    if (result.isEmpty() || (result.front() >= '0' && result.front() <= '9')) {
        result.prepend('_');
    }
    return result;
}

QByteArray escapedHelp(const QString& help)
{
    QByteArray result;
    for (const char c : help.toUtf8()) {
        switch (c) {
        case '\\': result += "\\\\"; break;
        case '\n': result += "\\n"; break;
        default: result += c;
        }
    }
    return result;
}

QByteArray escapedLabelValue(const QString& value)
{
    QByteArray result;
    for (const char c : value.toUtf8()) {
        switch (c) {
        case '\\': result += "\\\\"; break;
        case '"': result += "\\\""; break;
        case '\n': result += "\\n"; break;
        default: result += c;
        }
    }
    return result;
}

QByteArray labelText(const PrometheusText::Labels& labels)
{
    if (labels.isEmpty()) {
        return {};
    }
    QByteArray text = "{";
    for (const PrometheusText::Label& label : labels) {
        if (text.size() > 1) {
            text += ',';
        }
        text += sanitisedName(label.name, false) + "=\"" + escapedLabelValue(label.value) + '"';
    }
    return text + '}';
}

} // namespace

PrometheusText& PrometheusText::family(const QByteArray& name, Type type, const QString& help)
{
    const QByteArray metricName = sanitisedName(name, true);
    const auto existing = std::find_if(m_families.cbegin(), m_families.cend(),
                                       [&](const Family& family) { return family.name == metricName; });
    if (existing != m_families.cend()) {
        m_current = existing - m_families.cbegin();
    } else {
        m_families.append({metricName, type, help, {}});
        m_current = m_families.size() - 1;
    }
    return *this;
}

PrometheusText& PrometheusText::sample(double value, const Labels& labels)
{
    return addSample(formatNumber(value), labels);
}

PrometheusText& PrometheusText::addSample(const QByteArray& value, const Labels& labels)
{
    Q_ASSERT_X(m_current >= 0, "PrometheusText::sample", "a sample before any family()");
    if (m_current < 0) {
        return *this;
    }
    QList<Series>& series = m_families[m_current].series;
    const QByteArray text = labelText(labels);
    const auto existing =
        std::find_if(series.begin(), series.end(), [&](const Series& entry) { return entry.labels == text; });
    if (existing != series.end()) {
        existing->value = value;
    } else {
        series.append({text, value});
    }
    return *this;
}

QByteArray PrometheusText::text() const
{
    QByteArray page;
    for (const Family& family : m_families) {
        page += "# HELP " + family.name + ' ' + escapedHelp(family.help) + '\n';
        page += "# TYPE " + family.name + (family.type == Type::Counter ? " counter\n" : " gauge\n");
        for (const Series& series : family.series) {
            page += family.name + series.labels + ' ' + series.value + '\n';
        }
    }
    return page;
}

QByteArray PrometheusText::formatNumber(double value)
{
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    constexpr double exactIntegers = 9007199254740992.0; // 2^53: every integer up to it is exact in a double
    if (std::trunc(value) == value && std::abs(value) < exactIntegers) {
        return QByteArray::number(static_cast<qint64>(value));
    }
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace km
