#include "detail/KillmailDialog.h"

#include "common/Isk.h"
#include "feed/FeedKillBuilder.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailRows.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

namespace km::ui {
namespace {

QTreeWidget* treeWith(const QStringList& headers, QWidget* parent)
{
    auto* tree = new QTreeWidget(parent);
    tree->setHeaderLabels(headers);
    tree->setSortingEnabled(false);
    tree->setAlternatingRowColors(true);
    tree->setUniformRowHeights(true);
    return tree;
}

QString iskText(double isk)
{
    return QCoreApplication::translate("km::ui::KillmailDialog", "%L1 ISK").arg(isk, 0, 'f', 2);
}

} // namespace

KillmailDialog::KillmailDialog(const StoredKillmail& killmail, const StaticData& staticData, QWidget* parent)
    : QDialog(parent)
    , m_staticData(staticData)
    , m_summary(new QLabel(this))
    , m_values(new QLabel(this))
    , m_link(new QLabel(this))
    , m_attackers(treeWith(
          {tr("Attacker"), tr("Corporation"), tr("Ship"), tr("Weapon"), tr("Damage"), tr("Share"), tr("Final blow")},
          this))
    , m_items(treeWith({tr("Item"), tr("Destroyed"), tr("Dropped")}, this))
{
    setWindowTitle(tr("Killmail %1").arg(killmail.killmailId));
    const ValuedKillmail& valued = *killmail.valued;
    FeedKillBuilder builder(staticData, [] { return nullptr; }); // names of players stay IDs: no SQL here
    m_json = builder.build(valued)->zkillboardMessage;

    fillSummary(valued);
    fillValues(valued);
    fillAttackers(valued.killmail);
    fillItems(valued.killmail);
    const QString url = QStringLiteral("https://zkillboard.com/kill/%1/").arg(killmail.killmailId);
    m_link->setText(QStringLiteral("<a href=\"%1\">%2</a>").arg(url, tr("Open on zKillboard")));
    m_link->setOpenExternalLinks(true);
    m_link->setToolTip(url);

    auto* tabs = new QTabWidget(this);
    tabs->addTab(m_attackers, tr("Attackers (%1)").arg(valued.killmail.attackers.size()));
    tabs->addTab(m_items, tr("Items (%1)").arg(rows::itemCount(valued.killmail)));

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
}

QString KillmailDialog::typeName(int typeId) const
{
    const TypeInfo* type = m_staticData.type(typeId);
    return type ? type->name : tr("Type %1").arg(typeId);
}

QString KillmailDialog::entityText(std::optional<EntityId> character, std::optional<EntityId> corporation,
                                   std::optional<EntityId> faction) const
{
    if (character) {
        return tr("Character %1").arg(*character);
    }
    if (corporation) {
        const QString npc = m_staticData.npcCorporationName(*corporation);
        return npc.isEmpty() ? tr("Corporation %1").arg(*corporation) : npc;
    }
    if (faction) {
        return m_staticData.factionName(*faction);
    }
    return tr("Unknown");
}

void KillmailDialog::fillSummary(const ValuedKillmail& valued)
{
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
    QString victimText = entityText(victim.characterId, victim.corporationId, victim.factionId);
    if (victim.characterId && victim.corporationId) {
        victimText += QStringLiteral(" · ") + entityText({}, victim.corporationId, {});
    }
    if (victim.allianceId) {
        victimText += QStringLiteral(" · ") + tr("Alliance %1").arg(*victim.allianceId);
    }
    m_summary->setText(tr("<h3>%1 <small>%2</small></h3>"
                          "<p>Victim: %3<br>System: %4<br>Time: %5 UTC<br>Damage taken: %L6<br>Flags: %7</p>")
                           .arg(typeName(victim.shipTypeId).toHtmlEscaped(),
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

void KillmailDialog::fillAttackers(const Killmail& killmail)
{
    std::int64_t totalDamage = 0;
    for (const Attacker& attacker : killmail.attackers) {
        totalDamage += attacker.damageDone;
    }
    for (const Attacker& attacker : killmail.attackers) {
        auto* row = new QTreeWidgetItem(m_attackers);
        row->setText(AttackerName, entityText(attacker.characterId, {}, attacker.factionId));
        row->setText(AttackerCorporation,
                     attacker.corporationId ? entityText({}, attacker.corporationId, {}) : QString());
        row->setText(AttackerShip, attacker.shipTypeId ? typeName(*attacker.shipTypeId) : QString());
        row->setText(AttackerWeapon, attacker.weaponTypeId ? typeName(*attacker.weaponTypeId) : QString());
        row->setText(Damage, QLocale().toString(qint64(attacker.damageDone)));
        const double share = totalDamage > 0 ? 100.0 * double(attacker.damageDone) / double(totalDamage) : 0.0;
        row->setText(Share, tr("%1%").arg(share, 0, 'f', 1));
        row->setData(Share, Qt::UserRole, share);
        row->setText(FinalBlow, attacker.finalBlow ? tr("final blow") : QString());
        row->setTextAlignment(Damage, Qt::AlignRight | Qt::AlignVCenter);
        row->setTextAlignment(Share, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_attackers->header()->resizeSections(QHeaderView::ResizeToContents);
}

void KillmailDialog::fillItems(const Killmail& killmail)
{
    // Grouped by slot (the flag's name), slots in the order the game numbers them.
    const std::function<void(const Item&, QTreeWidgetItem*)> addItem = [&](const Item& item, QTreeWidgetItem* parent) {
        auto* row = new QTreeWidgetItem(parent);
        row->setText(ItemName, typeName(item.typeId));
        row->setText(Destroyed,
                     item.quantityDestroyed ? QLocale().toString(qint64(item.quantityDestroyed)) : QString());
        row->setText(Dropped, item.quantityDropped ? QLocale().toString(qint64(item.quantityDropped)) : QString());
        row->setTextAlignment(Destroyed, Qt::AlignRight | Qt::AlignVCenter);
        row->setTextAlignment(Dropped, Qt::AlignRight | Qt::AlignVCenter);
        for (const Item& content : item.items) {
            addItem(content, row);
        }
    };
    std::map<int, std::vector<const Item*>> bySlot;
    for (const Item& item : killmail.victim.items) {
        bySlot[item.flag].push_back(&item);
    }
    for (const auto& [flag, items] : bySlot) {
        auto* slot = new QTreeWidgetItem(m_items);
        const QString name = m_staticData.flagName(flag);
        slot->setText(ItemName, name.isEmpty() ? tr("Flag %1").arg(flag) : name);
        slot->setFirstColumnSpanned(true);
        for (const Item* item : items) {
            addItem(*item, slot);
        }
    }
    m_items->expandAll();
    m_items->header()->resizeSection(ItemName, 420);
}

} // namespace km::ui
