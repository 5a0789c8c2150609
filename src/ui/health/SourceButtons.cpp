#include "health/SourceButtons.h"

#include "health/SourceModel.h"
#include "runtime/EngineView.h"

#include <QPersistentModelIndex>
#include <QPushButton>
#include <QTableView>

namespace km::ui {
namespace {

/// The button's property holding whether it was set for a running source.
constexpr const char* runsProperty = "runs";

} // namespace

SourceButtons::SourceButtons(QTableView& table, EngineView& engine, QObject* parent)
    : QObject(parent)
    , m_table(table)
    , m_engine(engine)
{
    QAbstractItemModel* model = table.model();
    connect(model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex& /*parent*/, int first, int last) { addButtons(first, last); });
    connect(model, &QAbstractItemModel::dataChanged, this, &SourceButtons::follow);
    connect(model, &QAbstractItemModel::layoutChanged, this, &SourceButtons::follow);
    addButtons(0, model->rowCount() - 1);
}

void SourceButtons::addButtons(int first, int last)
{
    QAbstractItemModel* model = m_table.model();
    for (int row = first; row <= last; ++row) {
        const QPersistentModelIndex at = model->index(row, SourceModel::Action);
        auto* button = new QPushButton(&m_table);
        button->setProperty(runsProperty, !at.data(SourceModel::SortRole).toBool()); // set right by follow()
        connect(button, &QPushButton::clicked, this, [this, at] { clicked(at.row()); });
        m_table.setIndexWidget(at, button);
    }
    follow();
}

void SourceButtons::follow()
{
    const QAbstractItemModel* model = m_table.model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex at = model->index(row, SourceModel::Action);
        auto* button = qobject_cast<QPushButton*>(m_table.indexWidget(at));
        const bool runs = at.data(SourceModel::SortRole).toBool();
        if (button && button->property(runsProperty).toBool() != runs) {
            button->setProperty(runsProperty, runs);
            button->setText(at.data().toString());
            button->setToolTip(at.data(Qt::ToolTipRole).toString());
            button->setEnabled(true);
        }
    }
}

void SourceButtons::clicked(int row)
{
    const QAbstractItemModel* model = m_table.model();
    const QString source = model->index(row, SourceModel::Name).data().toString();
    if (auto* button = qobject_cast<QPushButton*>(m_table.indexWidget(model->index(row, SourceModel::Action)))) {
        button->setEnabled(false);
    }
    if (model->index(row, SourceModel::Action).data(SourceModel::SortRole).toBool()) {
        m_engine.stopSource(source);
    } else {
        m_engine.startSource(source);
    }
}

QPushButton* SourceButtons::buttonOf(const QString& source) const
{
    const QAbstractItemModel* model = m_table.model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, SourceModel::Name).data().toString() == source) {
            return qobject_cast<QPushButton*>(m_table.indexWidget(model->index(row, SourceModel::Action)));
        }
    }
    return nullptr;
}

} // namespace km::ui
