#pragma once

#include "common/Names.h"
#include "processing/StoredKillmail.h"
#include "valuation/Valuation.h"

#include <QDialog>

class QLabel;
class QStandardItemModel;
class QTableView;
class QTreeView;

namespace km {
class DatabaseThread;
class NameLookup;
class StaticData;
struct ValuedKillmail;
} // namespace km

namespace km::ui {

class AttackerModel;

/**
 * One killmail in full, from what the engine handed over with it (nothing is read from the database): the victim,
 * the attackers with their share of the damage and the final blow, the items by slot with what was destroyed and
 * dropped, the four values, the flags, the zKillboard link, and "copy as JSON" (the ESI body with a zkb block, as
 * zKillboard's killstream sent it). With a NameLookup, characters, corporations and alliances are named once their
 * names are found (IDs until then). With a DatabaseThread, each item's value (its unit price at the kill's time, as
 * the engine's valuation takes it, times the quantity destroyed and dropped) and each slot's are shown once read.
 */
class KillmailDialog : public QDialog {
    Q_OBJECT
public:
    KillmailDialog(const StoredKillmail& killmail, const StaticData& staticData, NameLookup* names = nullptr,
                   DatabaseThread* database = nullptr, QWidget* parent = nullptr);

    [[nodiscard]] AttackerModel* attackers() const { return m_attackers; }
    /// The items by slot: one top-level row per slot, the items under it, their contents under them; the value
    /// column holds the value in ISK as ValueRole.
    [[nodiscard]] QStandardItemModel* items() const { return m_items; }
    [[nodiscard]] QLabel* summary() const { return m_summary; }
    [[nodiscard]] QLabel* values() const { return m_values; }
    [[nodiscard]] QLabel* link() const { return m_link; }
    /// What "Copy as JSON" puts on the clipboard.
    [[nodiscard]] QByteArray json() const { return m_json; }

    enum ItemColumn { ItemName, Destroyed, Dropped, ItemValue, ItemColumnCount };
    enum ItemRole {
        /// An item's value (its contents apart), a slot's (everything in it); in ISK, on the value column.
        ValueRole = Qt::UserRole + 1,
        /// An item's place in rows::forEachItem's order, on the name column.
        PositionRole,
    };

Q_SIGNALS:
    /// The item values were read and are shown.
    void itemValuesShown();
    /// The unit prices read, for showItemValues() from the event loop.
    void unitPricesRead(const km::UnitPrices& prices, QPrivateSignal);

private:
    void fillSummary();
    void askForNames(NameLookup& names);
    void addNames(EntityKind kind, const QHash<EntityId, EntityName>& names);
    void fillValues(const ValuedKillmail& valued);
    void fillItems(const Killmail& killmail);
    void readItemValues(DatabaseThread& database);
    void showItemValues(const UnitPrices& prices);
    [[nodiscard]] QTableView* attackerTable();
    [[nodiscard]] QTreeView* itemTree();

    const StaticData& m_staticData;
    std::shared_ptr<const ValuedKillmail> m_valued;
    KnownNames m_known;
    QLabel* m_summary;
    QLabel* m_values;
    QLabel* m_link;
    AttackerModel* m_attackers;
    QStandardItemModel* m_items;
    /// Per item, in rows::forEachItem's order: the quantity destroyed and dropped.
    std::vector<std::int64_t> m_quantities;
    QByteArray m_json;
};

} // namespace km::ui
