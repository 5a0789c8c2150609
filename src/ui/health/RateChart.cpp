#include "health/RateChart.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace km::ui {
namespace {

/// `value` rounded up to 1, 2 or 5 times a power of ten (at least 1).
double niceCeiling(double value)
{
    if (value <= 1.0) {
        return 1.0;
    }
    const double power = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= step * power) {
            return step * power;
        }
    }
    return 10.0 * power;
}

QString rateText(double rate) { return QLocale().toString(rate, 'f', rate < 10.0 ? 2 : 0); }

} // namespace

RateChart::RateChart(QString title, QWidget* parent)
    : QWidget(parent)
    , m_title(std::move(title))
{
    setAccessibleName(m_title);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void RateChart::setPoints(std::vector<RatePoint> points, qint64 endMsecs, std::chrono::milliseconds window)
{
    m_points = std::move(points);
    m_endMsecs = endMsecs;
    m_window = window;
    update();
}

double RateChart::scaleTop() const
{
    const auto highest =
        std::max_element(m_points.cbegin(), m_points.cend(),
                         [](const RatePoint& a, const RatePoint& b) { return a.perSecond < b.perSecond; });
    return niceCeiling(highest == m_points.cend() ? 0.0 : highest->perSecond);
}

QSize RateChart::sizeHint() const { return {420, 160}; }

QSize RateChart::minimumSizeHint() const { return {220, 110}; }

QString RateChart::windowText() const
{
    return tr("-%1 min").arg(std::chrono::duration_cast<std::chrono::minutes>(m_window).count());
}

void RateChart::paintEvent(QPaintEvent* /*event*/)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette& colours = palette();
    const QFontMetrics metrics = fontMetrics();
    painter.fillRect(rect(), colours.base());

    const QString newest = m_points.empty() ? tr("no data yet") : rateText(m_points.back().perSecond);
    painter.setPen(colours.color(QPalette::Text));
    const int line = metrics.height();
    painter.drawText(QRect(6, 2, width() - 12, line), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("%1: %2").arg(m_title, newest));

    const double top = scaleTop();
    const QString topText = QLocale().toString(top);
    const int labelWidth = metrics.horizontalAdvance(topText) + 8;
    const QRectF plot(labelWidth, line + 8, width() - labelWidth - 8, height() - 2 * line - 14);
    if (plot.width() < 10 || plot.height() < 10) {
        return;
    }

    QPen grid(colours.color(QPalette::Mid));
    grid.setStyle(Qt::DotLine);
    painter.setPen(grid);
    for (const double share : {0.0, 0.5, 1.0}) {
        const double y = plot.bottom() - share * plot.height();
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    painter.setPen(colours.color(QPalette::PlaceholderText));
    painter.drawText(QRectF(0, plot.top() - line / 2.0, labelWidth - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                     topText);
    painter.drawText(QRectF(0, plot.bottom() - line / 2.0, labelWidth - 4, line), Qt::AlignRight | Qt::AlignVCenter,
                     QStringLiteral("0"));
    painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), line), Qt::AlignLeft | Qt::AlignTop,
                     windowText());
    painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), line), Qt::AlignRight | Qt::AlignTop,
                     tr("now"));

    if (m_points.empty()) {
        return;
    }
    const auto start = double(m_endMsecs - m_window.count());
    const auto at = [&](const RatePoint& point) {
        const double x =
            plot.left() + (double(point.msecsSinceEpoch) - start) / double(m_window.count()) * plot.width();
        return QPointF(std::clamp(x, plot.left(), plot.right()), plot.bottom() - point.perSecond / top * plot.height());
    };
    QPainterPath path(at(m_points.front()));
    for (const RatePoint& point : m_points) {
        path.lineTo(at(point));
    }
    QPainterPath area = path;
    area.lineTo(at(m_points.back()).x(), plot.bottom());
    area.lineTo(at(m_points.front()).x(), plot.bottom());
    area.closeSubpath();
    QColor fill = colours.color(QPalette::Highlight);
    fill.setAlpha(60);
    painter.fillPath(area, fill);
    painter.setPen(QPen(colours.color(QPalette::Highlight), 1.5));
    painter.drawPath(path);
}

} // namespace km::ui
