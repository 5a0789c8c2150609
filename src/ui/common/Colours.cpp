#include "common/Colours.h"

#include <QPalette>

#include <algorithm>
#include <cmath>

namespace km::ui {
namespace {

double relativeLuminance(const QColor& colour)
{
    const auto channel = [](float value) {
        return value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
    };
    const QColor rgb = colour.toRgb();
    return 0.2126 * channel(rgb.redF()) + 0.7152 * channel(rgb.greenF()) + 0.0722 * channel(rgb.blueF());
}

} // namespace

double contrastRatio(const QColor& a, const QColor& b)
{
    const double first = relativeLuminance(a);
    const double second = relativeLuminance(b);
    return (std::max(first, second) + 0.05) / (std::min(first, second) + 0.05);
}

QColor readableOn(const QColor& colour, const QPalette& palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor alternate = palette.color(QPalette::AlternateBase);
    const bool darkRows = relativeLuminance(base) < 0.5;
    QColor readable = colour.toHsl();
    // Lightness moves in small steps to black or white, both of which stand out against rows of the other kind.
    for (int step = 0; step < 64; ++step) {
        if (std::min(contrastRatio(readable, base), contrastRatio(readable, alternate)) >= minimumContrast) {
            break;
        }
        const float lightness = readable.lightnessF();
        readable.setHslF(readable.hslHueF(), readable.hslSaturationF(),
                         darkRows ? std::min(1.0F, lightness + 0.02F) : std::max(0.0F, lightness - 0.02F));
    }
    return readable.toRgb();
}

} // namespace km::ui
