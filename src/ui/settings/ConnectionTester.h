#pragma once

#include <QObject>

namespace km {
struct DatabaseUrl;
}

namespace km::ui {

/**
 * Opens a connection to a database on a thread of its own (km::DatabaseThread) and says whether it worked, without
 * ever making the GUI thread wait: a PostgreSQL host that does not answer takes up to its connect_timeout. The
 * thread outlives the tester when the tester goes first, and ends once its connection attempt has.
 */
class ConnectionTester : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Starts a test; finished() follows. A second one while one runs is ignored.
    void test(const DatabaseUrl& url);
    [[nodiscard]] bool testing() const { return m_testing; }

Q_SIGNALS:
    /// `message` names the database (its password masked) or the error.
    void finished(bool connected, const QString& message);

private:
    void report(bool connected, const QString& message);

    bool m_testing = false;
};

} // namespace km::ui
