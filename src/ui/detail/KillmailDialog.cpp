#include "detail/KillmailDialog.h"

#include "common/Colours.h"
#include "common/Isk.h"
#include "common/Names.h"
#include "common/Tables.h"
#include "detail/AttackerModel.h"
#include "feed/FeedKillBuilder.h"
#include "processing/StoredKillmailReader.h"
#include "runtime/DatabaseThread.h"
#include "runtime/NameLookup.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailRows.h"
#include "storage/StorageError.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSet>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include <map>
#include <unordered_map>

namespace km::ui {
namespace {

QString iskText(double isk)
{
    return QCoreApplication::translate("km::ui::KillmailDialog", "%L1 ISK").arg(isk, 0, 'f', 2);
}

QString quantityText(std::int64_t quantity) { return quantity ? QLocale().toString(qint64(quantity)) : QString(); }

} // namespace

KillmailDialog::KillmailDialog(const StoredKillmail& killmail, const StaticData& staticData, NameLookup* names,
                               DatabaseThread* database, QWidget* parent)
    : QDialog(parent)
    , m_staticData(staticData)
    , m_valued(killmail.valued)
    , m_summary(new QLabel(this))
    , m_values(new QLabel(this))
    , m_link(new QLabel(this))
    , m_attackers(new AttackerModel(killmail.valued->killmail, staticData, m_known, this))
    , m_items(new QStandardItemModel(0, ItemColumnCount, this))
{
    setWindowTitle(tr("Killmail %1").arg(killmail.killmailId));
    const ValuedKillmail& valued = *killmail.valued;
    FeedKillBuilder builder(staticData, [] { return nullptr; }); // names of players stay IDs: no SQL here
    m_json = builder.build(valued)->zkillboardMessage;

    fillSummary();
    fillValues(valued);
    fillItems(valued.killmail);
    const QString url = QStringLiteral("https://zkillboard.com/kill/%1/").arg(killmail.killmailId);
    m_link->setText(QStringLiteral("<a href=\"%1\">%2</a>").arg(url, tr("Open on zKillboard")));
    m_link->setOpenExternalLinks(true);
    m_link->setToolTip(url);

    auto* tabs = new QTabWidget(this);
    tabs->addTab(attackerTable(), tr("Attackers (%1)").arg(valued.killmail.attackers.size()));
    tabs->addTab(itemTree(), tr("Items (%1)").arg(rows::itemCount(valued.killmail)));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("Copy as JSON"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(QString::fromUtf8(m_json)); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_values);
    layout->addWidget(m_link);
    layout->addWidget(tabs, 1);
    layout->addWidget(buttons);
    resize(820, 620);
    if (names) {
        askForNames(*names);
    }
    if (database) {
        readItemValues(*database);
    }
}

void KillmailDialog::readItemValues(DatabaseThread& database)
{
    // Queued: a read that finished before the continuation below was attached runs it at once, inside the
    // constructor, before anyone could hear itemValuesShown().
    connect(this, &KillmailDialog::unitPricesRead, this, &KillmailDialog::showItemValues, Qt::QueuedConnection);
    const StaticData* staticData = &m_staticData;
    std::shared_ptr<const ValuedKillmail> valued = m_valued;
    database.run<UnitPrices>(
        [staticData, valued](Database& connection) {
            return StoredKillmailReader(connection, *staticData).unitPrices(valued->killmail);
        },
        this,
        [this](QFuture<UnitPrices> read) {
            try {
                Q_EMIT unitPricesRead(read.result(), QPrivateSignal());
            } catch (const StorageError& error) {
                m_values->setText(m_values->text() + u'\n'
                                  + tr("The item values cannot be read: %1").arg(QString::fromUtf8(error.what())));
            }
        });
}

void KillmailDialog::showItemValues(const UnitPrices& prices)
{
    // An item's own value (its contents show theirs); a slot's, everything in it.
    const std::function<double(QStandardItem*, QStandardItem*)> fill = [&](QStandardItem* name, QStandardItem* value) {
        double below = 0;
        for (int row = 0; row < name->rowCount(); ++row) {
            below += fill(name->child(row, ItemName), name->child(row, ItemValue));
        }
        const QVariant position = name->data(PositionRole);
        if (!position.isValid()) {
            value->setData(below, ValueRole);
            value->setText(iskText(below));
            return below;
        }
        const std::size_t at = position.toULongLong();
        const double unit = prices.items.at(at);
        const double own = unit * double(m_quantities.at(at));
        value->setData(own, ValueRole);
        value->setText(iskText(own));
        value->setToolTip(tr("%L1 × %2").arg(m_quantities.at(at)).arg(iskText(unit)));
        return own + below;
    };
    for (int row = 0; row < m_items->rowCount(); ++row) {
        fill(m_items->item(row, ItemName), m_items->item(row, ItemValue));
    }
    m_values->setText(m_values->text() + u'\n' + tr("Ship %1").arg(iskText(prices.ship)));
    Q_EMIT itemValuesShown();
}

void KillmailDialog::askForNames(NameLookup& names)
{
    const Killmail& killmail = m_valued->killmail;
    QSet<EntityId> ids[3];
    const auto want = [&ids](EntityKind kind, std::optional<EntityId> id) {
        if (id) {
            ids[int(kind)].insert(*id);
        }
    };
    want(EntityKind::Character, killmail.victim.characterId);
    want(EntityKind::Corporation, killmail.victim.corporationId);
    want(EntityKind::Alliance, killmail.victim.allianceId);
    for (const Attacker& attacker : killmail.attackers) {
        want(EntityKind::Character, attacker.characterId);
        want(EntityKind::Corporation, attacker.corporationId);
    }
    connect(&names, &NameLookup::found, this, &KillmailDialog::addNames);
    for (const EntityKind kind : {EntityKind::Character, EntityKind::Corporation, EntityKind::Alliance}) {
        if (!ids[int(kind)].isEmpty()) {
            names.lookup(kind, {ids[int(kind)].cbegin(), ids[int(kind)].cend()});
        }
    }
}

void KillmailDialog::addNames(EntityKind kind, const QHash<EntityId, EntityName>& names)
{
    m_known.add(kind, names);
    m_attackers->namesChanged();
    fillSummary();
}

QTableView* KillmailDialog::attackerTable()
{
    QTableView* table = sortedTable(m_attackers, AttackerModel::SortRole, this);
    table->resizeColumnsToContents();
    return table;
}

QTreeView* KillmailDialog::itemTree()
{
    auto* tree = new QTreeView(this);
    tree->setModel(m_items);
    tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    tree->setAlternatingRowColors(true);
    tree->setUniformRowHeights(true);
    tree->expandAll();
    tree->header()->resizeSection(ItemName, 380);
    return tree;
}

void KillmailDialog::fillSummary()
{
    const ValuedKillmail& valued = *m_valued;
    const Killmail& killmail = valued.killmail;
    const Victim& victim = killmail.victim;
    QString system = tr("System %1").arg(killmail.solarSystemId);
    if (const SolarSystemInfo* info = m_staticData.solarSystem(killmail.solarSystemId)) {
        system = tr("%1 (%2), %3")
                     .arg(info->name)
                     .arg(info->security, 0, 'f', 1)
                     .arg(m_staticData.regionName(info->regionId));
    }
    const std::optional<int> group = m_staticData.groupOf(victim.shipTypeId);
    QStringList flags;
    if (valued.flags.solo) {
        flags << tr("solo");
    }
    if (valued.flags.npc) {
        flags << tr("npc");
    }
    if (valued.flags.awox) {
        flags << tr("awox");
    }
    QString victimText = entityText(m_staticData, m_known, victim.characterId, victim.corporationId, victim.factionId);
    if (victim.characterId && victim.corporationId) {
        victimText += QStringLiteral(" · ") + entityText(m_staticData, m_known, {}, victim.corporationId, {});
    }
    if (victim.allianceId) {
        victimText += QStringLiteral(" · ") + allianceText(m_known, *victim.allianceId);
    }
    m_summary->setText(tr("<h3>%1 <small>%2</small></h3>"
                          "<p>Victim: %3<br>System: %4<br>Time: %5 UTC<br>Damage taken: %L6<br>Flags: %7</p>")
                           .arg(typeText(m_staticData, victim.shipTypeId).toHtmlEscaped(),
                                group ? m_staticData.groupName(*group).toHtmlEscaped() : QString(),
                                victimText.toHtmlEscaped(), system.toHtmlEscaped(),
                                QDateTime::fromSecsSinceEpoch(killmail.killmailTime, Qt::UTC)
                                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                           .arg(victim.damageTaken)
                           .arg(flags.isEmpty() ? tr("none") : flags.join(QStringLiteral(", "))));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void KillmailDialog::fillValues(const ValuedKillmail& valued)
{
    const KillValues& values = valued.values;
    m_values->setText(tr("Total %1 (%2) · destroyed %3 · dropped %4 · fitted %5")
                          .arg(iskText(values.totalValue), shortIsk(values.totalValue), iskText(values.destroyedValue),
                               iskText(values.droppedValue), iskText(values.fittedValue)));
    m_values->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void KillmailDialog::fillItems(const Killmail& killmail)
{
    m_items->setHorizontalHeaderLabels({tr("Item"), tr("Destroyed"), tr("Dropped"), tr("Value")});
    std::unordered_map<const Item*, std::size_t> positions;
    rows::forEachItem(killmail.victim.items, [&](const Item& item, std::size_t position, std::optional<std::size_t>) {
        positions.emplace(&item, position);
        m_quantities.push_back(item.quantityDestroyed + item.quantityDropped);
    });
    // zKillboard's colours: what was destroyed in red, what dropped in green.
    const QColor destroyed = readableOn(QColor(0xC0, 0x30, 0x30), palette());
    const QColor dropped = readableOn(QColor(0x2E, 0x9E, 0x5B), palette());
    const std::function<QList<QStandardItem*>(const Item&)> rowOf = [&](const Item& item) {
        QList<QStandardItem*> row{new QStandardItem(typeText(m_staticData, item.typeId)),
                                  new QStandardItem(quantityText(item.quantityDestroyed)),
                                  new QStandardItem(quantityText(item.quantityDropped)), new QStandardItem};
        row[ItemName]->setData(qulonglong(positions.at(&item)), PositionRole);
        row[Destroyed]->setForeground(destroyed);
        row[Dropped]->setForeground(dropped);
        for (const int column : {Destroyed, Dropped, ItemValue}) {
            row[column]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        for (const Item& content : item.items) {
            row.front()->appendRow(rowOf(content));
        }
        return row;
    };
    // Grouped by slot (the flag's name), slots in the order the game numbers them.
    std::map<int, std::vector<const Item*>> bySlot;
    for (const Item& item : killmail.victim.items) {
        bySlot[item.flag].push_back(&item);
    }
    for (const auto& [flag, items] : bySlot) {
        const QString name = m_staticData.flagName(flag);
        auto* slot = new QStandardItem(name.isEmpty() ? tr("Flag %1").arg(flag) : name);
        for (const Item* item : items) {
            slot->appendRow(rowOf(*item));
        }
        auto* value = new QStandardItem;
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_items->appendRow({slot, new QStandardItem, new QStandardItem, value});
    }
}

} // namespace km::ui
