#include "parameterpanel.h"

#include "common/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSlider>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

constexpr int kSliderSteps = 1000;

bool sliderFor(const ParamSpec &s)
{
    switch (s.type) {
    case ParamSpec::Type::Int:
    case ParamSpec::Type::Double:
    case ParamSpec::Type::Bytes:
    case ParamSpec::Type::BitRate:
        return s.maximum > s.minimum;
    default:
        return false;
    }
}

bool logScale(const ParamSpec &s)
{
    return (s.logScale || (s.minimum > 0 && s.maximum / s.minimum >= 1000)) && s.minimum >= 0;
}

QString tooltipFor(const ParamSpec &s, bool editable)
{
    QString tip = QStringLiteral("<b>%1</b> (%2)<br>%3<br>Allowed: %4<br>Default: %5")
                      .arg(s.label.toHtmlEscaped(), s.name, s.help.toHtmlEscaped(),
                          s.rangeText().toHtmlEscaped(), s.format(s.defaultValue).toHtmlEscaped());
    if (!editable)
        tip += QObject::tr("<br><i>Fixed by this step of the lesson.</i>");
    return tip;
}

} // namespace

ParameterPanel::ParameterPanel(QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout)
    , m_allToggle(new QToolButton(this))
    , m_fixedHolder(new QWidget(this))
    , m_fixedGrid(new QGridLayout(m_fixedHolder))
    , m_message(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addLayout(m_grid);
    m_allToggle->setCheckable(true);
    m_allToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_allToggle->setArrowType(Qt::RightArrow);
    m_allToggle->setAutoRaise(true);
    m_allToggle->setToolTip(tr("Show the parameters this step fixes, with their values"));
    connect(m_allToggle, &QToolButton::toggled, this, &ParameterPanel::setAllParametersShown);
    layout->addWidget(m_allToggle, 0, Qt::AlignLeft);
    m_fixedGrid->setContentsMargins(16, 0, 0, 0);
    m_fixedGrid->setColumnStretch(1, 1);
    m_fixedGrid->setColumnStretch(4, 1);
    m_fixedHolder->setVisible(false);
    layout->addWidget(m_fixedHolder);
    layout->addWidget(m_message);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_grid->setColumnStretch(1, 1);
    m_grid->setColumnStretch(4, 1);
}

int ParameterPanel::editableCount() const
{
    return static_cast<int>(
        std::count_if(m_rows.begin(), m_rows.end(), [](const Row &r) { return r.editable; }));
}

bool ParameterPanel::allParametersShown() const
{
    return m_allToggle->isChecked();
}

void ParameterPanel::setAllParametersShown(bool shown)
{
    if (m_allToggle->isChecked() != shown) {
        m_allToggle->setChecked(shown); // comes back here through toggled()
        return;
    }
    m_allToggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
    m_fixedHolder->setVisible(shown);
}

void ParameterPanel::setEditorsShown(bool shown)
{
    m_editorsShown = shown;
    for (int i = 0; i < m_grid->count(); ++i) {
        if (QWidget *w = m_grid->itemAt(i)->widget())
            w->setVisible(shown);
    }
}

void ParameterPanel::applyTheme(const Theme &theme)
{
    // Set on the panel and on each child: with the projector's style sheet a parent's font
    // does not reach them. Editors made later (rebuild()) take the panel's font.
    setFont(theme.font(10));
    for (QWidget *w : findChildren<QWidget *>())
        w->setFont(font());
    const int arrow = static_cast<int>(12 * theme.fontScale);
    m_allToggle->setIconSize(QSize(arrow, arrow));
}

void ParameterPanel::setSchema(
    const ParamSchema &schema, const QVariantMap &preset, const QStringList &editable)
{
    m_schema = schema;
    m_editable = editable;
    m_preset.clear();
    QString error;
    ParamValues resolved;
    if (schema.resolve(preset, &resolved, &error))
        m_preset = resolved;
    else
        m_preset = schema.defaults();
    m_values = m_preset;
    rebuild();
}

void ParameterPanel::resetToPreset()
{
    m_values = m_preset;
    for (Row &r : m_rows)
        showValue(r);
    m_message->setVisible(false);
    Q_EMIT valuesChanged();
}

QString ParameterPanel::lastMessage() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void ParameterPanel::setLocked(bool locked)
{
    m_locked = locked;
    for (Row &r : m_rows) {
        if (!r.editable)
            continue;
        r.editor->setEnabled(!locked);
        if (r.slider)
            r.slider->setEnabled(!locked);
    }
}

ParameterPanel::Row *ParameterPanel::row(const QString &name)
{
    for (Row &r : m_rows) {
        if (r.spec.name == name)
            return &r;
    }
    return nullptr;
}

bool ParameterPanel::setValueText(const QString &name, const QString &text)
{
    Row *r = row(name);
    QString error;
    const QVariant v = m_schema.validate(name, text, &error);
    if (!v.isValid() || !r) {
        if (error.isEmpty())
            error = tr("unknown parameter '%1'").arg(name);
        m_message->setText(tr("Refused: %1").arg(error));
        m_message->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
        m_message->setVisible(true);
        if (r)
            showValue(*r);
        Q_EMIT refused(error);
        return false;
    }
    accept(*r, v);
    return true;
}

void ParameterPanel::accept(Row &r, const QVariant &value)
{
    m_values.insert(r.spec.name, value);
    m_message->setVisible(false);
    showValue(r);
    Q_EMIT valuesChanged();
}

double ParameterPanel::toSlider(const ParamSpec &s, double value) const
{
    if (logScale(s)) {
        const double lo = std::log(std::max(s.minimum, 1.0));
        const double hi = std::log(std::max(s.maximum, 1.0));
        return hi > lo ? (std::log(std::max(value, 1.0)) - lo) / (hi - lo) * kSliderSteps : 0;
    }
    return (value - s.minimum) / (s.maximum - s.minimum) * kSliderSteps;
}

double ParameterPanel::fromSlider(const ParamSpec &s, int position) const
{
    const double f = static_cast<double>(position) / kSliderSteps;
    double v;
    if (logScale(s)) {
        const double lo = std::log(std::max(s.minimum, 1.0));
        const double hi = std::log(std::max(s.maximum, 1.0));
        v = std::exp(lo + f * (hi - lo));
        if (s.minimum == 0 && position == 0)
            v = 0;
    } else {
        v = s.minimum + f * (s.maximum - s.minimum);
    }
    if (s.type == ParamSpec::Type::Int || s.type == ParamSpec::Type::Bytes) {
        v = std::round(v);
        if (s.type == ParamSpec::Type::Bytes && v >= 1024) {
            // Snap sizes to whole KiB/MiB so the text stays readable.
            const double unit = v >= (1 << 20) ? double(1 << 20) : 1024.0;
            v = std::round(v / unit) * unit;
        }
    }
    return std::clamp(v, s.minimum, s.maximum);
}

void ParameterPanel::showValue(Row &r)
{
    const QVariant v = m_values.value(r.spec.name, r.spec.defaultValue);
    if (r.value) {
        r.value->setText(
            r.spec.type == ParamSpec::Type::Bool ? (v.toBool() ? tr("yes") : tr("no")) : r.spec.format(v));
        return;
    }
    if (r.line) {
        const QSignalBlocker b(r.line);
        r.line->setText(r.spec.format(v));
    }
    if (r.slider) {
        const QSignalBlocker b(r.slider);
        r.slider->setValue(static_cast<int>(std::lround(toSlider(r.spec, v.toDouble()))));
    }
    if (auto *check = qobject_cast<QCheckBox *>(r.editor)) {
        const QSignalBlocker b(check);
        check->setChecked(v.toBool());
    }
    if (auto *combo = qobject_cast<QComboBox *>(r.editor)) {
        const QSignalBlocker b(combo);
        combo->setCurrentText(v.toString());
    }
}

void ParameterPanel::rebuild()
{
    for (QGridLayout *grid : {m_grid, m_fixedGrid}) {
        while (QLayoutItem *item = grid->takeAt(0)) {
            delete item->widget();
            delete item;
        }
    }
    m_rows.clear();
    m_message->setVisible(false);
    int index = 0;
    int fixedIndex = 0;
    // Editable parameters first: they are what the student works with.
    std::vector<ParamSpec> ordered;
    for (const auto &s : m_schema.specs())
        if (m_editable.contains(s.name))
            ordered.push_back(s);
    for (const auto &s : m_schema.specs())
        if (!m_editable.contains(s.name))
            ordered.push_back(s);
    m_rows.reserve(ordered.size());
    for (const ParamSpec &spec : ordered) {
        Row r;
        r.spec = spec;
        r.editable = m_editable.contains(spec.name);
        const QString tip = tooltipFor(spec, r.editable);
        QString labelText = spec.label.isEmpty() ? spec.name : spec.label;
        if (!spec.unit.isEmpty() && spec.type != ParamSpec::Type::Bytes
            && spec.type != ParamSpec::Type::BitRate && !labelText.toLower().contains(spec.unit.toLower()))
            labelText += QStringLiteral(" (%1)").arg(spec.unit);
        if (!r.editable) {
            // Fixed by the step: its value as text, behind the expander.
            auto *label = new QLabel(labelText + QLatin1Char(':'), m_fixedHolder);
            label->setWordWrap(true); // large type wraps instead of widening the window
            r.value = new QLabel(m_fixedHolder);
            r.value->setWordWrap(true);
            r.value->setTextInteractionFlags(Qt::TextSelectableByMouse);
            label->setToolTip(tip);
            r.value->setToolTip(tip);
            r.editor = r.value;
            const int gridRow = fixedIndex / 2;
            const int col = (fixedIndex % 2) * 3;
            ++fixedIndex;
            m_fixedGrid->addWidget(label, gridRow, col);
            m_fixedGrid->addWidget(r.value, gridRow, col + 1);
            if (col == 0)
                m_fixedGrid->addItem(new QSpacerItem(16, 1), gridRow, 2);
            m_rows.push_back(r);
            showValue(m_rows.back());
            continue;
        }
        auto *label = new QLabel(labelText, this);
        label->setWordWrap(true);
        label->setToolTip(tip);
        const int gridRow = index / 2;
        const int col = (index % 2) * 3;
        ++index;
        QWidget *editor = nullptr;
        switch (spec.type) {
        case ParamSpec::Type::Bool: {
            auto *check = new QCheckBox(this);
            connect(check, &QCheckBox::toggled, this, [this, name = spec.name](bool on) {
                if (Row *rr = row(name))
                    accept(*rr, on);
            });
            editor = check;
            break;
        }
        case ParamSpec::Type::Choice: {
            auto *combo = new QComboBox(this);
            combo->addItems(spec.choices);
            connect(combo, &QComboBox::currentTextChanged, this,
                [this, name = spec.name](const QString &t) { setValueText(name, t); });
            editor = combo;
            break;
        }
        default: {
            auto *holder = new QWidget(this);
            auto *h = new QHBoxLayout(holder);
            h->setContentsMargins(0, 0, 0, 0);
            r.line = new QLineEdit(holder);
            r.line->setMinimumWidth(70);
            if (sliderFor(spec))
                r.line->setMaximumWidth(
                    r.line->fontMetrics().horizontalAdvance(QStringLiteral("0000000000")) + 12);
            r.line->setToolTip(tip);
            h->addWidget(r.line, sliderFor(spec) ? 0 : 1);
            connect(r.line, &QLineEdit::editingFinished, this, [this, name = spec.name] {
                if (Row *rr = row(name))
                    setValueText(name, rr->line->text());
            });
            if (sliderFor(spec)) {
                r.slider = new QSlider(Qt::Horizontal, holder);
                r.slider->setRange(0, kSliderSteps);
                r.slider->setMinimumWidth(48); // never squeezed into a square
                r.slider->setToolTip(tip);
                h->addWidget(r.slider, 1);
                connect(r.slider, &QSlider::valueChanged, this, [this, name = spec.name](int pos) {
                    Row *rr = row(name);
                    if (!rr)
                        return;
                    const double v = fromSlider(rr->spec, pos);
                    const QVariant typed
                        = (rr->spec.type == ParamSpec::Type::Int || rr->spec.type == ParamSpec::Type::Bytes)
                        ? QVariant::fromValue<qint64>(static_cast<qint64>(v))
                        : QVariant(v);
                    m_values.insert(name, typed);
                    const QSignalBlocker b(rr->line);
                    rr->line->setText(rr->spec.format(typed));
                    m_message->setVisible(false);
                    Q_EMIT valuesChanged();
                });
            }
            const bool pathLike = spec.type == ParamSpec::Type::Text
                && (spec.name.contains(QLatin1String("trace")) || spec.name.contains(QLatin1String("file"))
                    || spec.name.contains(QLatin1String("path")));
            if (pathLike) {
                auto *browse = new QToolButton(holder);
                browse->setText(QStringLiteral("..."));
                browse->setToolTip(tr("Choose a file"));
                h->addWidget(browse);
                connect(browse, &QToolButton::clicked, this, [this, name = spec.name] {
                    const QString f = QFileDialog::getOpenFileName(this, tr("Choose a file"));
                    if (!f.isEmpty())
                        setValueText(name, f);
                });
            }
            editor = holder;
            break;
        }
        }
        editor->setToolTip(tip);
        editor->setEnabled(!m_locked);
        r.editor = editor;
        m_grid->addWidget(label, gridRow, col);
        m_grid->addWidget(editor, gridRow, col + 1);
        if (col == 0)
            m_grid->addItem(new QSpacerItem(16, 1), gridRow, 2);
        m_rows.push_back(r);
        showValue(m_rows.back());
    }
    m_allToggle->setText(index == 0 ? tr("All parameters (%1, fixed by this step)").arg(fixedIndex)
                                    : tr("All parameters (%1 more, fixed by this step)").arg(fixedIndex));
    m_allToggle->setVisible(fixedIndex > 0);
    for (QWidget *w : findChildren<QWidget *>())
        w->setFont(font());
    setAllParametersShown(false);
}

} // namespace proclab
