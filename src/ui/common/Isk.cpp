#include "common/Isk.h"

#include <array>
#include <cmath>

namespace km::ui {
namespace {

struct Unit {
    char16_t suffix;
    double size;
};
constexpr std::array<Unit, 4> units{{{u't', 1e12}, {u'b', 1e9}, {u'm', 1e6}, {u'k', 1e3}}};

} // namespace

QString shortIsk(double isk)
{
    for (const Unit& unit : units) {
        if (std::abs(isk) >= unit.size) {
            const double scaled = isk / unit.size;
            // Three significant digits at most, without trailing zeros: 1.2b, 12.5b, 125b.
            const int decimals = std::abs(scaled) >= 100 ? 0 : (std::abs(scaled) >= 10 ? 1 : 2);
            QString number = QString::number(scaled, 'f', decimals);
            if (number.contains(u'.')) {
                while (number.endsWith(u'0')) {
                    number.chop(1);
                }
                if (number.endsWith(u'.')) {
                    number.chop(1);
                }
            }
            return number + unit.suffix;
        }
    }
    return QString::number(isk, 'f', 0);
}

std::optional<double> parseShortIsk(const QString& text)
{
    QString number = text.trimmed().toLower();
    double factor = 1;
    for (const Unit& unit : units) {
        if (number.endsWith(unit.suffix)) {
            factor = unit.size;
            number.chop(1);
            break;
        }
    }
    bool ok = false;
    const double value = number.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 0) {
        return std::nullopt;
    }
    return value * factor;
}

} // namespace km::ui
