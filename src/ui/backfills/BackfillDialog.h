#pragma once

#include "sources/SourceHost.h"

#include <QDialog>

#include <optional>

class QComboBox;
class QDateEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace km {
struct EngineSettings;
struct ZkillboardBackfillSettings;
} // namespace km

namespace km::ui {

/// A backfill the operator asked for: what it is called in the job list, and how to make it.
struct BackfillRequest {
    QString kind;
    QString parameters;
    SourceFactory factory;
    /// False for EVE Ref, which stores the killmails itself rather than queueing them.
    bool queuesJobs = true;
};

/**
 * "New backfill": zKillboard's history or EVE Ref's archives over a range of days, or EVE-KILL for chosen
 * characters, corporations and alliances (its export has no date filter). The same settings as `backfills:*`, so
 * the same cursors: a backfill cancelled here or on the command line resumes in either. OK stays disabled, with the
 * reason shown, while the choices cannot make a backfill.
 */
class BackfillDialog : public QDialog {
    Q_OBJECT
public:
    enum Source { ZkillboardHistory, EveKill, EveRef };

    BackfillDialog(const EngineSettings& settings, QWidget* parent = nullptr);

    void setSource(Source source);
    void setDays(QDate first, QDate last);
    /// IDs separated by spaces or commas.
    void setEntities(const QString& characters, const QString& corporations, const QString& alliances);

    /// Why the choices cannot make a backfill; empty when they can.
    [[nodiscard]] QString problem() const;
    /// The backfill chosen; nullopt while problem() is not empty.
    [[nodiscard]] std::optional<BackfillRequest> request() const;

private:
    void validate();
    [[nodiscard]] ZkillboardBackfillSettings zkillboardSettings() const;
    /// The IDs typed into `field`; nullopt with `problem` set when one is not a positive number.
    std::optional<QList<qint64>> ids(const QLineEdit* field, const QString& what, QString& problem) const;

    const EngineSettings& m_settings;
    QComboBox* m_source;
    QDateEdit* m_first;
    QDateEdit* m_last;
    QLineEdit* m_characters;
    QLineEdit* m_corporations;
    QLineEdit* m_alliances;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace km::ui
