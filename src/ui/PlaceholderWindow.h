#pragma once

#include <QMainWindow>

namespace km::ui {

/// Stands in for the operator console until it is built: says what the program can do today.
class PlaceholderWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit PlaceholderWindow(const QString& databaseUrl, QWidget* parent = nullptr);
};

} // namespace km::ui
