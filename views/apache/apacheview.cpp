#include "apacheview.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <map>

namespace proclab {

/// The phases as rows, the registered functions as chips.
class HooksDiagram : public QWidget {
public:
    explicit HooksDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(520, 280);
    }

    Theme theme = Theme::byId(QStringLiteral("light"));
    std::shared_ptr<const ApacheSnapshot> snap;
    std::map<std::pair<int, int>, QRectF> chips;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        chips.clear();
        const auto &hooks = ApacheModel::hooks();
        const auto &modules = ApacheModel::modules();
        const std::vector<bool> all(modules.size(), true);
        const std::vector<bool> loaded = snap ? snap->loaded : all;
        const int shown = snap ? snap->shown : 0;
        const HookCall *current = snap && shown > 0 ? &snap->walk[std::size_t(shown - 1)] : nullptr;
        // What happened so far, per chip and per phase.
        std::map<std::pair<int, int>, HookOutcome> seen;
        std::map<int, const HookCall *> phaseNote;
        int lastHook = -1;
        for (int i = 0; snap && i < shown; ++i) {
            const HookCall &c = snap->walk[std::size_t(i)];
            if (c.module >= 0)
                seen[{c.hook, c.module}] = c.outcome;
            else
                phaseNote[c.hook] = &c;
            lastHook = std::max(lastHook, c.hook);
        }
        // Phases an error jumped over: after the failing one, before logging.
        int failedAt = -1;
        for (int i = 0; snap && i < int(snap->walk.size()); ++i) {
            if (snap->walk[std::size_t(i)].outcome == HookOutcome::Error
                && snap->walk[std::size_t(i)].hook < 9) {
                failedAt = snap->walk[std::size_t(i)].hook;
                break;
            }
        }
        const bool errorSeen = failedAt >= 0 && lastHook >= failedAt;

        const double w = width(), h = height();
        const double rowH = (h - 8) / double(hooks.size());
        const double labelW = std::min(w * 0.30, 250.0 * theme.fontScale);
        const double chipGap = 8;
        const double chipW = std::min((w - labelW - 20) / 3 - chipGap, 190.0 * theme.fontScale);
        for (std::size_t hk = 0; hk < hooks.size(); ++hk) {
            const int hook = int(hk);
            const QRectF row(4, 4 + hook * rowH, w - 8, rowH - 3);
            const bool jumped = errorSeen && hook > failedAt && hook < 9;
            const bool isCurrent = current && current->hook == hook;
            if (isCurrent) {
                p.setPen(Qt::NoPen);
                p.setBrush(theme.accent.lighter(185));
                p.drawRoundedRect(row, 6, 6);
            }
            p.setPen(jumped ? theme.muted : theme.text);
            p.setFont(theme.font(10, true));
            const QRectF labelRect(row.left() + 8, row.top(), labelW - 8, row.height() * 0.58);
            p.drawText(labelRect, Qt::AlignLeft | Qt::AlignBottom,
                QStringLiteral("%1. %2").arg(hook + 1).arg(hooks[hk].label));
            p.setFont(theme.font(9));
            p.setPen(theme.muted.darker(130));
            p.drawText(
                QRectF(row.left() + 8, row.top() + row.height() * 0.58, labelW - 8, row.height() * 0.42),
                Qt::AlignLeft | Qt::AlignTop,
                hooks[hk].runFirst ? tr("first that handles it wins") : tr("all run"));
            double x = row.left() + labelW + 6;
            for (int m : ApacheModel::functionsOn(hook, all)) {
                const QRectF chip(x, row.top() + row.height() * 0.12, chipW, row.height() * 0.76);
                x += chipW + chipGap;
                chips[{hook, m}] = chip;
                const bool isLoaded = loaded[std::size_t(m)] || !modules[std::size_t(m)].optional;
                const auto it = seen.find({hook, m});
                QColor fill = theme.base;
                QColor edge = jumped ? theme.muted : theme.axis;
                QColor textColor = jumped || !isLoaded ? theme.muted : theme.text;
                if (it != seen.end()) {
                    if (it->second == HookOutcome::Ok)
                        fill = theme.good;
                    else if (it->second == HookOutcome::Error)
                        fill = theme.bad;
                    else
                        fill = theme.muted.lighter(140);
                    textColor = fill.lightness() > 150 ? Qt::black : Qt::white;
                }
                const bool currentChip = current && current->hook == hook && current->module == m;
                QPen pen(currentChip ? theme.accent : edge, currentChip ? 4.5 : 1.8,
                    isLoaded ? Qt::SolidLine : Qt::DashLine);
                p.setPen(pen);
                p.setBrush(fill);
                p.drawRoundedRect(chip, 6, 6);
                p.setPen(textColor);
                const QString name = modules[std::size_t(m)].name;
                QString label = name;
                if (it != seen.end())
                    label += it->second == HookOutcome::Ok ? tr(": OK")
                        : it->second == HookOutcome::Error ? tr(": error")
                                                           : tr(": declined");
                else if (!isLoaded)
                    label += tr(" (not loaded)");
                // One line that fits the chip: a smaller font first, then the name alone (the
                // chip's colour still tells the outcome, see the key above the diagram).
                const double room = chip.width() - 8;
                QFont f = theme.font(10, it != seen.end());
                if (QFontMetricsF(f).horizontalAdvance(label) > room)
                    f = theme.font(8.5, it != seen.end());
                if (QFontMetricsF(f).horizontalAdvance(label) > room)
                    label = name;
                p.setFont(f);
                p.drawText(chip.adjusted(4, 0, -4, 0), Qt::AlignCenter,
                    QFontMetricsF(f).elidedText(label, Qt::ElideRight, room));
            }
            // A phase-level note: skipped, no function, or an error no function caught.
            QString note;
            QColor noteColor = theme.muted.darker(140);
            if (const auto n = phaseNote.find(hook); n != phaseNote.end()) {
                switch (n->second->outcome) {
                case HookOutcome::Skipped:
                    note = tr("skipped");
                    break;
                case HookOutcome::Empty:
                    note = tr("no function registered");
                    break;
                case HookOutcome::Error:
                    note = tr("error %1").arg(n->second->status);
                    noteColor = theme.bad;
                    break;
                default:
                    break;
                }
            } else if (jumped) {
                note = tr("jumped over");
            }
            if (!note.isEmpty()) {
                p.setPen(noteColor);
                p.setFont(theme.font(10, true));
                p.drawText(QRectF(x, row.top(), row.right() - x - 4, row.height()),
                    Qt::AlignLeft | Qt::AlignVCenter, note);
            }
        }
    }
};

ApacheView::ApacheView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new HooksDiagram(this))
    , m_request(new QLabel(this))
    , m_narrative(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_request);
    layout->addWidget(m_diagram, 1);
    layout->addWidget(m_narrative);
    m_request->setWordWrap(true);
    m_request->setTextFormat(Qt::RichText);
    m_narrative->setWordWrap(true);
    m_narrative->setMinimumHeight(70);
    m_narrative->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *ApacheView::diagram() const
{
    return m_diagram;
}

QRectF ApacheView::chipRect(int hook, int module) const
{
    const auto it = m_diagram->chips.find({hook, module});
    return it == m_diagram->chips.end() ? QRectF() : it->second;
}

QString ApacheView::narrative() const
{
    return m_narrative->text();
}

void ApacheView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_request->setFont(theme.font(12));
    m_narrative->setFont(theme.font(13));
    showSnapshot(m_last, m_lastState);
}

void ApacheView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const ApacheSnapshot>(snapshot);
    m_diagram->snap = s;
    m_diagram->update();
    if (!s) {
        m_request->setText(
            tr("<b>Apache httpd 2.4</b> (model). Choose a request and the modules, then Run or Step."));
        m_narrative->setText(snapshot ? snapshot->status
                                      : tr("Press Step (F6) to follow the request one function at a time."));
        return;
    }
    const auto key = [&](const QColor &c, const QString &what) {
        return QStringLiteral("<span style='background:%1;color:%2'>&nbsp;%3&nbsp;</span>")
            .arg(c.name(), c.lightness() > 150 ? QStringLiteral("black") : QStringLiteral("white"), what);
    };
    m_request->setText(
        tr("<b>Request:</b> <code>%1</code> &nbsp; <i>(model of Apache httpd 2.4)</i><br>%2 "
           "%3 %4 &nbsp; dashed: module not loaded")
            .arg(ApacheModel::requestText(s->request)
                     .toHtmlEscaped()
                     .replace(QLatin1Char('\n'), QStringLiteral(" · ")),
                key(m_theme.good, tr("OK: handled")), key(m_theme.muted.lighter(140), tr("declined")),
                key(m_theme.bad, tr("error"))));
    QString text = s->shown == 0
        ? s->narration
        : tr("Step %1 of %2: %3").arg(s->shown).arg(s->walk.size()).arg(s->narration);
    if (s->shown == int(s->walk.size()) && !s->walk.empty())
        text += tr("\nResponse status: %1.").arg(s->walk.back().status);
    m_narrative->setText(text);
}

} // namespace proclab
