#include "backfills/BackfillDialog.h"

#include "config/EngineSettings.h"
#include "runtime/BackfillRun.h"
#include "sources/EveKillBackfill.h"
#include "sources/EveRefBackfill.h"
#include "sources/ZkillboardBackfill.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>

namespace km::ui {
namespace {

QString dayRange(QDate first, QDate last)
{
    return BackfillDialog::tr("%1 to %2").arg(first.toString(Qt::ISODate), last.toString(Qt::ISODate));
}

} // namespace

BackfillDialog::BackfillDialog(const EngineSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_source(new QComboBox(this))
    , m_first(new QDateEdit(this))
    , m_last(new QDateEdit(this))
    , m_characters(new QLineEdit(this))
    , m_corporations(new QLineEdit(this))
    , m_alliances(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New backfill"));
    m_source->addItem(tr("zKillboard history"), ZkillboardHistory);
    m_source->addItem(tr("EVE-KILL (by character, corporation or alliance)"), EveKill);
    m_source->addItem(tr("EVE Ref daily archives"), EveRef);
    const QDate today = QDateTime::currentDateTimeUtc().date();
    for (QDateEdit* day : {m_first, m_last}) {
        day->setCalendarPopup(true);
        day->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        day->setDate(today.addDays(-1));
        connect(day, &QDateEdit::dateChanged, this, &BackfillDialog::validate);
    }
    for (QLineEdit* field : {m_characters, m_corporations, m_alliances}) {
        field->setPlaceholderText(tr("IDs, separated by spaces or commas"));
        connect(field, &QLineEdit::textChanged, this, &BackfillDialog::validate);
    }
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d04040"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("&Source:"), m_source);
    form->addRow(tr("&First day (UTC):"), m_first);
    form->addRow(tr("&Last day (UTC):"), m_last);
    form->addRow(tr("&Characters:"), m_characters);
    form->addRow(tr("C&orporations:"), m_corporations);
    form->addRow(tr("&Alliances:"), m_alliances);
    form->addRow(m_problem);
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_source, &QComboBox::currentIndexChanged, this, &BackfillDialog::validate);
    validate();
}

void BackfillDialog::setSource(Source source) { m_source->setCurrentIndex(m_source->findData(source)); }

void BackfillDialog::setDays(QDate first, QDate last)
{
    m_first->setDate(first);
    m_last->setDate(last);
}

void BackfillDialog::setEntities(const QString& characters, const QString& corporations, const QString& alliances)
{
    m_characters->setText(characters);
    m_corporations->setText(corporations);
    m_alliances->setText(alliances);
}

std::optional<QList<qint64>> BackfillDialog::ids(const QLineEdit* field, const QString& what, QString& problem) const
{
    QList<qint64> ids;
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    for (const QString& text : field->text().split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 id = text.toLongLong(&ok);
        if (!ok || id <= 0) {
            problem = tr("%1: '%2' is not an ID (a positive number).").arg(what, text);
            return std::nullopt;
        }
        ids.append(id);
    }
    return ids;
}

ZkillboardBackfillSettings BackfillDialog::zkillboardSettings() const
{
    ZkillboardBackfillSettings settings;
    settings.baseUrl = m_settings.sources.historyUrl;
    settings.startDate = m_first->date();
    settings.endDate = m_last->date();
    return settings;
}

std::optional<BackfillRequest> BackfillDialog::request() const
{
    const QDate first = m_first->date();
    const QDate last = m_last->date();
    switch (Source(m_source->currentData().toInt())) {
    case ZkillboardHistory: {
        const ZkillboardBackfillSettings settings = zkillboardSettings();
        if (!settings.problem().isEmpty()) {
            return std::nullopt;
        }
        return BackfillRequest{m_source->currentText(), dayRange(first, last),
                               backfillFactory<ZkillboardBackfill>(settings)};
    }
    case EveKill: {
        QString problem;
        EveKillBackfillSettings settings;
        settings.baseUrl = m_settings.sources.eveKillUrl;
        const auto characters = ids(m_characters, tr("Characters"), problem);
        const auto corporations = ids(m_corporations, tr("Corporations"), problem);
        const auto alliances = ids(m_alliances, tr("Alliances"), problem);
        if (!characters || !corporations || !alliances
            || (characters->isEmpty() && corporations->isEmpty() && alliances->isEmpty())) {
            return std::nullopt;
        }
        settings.characters = *characters;
        settings.corporations = *corporations;
        settings.alliances = *alliances;
        const auto joined = [](const QList<qint64>& list) {
            QStringList texts;
            for (qint64 id : list) {
                texts << QString::number(id);
            }
            return texts.join(QStringLiteral(", "));
        };
        QStringList parameters;
        for (const auto& [title, list] :
             {std::pair{tr("characters"), *characters}, std::pair{tr("corporations"), *corporations},
              std::pair{tr("alliances"), *alliances}}) {
            if (!list.isEmpty()) {
                parameters << tr("%1 %2").arg(title, joined(list));
            }
        }
        return BackfillRequest{m_source->currentText(), parameters.join(QStringLiteral("; ")),
                               backfillFactory<EveKillBackfill>(settings)};
    }
    case EveRef: {
        if (last < first) {
            return std::nullopt;
        }
        EveRefSettings settings;
        settings.baseUrl = m_settings.sources.eveRefUrl;
        settings.startDate = first;
        settings.endDate = last;
        return BackfillRequest{m_source->currentText(), dayRange(first, last),
                               backfillFactory<EveRefBackfill>(settings), false};
    }
    }
    return std::nullopt;
}

QString BackfillDialog::problem() const
{
    const QDate first = m_first->date();
    const QDate last = m_last->date();
    switch (Source(m_source->currentData().toInt())) {
    case ZkillboardHistory:
    case EveRef:
        if (last < first) {
            return tr("The last day (%1) is before the first (%2).")
                .arg(last.toString(Qt::ISODate), first.toString(Qt::ISODate));
        }
        if (last > QDateTime::currentDateTimeUtc().date()) {
            return tr("The last day (%1) is in the future.").arg(last.toString(Qt::ISODate));
        }
        return m_source->currentData().toInt() == ZkillboardHistory ? zkillboardSettings().problem() : QString();
    case EveKill: {
        QString problem;
        const bool read = ids(m_characters, tr("Characters"), problem)
            && ids(m_corporations, tr("Corporations"), problem) && ids(m_alliances, tr("Alliances"), problem);
        if (read && request() == std::nullopt) {
            return tr("Name at least one character, corporation or alliance: EVE-KILL's export has no date filter.");
        }
        return problem;
    }
    }
    return {};
}

void BackfillDialog::validate()
{
    const bool days = m_source->currentData().toInt() != EveKill;
    m_first->setEnabled(days);
    m_last->setEnabled(days);
    for (QLineEdit* field : {m_characters, m_corporations, m_alliances}) {
        field->setEnabled(!days);
    }
    const QString problem = this->problem();
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace km::ui
