#include "settings/ConnectionTester.h"

#include "runtime/DatabaseThread.h"
#include "storage/Database.h"

#include <QPointer>

namespace km::ui {

void ConnectionTester::test(const DatabaseUrl& url)
{
    if (m_testing) {
        return;
    }
    m_testing = true;
    // Not a child of the tester: closing the dialog must not wait for a server that keeps the attempt waiting.
    auto* thread = new DatabaseThread(url);
    const QPointer<ConnectionTester> self(this);
    const QString shown = url.redacted();
    const QString password = url.password;
    thread->run<QVariant>([](Database& database) { return database.scalar(QStringLiteral("SELECT 1")); })
        .then(thread,
              [self, thread, shown](const QVariant&) {
                  thread->deleteLater();
                  if (self) {
                      self->report(true, tr("Connected to %1").arg(shown));
                  }
              })
        .onFailed(thread, [self, thread, password](const std::exception& error) {
            thread->deleteLater();
            QString message = QString::fromStdString(error.what());
            if (!password.isEmpty()) {
                message.replace(password, QStringLiteral("***"));
            }
            if (self) {
                self->report(false, tr("Cannot connect: %1").arg(message));
            }
        });
}

void ConnectionTester::report(bool connected, const QString& message)
{
    m_testing = false;
    Q_EMIT finished(connected, message);
}

} // namespace km::ui
