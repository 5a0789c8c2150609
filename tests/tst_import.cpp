#include <QTest>
class T : public QObject { Q_OBJECT };
int main(int, char**) { return 0; }
#include "tst_import.moc"
