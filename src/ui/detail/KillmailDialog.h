#pragma once

#include "processing/StoredKillmail.h"

#include <QDialog>

class QLabel;
class QTreeWidget;

namespace km {
class StaticData;
struct ValuedKillmail;
} // namespace km

namespace km::ui {

/**
 * One killmail in full, from what the engine handed over with it (nothing is read from the database): the victim,
 * the attackers with their share of the damage and the final blow, the items by slot with what was destroyed and
 * dropped, the four values, the flags, the zKillboard link, and "copy as JSON" (the ESI body with a zkb block, as
 * zKillboard's killstream sent it).
 */
class KillmailDialog : public QDialog {
    Q_OBJECT
public:
    KillmailDialog(const StoredKillmail& killmail, const StaticData& staticData, QWidget* parent = nullptr);

    [[nodiscard]] QTreeWidget* attackers() const { return m_attackers; }
    [[nodiscard]] QTreeWidget* items() const { return m_items; }
    [[nodiscard]] QLabel* summary() const { return m_summary; }
    [[nodiscard]] QLabel* values() const { return m_values; }
    [[nodiscard]] QLabel* link() const { return m_link; }
    /// What "Copy as JSON" puts on the clipboard.
    [[nodiscard]] QByteArray json() const { return m_json; }

    enum AttackerColumn { AttackerName, AttackerCorporation, AttackerShip, AttackerWeapon, Damage, Share, FinalBlow };
    enum ItemColumn { ItemName, Destroyed, Dropped };

private:
    void fillSummary(const ValuedKillmail& valued);
    void fillValues(const ValuedKillmail& valued);
    void fillAttackers(const Killmail& killmail);
    void fillItems(const Killmail& killmail);
    [[nodiscard]] QString typeName(int typeId) const;
    [[nodiscard]] QString entityText(std::optional<EntityId> character, std::optional<EntityId> corporation,
                                     std::optional<EntityId> faction) const;

    const StaticData& m_staticData;
    QLabel* m_summary;
    QLabel* m_values;
    QLabel* m_link;
    QTreeWidget* m_attackers;
    QTreeWidget* m_items;
    QByteArray m_json;
};

} // namespace km::ui
