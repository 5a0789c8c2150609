#include "feed/FeedView.h"

#include "common/Isk.h"
#include "common/Tables.h"
#include "feed/FeedFilterModel.h"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace km::ui {

FeedView::FeedView(FeedModel& model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new FeedFilterModel(this))
    , m_table(new QTableView(this))
    , m_text(new QLineEdit(this))
    , m_minimumValue(new QLineEdit(this))
    , m_solo(new QCheckBox(tr("Solo"), this))
    , m_npc(new QCheckBox(tr("NPC"), this))
    , m_awox(new QCheckBox(tr("Awox"), this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_count(new QLabel(this))
{
    m_filter->setSourceModel(&m_model);
    m_text->setPlaceholderText(tr("Ship, victim, final blow, entity ID, system, region, source or killmail ID"));
    m_text->setClearButtonEnabled(true);
    m_minimumValue->setPlaceholderText(tr("Minimum value (e.g. 100m, 1.5b)"));
    m_minimumValue->setClearButtonEnabled(true);
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_pause->setToolTip(tr("Hold new kills back from the view (Ctrl+P)"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_text, 3);
    bar->addWidget(m_minimumValue, 1);
    bar->addWidget(m_solo);
    bar->addWidget(m_npc);
    bar->addWidget(m_awox);
    bar->addWidget(m_pause);
    bar->addWidget(m_count);

    m_table->setModel(m_filter);
    setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setColumnWidth(FeedModel::Time, 150);
    m_table->setColumnWidth(FeedModel::Ship, 170);
    m_table->setColumnWidth(FeedModel::Victim, 170);
    m_table->setColumnWidth(FeedModel::VictimGroup, 220);
    m_table->setColumnWidth(FeedModel::FinalBlow, 170);
    m_table->setColumnWidth(FeedModel::Attackers, 80);
    m_table->setColumnWidth(FeedModel::System, 130);

    auto* open = new QAction(tr("Show details"), m_table);
    open->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    open->setShortcutContext(Qt::WidgetShortcut);
    m_table->addAction(open);
    connect(open, &QAction::triggered, this, [this] { activate(m_table->currentIndex()); });
    connect(m_table, &QTableView::doubleClicked, this, &FeedView::activate);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table);

    connect(m_text, &QLineEdit::textChanged, m_filter, &FeedFilterModel::setText);
    connect(m_minimumValue, &QLineEdit::textChanged, this, &FeedView::applyMinimumValue);
    for (QCheckBox* flag : {m_solo, m_npc, m_awox}) {
        connect(flag, &QCheckBox::toggled, this, &FeedView::applyFlags);
    }
    connect(m_pause, &QPushButton::toggled, &m_model, &FeedModel::setPaused);
    connect(&m_model, &FeedModel::pausedChanged, this, [this](bool paused) {
        m_pause->setChecked(paused);
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &FeedView::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &FeedView::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &FeedView::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &FeedView::updateCount);
    connect(&m_model, &FeedModel::olderRowsRead, this, &FeedView::readOnWhileBottomShown);
    connect(&m_model, &FeedModel::olderRowsFailed, this, [this](const QString& error) {
        // Short, so that a long error does not widen the window; in full as the tooltip.
        m_count->setText(tr("Older kills cannot be read"));
        m_count->setToolTip(error);
    });
    updateCount();
}

void FeedView::applyMinimumValue()
{
    const std::optional<double> isk = parseShortIsk(m_minimumValue->text());
    const bool valid = isk.has_value() || m_minimumValue->text().trimmed().isEmpty();
    m_minimumValue->setToolTip(valid ? QString() : tr("Not an amount: write it like 500000, 250k, 100m or 1.5b"));
    m_minimumValue->setStyleSheet(valid ? QString() : QStringLiteral("color: palette(link-visited)"));
    if (valid) {
        m_filter->setMinimumValue(isk.value_or(0));
    }
}

void FeedView::applyFlags()
{
    FeedModel::KillFlags flags;
    flags.setFlag(FeedModel::Solo, m_solo->isChecked());
    flags.setFlag(FeedModel::Npc, m_npc->isChecked());
    flags.setFlag(FeedModel::Awox, m_awox->isChecked());
    m_filter->setRequiredFlags(flags);
}

void FeedView::activate(const QModelIndex& index)
{
    if (index.isValid()) {
        Q_EMIT killmailActivated(m_model.killmail(m_filter->mapToSource(index).row()));
    }
}

void FeedView::readOnWhileBottomShown()
{
    // The table reads on by itself when rows it shows were added; not when the filter hid every row of the page.
    const int last = m_filter->rowCount() - 1;
    if (last < 0 || m_table->viewport()->rect().intersects(m_table->visualRect(m_filter->index(last, 0)))) {
        if (m_filter->canFetchMore({})) {
            m_filter->fetchMore({});
        }
    }
}

void FeedView::updateCount()
{
    m_count->setText(tr("%n kill(s) shown", nullptr, m_filter->rowCount()));
    m_count->setToolTip({});
}

} // namespace km::ui
