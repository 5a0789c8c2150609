#pragma once

#include "monitoring/RateHistory.h"

#include <QWidget>

#include <chrono>
#include <vector>

namespace km::ui {

/**
 * A line chart of one rate over a stretch of time, drawn with QPainter in the palette's colours: the line and the
 * area under it, the scale's top, the stretch shown and the newest value. A few hundred points redrawn once a second
 * need no more (Qt Charts would be a dependency for one line).
 */
class RateChart : public QWidget {
    Q_OBJECT
public:
    /// `title` names the rate ("Killmails/s").
    explicit RateChart(QString title, QWidget* parent = nullptr);

    /// Shows `points` over the `window` that ends at `endMsecs` (the newest sample).
    void setPoints(std::vector<RatePoint> points, qint64 endMsecs, std::chrono::milliseconds window);
    [[nodiscard]] const std::vector<RatePoint>& points() const { return m_points; }
    /// The top of the scale: the highest rate shown, rounded up to 1, 2 or 5 times a power of ten.
    [[nodiscard]] double scaleTop() const;

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    [[nodiscard]] QString windowText() const;

    QString m_title;
    std::vector<RatePoint> m_points;
    qint64 m_endMsecs = 0;
    std::chrono::milliseconds m_window{std::chrono::minutes(5)};
};

} // namespace km::ui
