#pragma once

#include <QColor>

class QPalette;

namespace km::ui {

/// The WCAG 2 contrast ratio of two colours: 1 (the same) to 21 (black on white).
double contrastRatio(const QColor& a, const QColor& b);

/// The least contrast the console gives coloured text against the rows it is drawn on (WCAG's for large text and
/// user interface parts).
constexpr double minimumContrast = 3.0;

/**
 * `colour` as coloured text on the views' rows (the palette's base and alternate base): the same hue, its lightness
 * moved away from the rows' (darker on a light palette, lighter on a dark one) until it has minimumContrast against
 * both. A colour that is readable already is returned as it is.
 */
QColor readableOn(const QColor& colour, const QPalette& palette);

} // namespace km::ui
