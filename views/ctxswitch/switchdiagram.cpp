#include "switchdiagram.h"

#include <QPainter>

#include <algorithm>

namespace proclab {

namespace {

// Illustrative register values (not read from any process): they only show
// which copy the CPU holds at each step.
struct FieldValues {
    const char *name;
    const char *a;
    const char *b;
    bool mmu;
};
const FieldValues kFields[] = {
    {"PC (program counter)", "0x401a2c", "0x4023f0", false},
    {"SP (stack pointer)", "0x7ffd1e40", "0x7ffc9a10", false},
    {"general registers", "rax=42 rbx=7 ...", "rax=0 rbx=19 ...", false},
    {"flags / state", "ZF=1, running", "ZF=0, ready", false},
    {"MMU: page-table root", "0x1a3000 (A)", "0x2f7000 (B)", true},
};

} // namespace

QString switchTimeText(double ns)
{
    if (ns <= 0)
        return QStringLiteral("?");
    return ns >= 1000 ? QStringLiteral("%1 us").arg(ns / 1000.0, 0, 'f', ns >= 10000 ? 0 : 1)
                      : QStringLiteral("%1 ns").arg(ns, 0, 'f', 0);
}

SwitchDiagram::SwitchDiagram(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    setMinimumSize(420, 260);
}

void SwitchDiagram::setProcessSwitch(bool process)
{
    m_process = process;
    m_step = std::min(m_step, stepCount() - 1);
    update();
    Q_EMIT stepChanged(m_step);
}

void SwitchDiagram::setMeasured(double syscallNs, double threadSwitchNs, double processSwitchNs)
{
    m_syscallNs = syscallNs;
    m_threadNs = threadSwitchNs;
    m_processNs = processSwitchNs;
    update();
}

void SwitchDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

std::vector<SwitchDiagram::Segment> SwitchDiagram::segments() const
{
    const double total = m_process ? m_processNs : m_threadNs;
    const bool measured = m_syscallNs > 0 && total > 0;
    // S1 and S3 together are about one bare system call; the kernel work is the rest.
    const double cross = measured ? m_syscallNs / 2 : 1.0;
    const double work = measured ? std::max(total - m_syscallNs, m_syscallNs * 0.2) : 3.0;
    std::vector<Segment> s;
    s.push_back({tr("User A runs"), tr("The CPU registers hold A's context."), false, 0, 0});
    s.push_back({tr("S1: trap into the kernel"),
        tr("A blocks (read on an empty pipe) or a timer interrupt fires: the CPU switches "
           "to kernel mode and pushes A's PC, SP and flags."),
        true, -1, cross});
    s.push_back({tr("Save A's context"),
        tr("The kernel stores A's registers, SP and PC in A's thread control block."), true, -1,
        work * (m_process ? 0.35 : 0.5)});
    if (m_process)
        s.push_back({tr("Switch address space"),
            tr("The MMU register gets B's page-table root; cached translations (TLB) of A "
               "become useless."),
            true, -1, work * 0.3});
    s.push_back({tr("Restore B's context"),
        m_process ? tr("B's registers, SP and PC are loaded from B's process/thread control block.")
                  : tr("B's registers, SP and PC are loaded. Same process: the MMU register "
                       "stays, no address-space switch."),
        true, -1, work * (m_process ? 0.35 : 0.5)});
    s.push_back({tr("S3: return to user space"), tr("The CPU drops to user mode and jumps to B's saved PC."),
        true, -1, cross});
    s.push_back({tr("User B runs"), tr("The CPU registers hold B's context."), false, 1, 0});
    // The user segments get a fixed share so that the kernel part stays readable.
    double kernel = 0;
    for (const auto &seg : s)
        kernel += seg.weight;
    for (auto &seg : s) {
        if (!seg.kernel)
            seg.weight = kernel * 0.35;
    }
    return s;
}

int SwitchDiagram::stepCount() const
{
    return int(segments().size());
}

void SwitchDiagram::setStep(int step)
{
    m_step = std::clamp(step, 0, stepCount() - 1);
    update();
    Q_EMIT stepChanged(m_step);
}

QString SwitchDiagram::stepTitle(int i) const
{
    const auto s = segments();
    return i >= 0 && i < int(s.size()) ? s[std::size_t(i)].title : QString();
}

QStringList SwitchDiagram::fieldNames() const
{
    QStringList names;
    for (const auto &f : kFields) {
        if (!f.mmu || m_process)
            names << QString::fromLatin1(f.name);
    }
    return names;
}

void SwitchDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const auto segs = segments();
    double total = 0;
    for (const auto &s : segs)
        total += s.weight;
    const int margin = 8;
    const QFontMetrics fm(m_theme.font(10));
    const int laneLabelW = fm.horizontalAdvance(tr("kernel")) + 14;
    const int laneH = std::max(28, fm.height() * 2);
    const int top = margin + fm.height() + 4;
    const QRect userLane(margin + laneLabelW, top, width() - 2 * margin - laneLabelW, laneH);
    const QRect kernelLane(userLane.left(), userLane.bottom() + 18, userLane.width(), laneH);

    p.setFont(m_theme.font(10, true));
    p.setPen(m_theme.text);
    p.drawText(QRect(margin, margin, width(), fm.height() + 2), Qt::AlignLeft | Qt::AlignVCenter,
        m_process ? tr("Process switch: A and B are different processes")
                  : tr("Thread switch: A and B are threads of one process"));
    p.setFont(m_theme.font(10));
    p.drawText(
        QRect(margin, userLane.top(), laneLabelW, laneH), Qt::AlignLeft | Qt::AlignVCenter, tr("user"));
    p.drawText(
        QRect(margin, kernelLane.top(), laneLabelW, laneH), Qt::AlignLeft | Qt::AlignVCenter, tr("kernel"));
    p.setPen(QPen(m_theme.grid, 1, Qt::DashLine));
    p.drawLine(userLane.left(), userLane.bottom() + 9, userLane.right(), userLane.bottom() + 9);

    double x = userLane.left();
    const double scale = total > 0 ? userLane.width() / total : 0;
    QRect currentRect;
    for (int i = 0; i < int(segs.size()); ++i) {
        const auto &s = segs[std::size_t(i)];
        const double w = s.weight * scale;
        const QRect lane = s.kernel ? kernelLane : userLane;
        const QRectF r(x, lane.top(), std::max(2.0, w - 2), lane.height());
        QColor c = s.owner >= 0 ? m_theme.seriesColor(s.owner) : m_theme.accent;
        if (s.title.startsWith(QLatin1String("S1")) || s.title.startsWith(QLatin1String("S3")))
            c = m_theme.warn;
        if (i > m_step)
            c.setAlphaF(0.18); // not reached yet
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawRoundedRect(r, 4, 4);
        if (i == m_step) {
            p.setPen(QPen(m_theme.text, 3));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 4, 4);
            currentRect = r.toRect();
        }
        // Arrows for the crossings.
        if (s.kernel && i > 0 && !segs[std::size_t(i - 1)].kernel) {
            p.setPen(QPen(i <= m_step ? m_theme.text : m_theme.grid, 2));
            p.drawLine(QPointF(x, userLane.bottom()), QPointF(x + std::min(w, 12.0), kernelLane.top()));
        }
        if (!s.kernel && i > 0 && segs[std::size_t(i - 1)].kernel) {
            p.setPen(QPen(i <= m_step ? m_theme.text : m_theme.grid, 2));
            p.drawLine(QPointF(x - 2, kernelLane.top()), QPointF(x + 8, userLane.bottom()));
        }
        if (w > 46 && i <= m_step) {
            p.setPen(c.lightness() > 150 ? Qt::black : Qt::white);
            p.setFont(m_theme.font(8));
            QString shortTitle = s.title;
            if (shortTitle.startsWith(QLatin1String("S1")))
                shortTitle = QStringLiteral("S1");
            else if (shortTitle.startsWith(QLatin1String("S3")))
                shortTitle = QStringLiteral("S3");
            p.drawText(r, Qt::AlignCenter,
                p.fontMetrics().elidedText(shortTitle, Qt::ElideRight, int(r.width()) - 4));
        }
        x += w;
    }

    // What happens now, then the context fields.
    int y = kernelLane.bottom() + 10;
    const auto &cur = segs[std::size_t(m_step)];
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(11, true));
    p.drawText(QRect(margin, y, width() - 2 * margin, fm.height() + 6), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Step %1 of %2: %3").arg(m_step + 1).arg(segs.size()).arg(cur.title));
    y += fm.height() + 6;
    p.setFont(m_theme.font(10));
    const QRect detail(margin, y, width() - 2 * margin, fm.height() * 2 + 4);
    p.drawText(detail, Qt::AlignLeft | Qt::TextWordWrap, cur.detail);
    y = detail.bottom() + 6;

    // Which copy the CPU holds: A's until B's context is restored.
    int restoredAt = 0;
    int savedAt = 0;
    int mmuAt = 0;
    for (int i = 0; i < int(segs.size()); ++i) {
        if (segs[std::size_t(i)].title == tr("Restore B's context"))
            restoredAt = i;
        if (segs[std::size_t(i)].title == tr("Save A's context"))
            savedAt = i;
        if (segs[std::size_t(i)].title == tr("Switch address space"))
            mmuAt = i;
    }
    const int colW = (width() - 2 * margin) / 3;
    const int rowH = fm.height() + 4;
    p.setFont(m_theme.font(10, true));
    p.drawText(QRect(margin, y, colW, rowH), Qt::AlignLeft, tr("context field"));
    p.drawText(QRect(margin + colW, y, colW, rowH), Qt::AlignLeft, tr("in the CPU now"));
    p.drawText(QRect(margin + 2 * colW, y, colW, rowH), Qt::AlignLeft, tr("saved in A's control block"));
    y += rowH;
    p.setFont(m_theme.font(10));
    for (const auto &f : kFields) {
        if (f.mmu && !m_process)
            continue;
        const bool bLoaded = f.mmu ? (m_step >= mmuAt && mmuAt > 0) : m_step >= restoredAt;
        const bool saved = m_step >= savedAt && !f.mmu;
        const bool active
            = (m_step == savedAt && !f.mmu) || (m_step == restoredAt && !f.mmu) || (f.mmu && m_step == mmuAt);
        const QRect row(margin, y, width() - 2 * margin, rowH);
        if (active)
            p.fillRect(row, m_theme.accent.lighter(170));
        p.setPen(m_theme.text);
        p.drawText(
            QRect(margin + 4, y, colW, rowH), Qt::AlignLeft | Qt::AlignVCenter, QString::fromLatin1(f.name));
        p.setPen(m_theme.seriesColor(bLoaded ? 1 : 0).darker(120));
        p.drawText(QRect(margin + colW, y, colW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
            (bLoaded ? QStringLiteral("B: ") : QStringLiteral("A: "))
                + QString::fromLatin1(bLoaded ? f.b : f.a));
        p.setPen(m_theme.seriesColor(0).darker(120));
        p.drawText(QRect(margin + 2 * colW, y, colW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
            f.mmu       ? tr("(kept in A's process descriptor)")
                : saved ? QString::fromLatin1(f.a)
                        : QStringLiteral("-"));
        y += rowH;
    }
    if (!m_process) {
        p.setPen(m_theme.muted.darker(150));
        p.drawText(QRect(margin + 4, y, width() - 2 * margin, rowH), Qt::AlignLeft | Qt::AlignVCenter,
            tr("MMU: page-table root unchanged (threads share one address space)"));
        y += rowH;
    }
    p.setPen(m_theme.muted.darker(160));
    p.setFont(m_theme.font(8));
    const double total2 = m_process ? m_processNs : m_threadNs;
    p.drawText(QRect(margin, y + 2, width() - 2 * margin, rowH), Qt::AlignLeft | Qt::AlignVCenter,
        m_syscallNs > 0 && total2 > 0
            ? tr("Widths: S1+S3 = one system call (%1, measured), whole kernel part = one switch (%2, "
                 "measured median); the split between save/switch/restore is a diagram. Register values "
                 "are illustrative.")
                  .arg(switchTimeText(m_syscallNs), switchTimeText(total2))
            : tr("Diagram: widths and register values are illustrative until a run measures the costs."));
    (void)currentRect;
}

} // namespace proclab
