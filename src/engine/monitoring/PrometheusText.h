#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <concepts>
#include <type_traits>

namespace km {

/**
 * Builds a page in the Prometheus text exposition format, version 0.0.4. Declare a family with family(), then add
 * its samples with sample(); each sample belongs to the family declared (or selected again) last. The output always
 * keeps a family's samples together under one HELP and TYPE, whatever the order of the calls: declaring a family
 * that exists selects it again (its first type and help stay), and a sample of a series that exists (same labels)
 * replaces its value. Metric and label names are sanitised rather than refused (a character outside
 * `[a-zA-Z0-9_:]` becomes `_`, a leading digit gets a `_` before it), so a name made from data can never break
 * the page. Samples carry no timestamps: Prometheus stamps them with the scrape time.
 */
class PrometheusText {
public:
    enum class Type { Counter, Gauge };

    struct Label {
        QByteArray name;
        QString value;
    };
    using Labels = QList<Label>;

    /// Declares a family (or selects it again) for the samples that follow.
    PrometheusText& family(const QByteArray& name, Type type, const QString& help);

    PrometheusText& sample(double value, const Labels& labels = {});

    template <std::integral Integer>
    PrometheusText& sample(Integer value, const Labels& labels = {})
    {
        if constexpr (std::is_unsigned_v<Integer>) {
            return addSample(QByteArray::number(static_cast<quint64>(value)), labels);
        } else {
            return addSample(QByteArray::number(static_cast<qint64>(value)), labels);
        }
    }

    /// The page: every family in the order of its first declaration, each line ending with a newline.
    [[nodiscard]] QByteArray text() const;

    /// A number as the format writes it: integral values without exponent or decimals, `NaN`, `+Inf`, `-Inf`.
    [[nodiscard]] static QByteArray formatNumber(double value);

private:
    struct Series {
        QByteArray labels;
        QByteArray value;
    };
    struct Family {
        QByteArray name;
        Type type;
        QString help;
        QList<Series> series;
    };

    PrometheusText& addSample(const QByteArray& value, const Labels& labels);

    QList<Family> m_families;
    qsizetype m_current = -1;
};

} // namespace km
