#include "PlaceholderWindow.h"

#include <QLabel>

namespace km::ui {

PlaceholderWindow::PlaceholderWindow(const QString& databaseUrl, QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Killmail Console"));
    auto* label = new QLabel(tr("<h2>Killmail Console</h2>"
                                "<p>The operator console is not built yet.</p>"
                                "<p>Database: <code>%1</code></p>"
                                "<p>Use the command line meanwhile: <code>killmail-console --help</code></p>")
                                 .arg(databaseUrl.toHtmlEscaped()),
                             this);
    label->setMargin(24);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    setCentralWidget(label);
    resize(560, 260);
}

} // namespace km::ui
