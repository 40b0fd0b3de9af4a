#include "vmmstatepanel.h"

#include <QPainter>

#include <algorithm>

namespace proclab {

namespace {

QString hex4(std::uint32_t v)
{
    return QStringLiteral("%1").arg(v, 4, 16, QLatin1Char('0'));
}

} // namespace

VmmStatePanel::VmmStatePanel(Content content, QWidget *parent)
    : QWidget(parent)
    , m_content(content)
    , m_maxConsoleLines(content == Content::Compact ? 4 : 1000)
{
    setMinimumSize(280, 200);
}

void VmmStatePanel::setSnapshot(std::shared_ptr<const VmmSnapshot> snapshot)
{
    m_snap = std::move(snapshot);
    update();
}

void VmmStatePanel::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

double VmmStatePanel::drawCpu(QPainter &p, const QRectF &area)
{
    const VmmSnapshot &s = *m_snap;
    const VmmCpuView &c = s.cpu;
    const QFont head = m_theme.font(11, true);
    // Two columns: the longest line of one ("mode kernel  IF 0") must fit in half the width, so a
    // narrow panel takes a smaller type rather than cutting the interrupt flag off.
    const double colW = area.width() / 2;
    const QString widest = tr("mode %1  IF %2").arg(tr("kernel")).arg(0) + QLatin1Char(' ');
    const QFont mono = [&] {
        QFont f = m_theme.font(9.5);
        f.setFamily(QStringLiteral("monospace"));
        f.setStyleHint(QFont::Monospace);
        const double floor = m_theme.font(7).pointSizeF();
        while (QFontMetricsF(f).horizontalAdvance(widest) > colW && f.pointSizeF() > floor)
            f.setPointSizeF(std::max(floor, f.pointSizeF() - 0.5));
        return f;
    }();
    const QFontMetricsF monoMetrics(mono);
    const double lineH = monoMetrics.height() * 1.1;
    double y = area.top();
    p.setPen(m_theme.text);
    p.setFont(head);
    p.drawText(QRectF(area.left(), y, area.width(), lineH * 1.3), Qt::AlignLeft | Qt::AlignVCenter,
        tr("CPU (model)"));
    y += lineH * 1.35;
    p.setFont(mono);
    // Registers: pc and r1..r7 in two columns.
    p.drawText(QRectF(area.left(), y, colW, lineH), Qt::AlignLeft, QStringLiteral("pc %1").arg(hex4(c.pc)));
    p.drawText(QRectF(area.left() + colW, y, colW, lineH), Qt::AlignLeft,
        monoMetrics.elidedText(tr("next %1").arg(s.nextInstruction), Qt::ElideRight, colW));
    y += lineH;
    for (int r = 1; r < int(c.regs.size()); r += 2) {
        for (int k = 0; k < 2 && r + k < int(c.regs.size()); ++k) {
            const int reg = r + k;
            const QString name
                = reg == int(c.regs.size()) - 1 ? QStringLiteral("sp") : QStringLiteral("r%1").arg(reg);
            p.drawText(QRectF(area.left() + k * colW, y, colW, lineH), Qt::AlignLeft,
                QStringLiteral("%1 %2").arg(name, -3).arg(hex4(c.regs[std::size_t(reg)])));
        }
        y += lineH;
    }
    // System state: the real machine's, and the virtual CPU the VMM keeps for the guest.
    auto sys = [&](const QString &label, const ToySysState &st, double x) {
        p.drawText(QRectF(x, y, colW, lineH), Qt::AlignLeft, label);
        p.drawText(QRectF(x, y + lineH, colW, lineH), Qt::AlignLeft,
            tr("mode %1  IF %2")
                .arg(st.kernel ? tr("kernel") : tr("user"))
                .arg(st.interruptsEnabled ? 1 : 0));
        p.drawText(QRectF(x, y + 2 * lineH, colW, lineH), Qt::AlignLeft, tr("MMU %1").arg(hex4(st.ptbr)));
    };
    p.setPen(m_theme.text);
    sys(tr("real CPU"), c.real, area.left());
    if (c.hasVirtual) {
        p.setPen(m_theme.seriesColor(1));
        sys(tr("virtual CPU"), c.virt, area.left() + colW);
    }
    y += 3 * lineH + 4;
    return y - area.top();
}

double VmmStatePanel::drawProcessTable(QPainter &p, const QRectF &area)
{
    const VmmSnapshot &s = *m_snap;
    QFont mono = m_theme.font(9.5);
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    const double lineH = QFontMetricsF(mono).height() * 1.15;
    double y = area.top();
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(11, true));
    p.drawText(QRectF(area.left(), y, area.width(), lineH * 1.3), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Guest kernel's process table"));
    y += lineH * 1.35;
    m_currentRow = QRectF();
    if (s.processes.empty()) {
        p.setFont(m_theme.font(9.5));
        p.setPen(m_theme.muted);
        p.drawText(QRectF(area.left(), y, area.width(), lineH * 2), Qt::AlignLeft | Qt::TextWordWrap,
            s.mode == VmmMode::ProcessVm ? tr("A process VM runs one program: no guest kernel, no table.")
                                         : tr("(not set up yet)"));
        return y + lineH * 2 - area.top();
    }
    p.setFont(mono);
    const QStringList cols {tr("id"), tr("state"), tr("pc"), tr("sp"), tr("mode"), tr("MMU")};
    const double weights[] = {0.10, 0.22, 0.16, 0.16, 0.18, 0.18};
    auto row = [&](const QStringList &cells) {
        double x = area.left();
        for (int i = 0; i < cells.size(); ++i) {
            const double w = area.width() * weights[i];
            p.drawText(QRectF(x, y, w, lineH), Qt::AlignLeft | Qt::AlignVCenter, cells[i]);
            x += w;
        }
        y += lineH;
    };
    p.setPen(m_theme.muted);
    row(cols);
    static const char *const kStates[] = {"free", "ready", "running", "exited"};
    for (const VmmProcessEntry &e : s.processes) {
        if (e.current) {
            m_currentRow = QRectF(area.left(), y, area.width(), lineH);
            p.setPen(Qt::NoPen);
            QColor mark = m_theme.good;
            mark.setAlpha(60);
            p.setBrush(mark);
            p.drawRect(m_currentRow);
        }
        p.setPen(e.state == 3 ? m_theme.muted : m_theme.text);
        const bool kernel = (e.status & toy::kStatusKernel) != 0;
        row({QString::number(e.id), QString::fromLatin1(e.state < 4 ? kStates[e.state] : "?"), hex4(e.pc),
            hex4(e.regs[7]), kernel ? tr("kernel") : tr("user"), hex4(e.ptbr)});
    }
    p.setPen(m_theme.muted);
    p.setFont(m_theme.font(8.5));
    // As many lines as the panel's width makes of the note.
    QRectF used;
    p.drawText(QRectF(area.left(), y, area.width(), std::max(lineH, area.bottom() - y)),
        Qt::AlignLeft | Qt::TextWordWrap,
        tr("Saved context in guest memory: a switch stores pc, registers and mode here and loads the "
           "next program's MMU register."),
        &used);
    y += used.height() + lineH * 0.1;
    return y - area.top();
}

double VmmStatePanel::drawConsole(QPainter &p, const QRectF &area)
{
    const VmmSnapshot &s = *m_snap;
    QFont mono = m_theme.font(9.5);
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    const double lineH = QFontMetricsF(mono).height() * 1.1;
    double y = area.top();
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(11, true));
    p.drawText(QRectF(area.left(), y, area.width(), lineH * 1.3), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Guest console"));
    y += lineH * 1.35;
    const int fit = std::max(1, std::min(m_maxConsoleLines, int((area.bottom() - y) / lineH)));
    QStringList lines = s.output.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    const QRectF box(area.left(), y, area.width(), std::min(area.bottom() - y, lineH * fit));
    p.setPen(QPen(m_theme.axis, 1));
    p.setBrush(m_theme.window);
    p.drawRect(box);
    p.setFont(mono);
    p.setPen(m_theme.text);
    const int first = std::max(0, int(lines.size()) - fit);
    for (int i = first; i < lines.size(); ++i) {
        p.drawText(QRectF(box.left() + 4, y, box.width() - 8, lineH), Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(mono).elidedText(lines[i], Qt::ElideRight, box.width() - 8));
        y += lineH;
    }
    if (!s.fault.isEmpty() && s.runState == VmmRunState::Fault) {
        p.setPen(m_theme.bad);
        p.drawText(box.adjusted(4, 0, -4, -2), Qt::AlignBottom | Qt::AlignLeft | Qt::TextWordWrap, s.fault);
    }
    return box.bottom() - area.top();
}

double VmmStatePanel::drawTranslation(QPainter &p, const QRectF &area)
{
    const VmmSnapshot &s = *m_snap;
    QFont mono = m_theme.font(9.5);
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    const double lineH = QFontMetricsF(mono).height() * 1.1;
    double y = area.top();
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(11, true));
    p.drawText(QRectF(area.left(), y, area.width(), lineH * 1.3), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Translated block: guest code | translation"));
    y += lineH * 1.35;
    p.setFont(mono);
    if (s.translation.isEmpty()) {
        p.setPen(m_theme.muted);
        p.setFont(m_theme.font(9.5));
        p.drawText(QRectF(area.left(), y, area.width(), lineH * 3), Qt::AlignLeft | Qt::TextWordWrap,
            s.mode == VmmMode::BinaryTranslate
                ? tr("No block yet: step into the guest kernel to see one translated.")
                : tr("Only binary translation (mode bt) translates the guest kernel's code."));
        return y + lineH * 3 - area.top();
    }
    // Lines are "pc  guest | translation" (or a chaining note): two columns.
    const double split = area.width() * 0.52;
    const QFontMetricsF fm(mono);
    for (const QString &line : s.translation) {
        if (y > area.bottom() - lineH)
            break;
        const qsizetype bar = line.indexOf(QLatin1String(" | "));
        const QString guest = bar < 0 ? line : line.left(bar).trimmed();
        QString translated = bar < 0 ? QString() : line.mid(bar + 3).trimmed();
        translated.replace(QLatin1String("call vmm  ; emulates "), QLatin1String("call vmm: "));
        const bool callout = translated.startsWith(QLatin1String("call vmm"));
        p.setPen(bar < 0 ? m_theme.muted : m_theme.text);
        p.drawText(QRectF(area.left(), y, split - 6, lineH), Qt::AlignLeft | Qt::AlignVCenter,
            fm.elidedText(guest, Qt::ElideRight, split - 6));
        if (callout) {
            p.setPen(Qt::NoPen);
            QColor mark = m_theme.accent;
            mark.setAlpha(40);
            p.setBrush(mark);
            p.drawRect(QRectF(area.left() + split, y, area.width() - split, lineH));
        }
        p.setPen(callout ? m_theme.accent : m_theme.text);
        p.drawText(QRectF(area.left() + split, y, area.width() - split, lineH),
            Qt::AlignLeft | Qt::AlignVCenter,
            fm.elidedText(translated, Qt::ElideRight, area.width() - split));
        y += lineH;
    }
    return y - area.top();
}

void VmmStatePanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    if (!m_snap) {
        p.setPen(m_theme.muted);
        p.setFont(m_theme.font(11));
        p.drawText(rect().adjusted(10, 10, -10, -10), Qt::AlignCenter | Qt::TextWordWrap,
            tr("Registers, process table and console appear when the model runs."));
        return;
    }
    if (m_snap->mode == VmmMode::Check)
        return;
    QRectF area = rect().adjusted(8, 6, -8, -6);
    if (m_content == Content::Translation) {
        const QRectF left(area.left(), area.top(), area.width() * 0.42, area.height());
        const QRectF right(left.right() + 14, area.top(), area.right() - left.right() - 14, area.height());
        const double h = drawCpu(p, left);
        drawConsole(p, QRectF(left.left(), left.top() + h + 8, left.width(), left.height() - h - 8));
        drawTranslation(p, right);
        return;
    }
    if (m_content == Content::CpuAndTable) {
        const QRectF left(area.left(), area.top(), area.width() * 0.44, area.height());
        const QRectF right(left.right() + 14, area.top(), area.right() - left.right() - 14, area.height());
        const double h = drawCpu(p, left);
        drawConsole(p, QRectF(left.left(), left.top() + h + 8, left.width(), left.height() - h - 8));
        drawProcessTable(p, right);
        return;
    }
    // Compact: CPU, a few console lines (a misbehaving guest shows there first), the table.
    double h = drawCpu(p, area);
    area.setTop(area.top() + h + 6);
    const double lineH = QFontMetricsF(m_theme.font(9.5)).height() * 1.1;
    const QRectF consoleArea(area.left(), area.top(), area.width(), std::min(area.height(), lineH * 6.2));
    h = drawConsole(p, consoleArea);
    area.setTop(area.top() + h + 8);
    if (area.height() > 40)
        drawProcessTable(p, area);
}

} // namespace proclab
