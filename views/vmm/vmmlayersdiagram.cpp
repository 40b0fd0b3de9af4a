#include "vmmlayersdiagram.h"

#include "vmm/toydisassembler.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

// The engine paces one guest instruction as 0.4 s of model time at speed 1; the token's trip
// takes most of it, so that it rests a moment at its last layer before the next one starts.
constexpr double kTripMsAtSpeed1 = 340;
constexpr std::size_t kHistory = 6;

} // namespace

VmmLayersDiagram::VmmLayersDiagram(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(420, 260);
    m_timer.setInterval(33);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (progress() >= 1.0)
            m_timer.stop();
        update();
    });
}

std::vector<TraceLayer> VmmLayersDiagram::layersFor(VmmMode mode, VmmHost host)
{
    switch (mode) {
    case VmmMode::Native:
    case VmmMode::Check:
        return {TraceLayer::Application, TraceLayer::GuestKernel, TraceLayer::Hardware};
    case VmmMode::ProcessVm:
        return {TraceLayer::Application, TraceLayer::Runtime, TraceLayer::HostOs, TraceLayer::Hardware};
    case VmmMode::TrapEmulate:
    case VmmMode::BinaryTranslate:
    case VmmMode::Paravirt:
    case VmmMode::HardwareAssist:
        break;
    }
    if (host == VmmHost::Hosted)
        return {TraceLayer::Application, TraceLayer::GuestKernel, TraceLayer::Vmm, TraceLayer::HostOs,
            TraceLayer::Hardware};
    return {TraceLayer::Application, TraceLayer::GuestKernel, TraceLayer::Vmm, TraceLayer::Hardware};
}

QString VmmLayersDiagram::stepText(const TraceEvent &e)
{
    switch (e.kind) {
    case TraceKind::Direct:
        return tr("runs directly on the hardware");
    case TraceKind::Interpreted:
        return tr("interpreted by the process VM");
    case TraceKind::Translated:
        return tr("runs as translated code");
    case TraceKind::TrapDown:
        return e.layer == TraceLayer::Vmm ? tr("traps down to the VMM") : tr("traps down to the kernel");
    case TraceKind::Emulated:
        return tr("emulated by the VMM on the virtual CPU");
    case TraceKind::Reflected:
        return tr("VMM reflects it into the guest kernel (%1)").arg(ToyIsa::causeName(e.cause));
    case TraceKind::Callout:
        return tr("translated code calls the VMM instead");
    case TraceKind::Hypercall:
        return tr("hypercall: the guest asks the VMM");
    case TraceKind::VmExit:
        return tr("VM exit: guest mode left for the VMM");
    case TraceKind::Returned:
        return tr("returns up to the guest");
    case TraceKind::SlippedThrough:
        return tr("sensitive, but did NOT trap: wrong behaviour");
    case TraceKind::HostCall:
        return tr("round trip through the host OS");
    case TraceKind::LibraryCall:
        return tr("system call served by a host library call");
    case TraceKind::Interrupt:
        return tr("timer interrupt");
    case TraceKind::Fault:
        return tr("fault: the run ends");
    }
    return QString();
}

void VmmLayersDiagram::setSnapshot(std::shared_ptr<const VmmSnapshot> snapshot)
{
    m_snap = std::move(snapshot);
    if (!m_snap) {
        m_path.clear();
        m_history.clear();
        m_timer.stop();
        update();
        return;
    }
    if (!m_snap->trace.empty()) {
        // An animated frame holds the steps of one guest instruction (the engine steps once per
        // frame); their seq differs once the instruction retired, so take the frame as a whole.
        std::vector<TraceEvent> path = m_snap->trace;
        if (!m_path.empty()) {
            m_history.push_back(m_path);
            if (m_history.size() > kHistory)
                m_history.erase(m_history.begin());
        }
        m_path = std::move(path);
        m_forcedProgress = -1;
        m_tripMs = m_speed > 0 ? kTripMsAtSpeed1 / m_speed : 0;
        m_clock.restart();
        if (m_tripMs > 0 && m_path.size() > 1)
            m_timer.start();
    }
    update();
}

void VmmLayersDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

void VmmLayersDiagram::setSpeed(double factor)
{
    m_speed = factor;
}

void VmmLayersDiagram::setAnimationProgress(double fraction)
{
    m_forcedProgress = std::clamp(fraction, 0.0, 1.0);
    m_timer.stop();
    update();
}

double VmmLayersDiagram::progress() const
{
    if (m_forcedProgress >= 0)
        return m_forcedProgress;
    if (m_tripMs <= 0 || !m_clock.isValid())
        return 1.0;
    return std::min(1.0, double(m_clock.elapsed()) / m_tripMs);
}

TraceLayer VmmLayersDiagram::tokenLayer() const
{
    if (m_path.empty())
        return TraceLayer::Application;
    const double pos = progress() * double(m_path.size() - 1);
    return m_path[std::size_t(std::lround(pos))].layer;
}

QString VmmLayersDiagram::layerTitle(TraceLayer layer) const
{
    const VmmMode mode = m_snap ? m_snap->mode : VmmMode::Native;
    const bool virtualized = mode != VmmMode::Native && mode != VmmMode::ProcessVm;
    switch (layer) {
    case TraceLayer::Application:
        return mode == VmmMode::ProcessVm ? tr("Guest program")
            : virtualized                 ? tr("Guest applications")
                                          : tr("Applications (user mode)");
    case TraceLayer::GuestKernel:
        if (mode == VmmMode::HardwareAssist)
            return tr("Guest OS (in guest mode)");
        if (mode == VmmMode::Paravirt)
            return tr("Guest OS (paravirtualized)");
        return virtualized ? tr("Guest OS (deprivileged)") : tr("Kernel (kernel mode)");
    case TraceLayer::Runtime:
        return tr("Process VM (interpreter)");
    case TraceLayer::Vmm:
        switch (mode) {
        case VmmMode::BinaryTranslate:
            return tr("VMM: binary translator");
        case VmmMode::Paravirt:
            return tr("VMM: hypercalls");
        case VmmMode::HardwareAssist:
            return tr("VMM (root mode)");
        default:
            return tr("VMM: trap and emulate");
        }
    case TraceLayer::HostOs:
        return tr("Host OS");
    case TraceLayer::Hardware:
        return tr("Hardware (toy machine)");
    }
    return QString();
}

QString VmmLayersDiagram::layerCounters(TraceLayer layer) const
{
    if (!m_snap)
        return QString();
    const VmmCounters &c = m_snap->counters;
    auto n = [](std::uint64_t v) { return QString::number(v); };
    switch (layer) {
    case TraceLayer::Application: {
        const auto lines = m_snap->output.count(QLatin1Char('\n'));
        return tr("console: %1 lines printed").arg(lines);
    }
    case TraceLayer::GuestKernel: {
        QString t = tr("kernel entries %1 · timer %2 · MMU switches %3")
                        .arg(n(c.guestKernelEntries), n(c.guestInterrupts), n(c.addressSpaceSwitches));
        if (c.sensitiveSlipped > 0)
            t += tr(" · slipped %1").arg(n(c.sensitiveSlipped));
        return t;
    }
    case TraceLayer::Runtime:
        return tr("interpreted %1 · library calls %2").arg(n(c.guestInstructions), n(c.libraryCalls));
    case TraceLayer::Vmm:
        switch (m_snap->mode) {
        case VmmMode::BinaryTranslate:
            return tr("blocks %1 · cache hits %2 · callouts %3 · traps %4")
                .arg(n(c.translatedBlocks), n(c.translationCacheHits), n(c.emulatedInstructions), n(c.traps));
        case VmmMode::Paravirt:
            return tr("hypercalls %1 · traps %2 · emulated %3")
                .arg(n(c.hypercalls), n(c.traps), n(c.emulatedInstructions));
        case VmmMode::HardwareAssist:
            return tr("VM exits %1 · emulated %2").arg(n(c.vmExits), n(c.emulatedInstructions));
        default:
            return tr("traps %1 · emulated %2").arg(n(c.traps), n(c.emulatedInstructions));
        }
    case TraceLayer::HostOs:
        return m_snap->mode == VmmMode::ProcessVm ? tr("library calls %1").arg(n(c.libraryCalls))
                                                  : tr("round trips %1").arg(n(c.hostRoundTrips));
    case TraceLayer::Hardware:
        return tr("guest instructions %1 · %2 cycles (model)")
            .arg(n(c.guestInstructions), n(c.modelledCycles));
    }
    return QString();
}

QColor VmmLayersDiagram::interfaceColour(ToyInterface i) const
{
    switch (i) {
    case ToyInterface::General:
        return m_theme.seriesColor(0);
    case ToyInterface::Call:
        return m_theme.seriesColor(2);
    case ToyInterface::SystemCall:
        return m_theme.warn;
    case ToyInterface::Privileged:
        return m_theme.bad;
    case ToyInterface::Hypercall:
        return m_theme.good;
    }
    return m_theme.muted;
}

void VmmLayersDiagram::computeLayout(std::vector<QRectF> *bands, QRectF *stackArea, QRectF *pathArea) const
{
    const QFontMetricsF fm(m_theme.font(12, true));
    const double top = fm.height() * 1.6 + 8;
    const double w = width(), h = height();
    *stackArea = QRectF(8, top, w * 0.60 - 12, h - top - 8);
    *pathArea = QRectF(stackArea->right() + 14, top, w - stackArea->right() - 22, h - top - 8);
    bands->clear();
    if (!m_snap)
        return;
    const std::vector<TraceLayer> layers = layersFor(m_snap->mode, m_snap->host);
    const double gap = 6;
    const double bandH = (stackArea->height() - gap * double(layers.size() - 1)) / double(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i)
        bands->push_back(QRectF(
            stackArea->left(), stackArea->top() + double(i) * (bandH + gap), stackArea->width(), bandH));
}

QRectF VmmLayersDiagram::layerRect(TraceLayer layer) const
{
    if (!m_snap)
        return QRectF();
    std::vector<QRectF> bands;
    QRectF stack, pathArea;
    computeLayout(&bands, &stack, &pathArea);
    const std::vector<TraceLayer> layers = layersFor(m_snap->mode, m_snap->host);
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (layers[i] == layer)
            return bands[i];
    }
    return QRectF();
}

void VmmLayersDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    p.setPen(m_theme.text);
    if (!m_snap) {
        p.setFont(m_theme.font(13));
        p.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
            tr("Press Run to start the model, or Step to run one guest instruction at a time."));
        return;
    }
    const VmmSnapshot &s = *m_snap;
    std::vector<QRectF> bands;
    QRectF stack, pathArea;
    computeLayout(&bands, &stack, &pathArea);
    const std::vector<TraceLayer> layers = layersFor(s.mode, s.host);

    // Title: the way of running, the ISA, and that this is a model.
    p.setFont(m_theme.font(12, true));
    QString title = tr("%1 · %2 ISA").arg(vmmModeName(s.mode), ToyIsa::isaName(s.isa));
    if (s.host == VmmHost::Hosted && s.mode != VmmMode::Native && s.mode != VmmMode::ProcessVm)
        title += tr(" · hosted");
    title += tr(" · model");
    p.drawText(QRectF(8, 4, width() - 16, stack.top() - 8), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(p.font()).elidedText(title, Qt::ElideRight, width() - 16));

    // Where the token is: an index into the path and the layer it sits at.
    const double prog = progress();
    const double pos = m_path.empty() ? 0 : prog * double(m_path.size() - 1);
    const std::size_t step = m_path.empty() ? 0 : std::size_t(std::lround(pos));
    auto bandOf = [&](TraceLayer l) -> int {
        for (std::size_t i = 0; i < layers.size(); ++i) {
            if (layers[i] == l)
                return int(i);
        }
        return -1;
    };
    const int activeBand = m_path.empty() ? -1 : bandOf(m_path[step].layer);

    // The layers, application on top, hardware at the bottom.
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const QRectF &b = bands[i];
        const TraceLayer l = layers[i];
        const bool vmmLayer = l == TraceLayer::Vmm || l == TraceLayer::Runtime;
        QColor fill = l == TraceLayer::Hardware ? m_theme.muted.lighter(150)
            : vmmLayer                          ? m_theme.seriesColor(1).lighter(175)
            : l == TraceLayer::HostOs           ? m_theme.grid.lighter(120)
                                                : m_theme.seriesColor(0).lighter(185);
        if (m_theme.id == QLatin1String("dark"))
            fill = fill.darker(260);
        p.setPen(QPen(int(i) == activeBand ? m_theme.accent : m_theme.axis,
            int(i) == activeBand ? 3.5 * m_theme.lineWidth / 2 : 1.5));
        p.setBrush(fill);
        p.drawRoundedRect(b, 8, 8);
        p.setPen(m_theme.text);
        p.setFont(m_theme.font(11, true));
        const QRectF textArea = b.adjusted(10, 4, -10, -4);
        p.drawText(textArea, Qt::AlignTop | Qt::AlignLeft,
            QFontMetricsF(p.font()).elidedText(layerTitle(l), Qt::ElideRight, textArea.width()));
        p.setFont(m_theme.font(9.5));
        p.drawText(textArea, Qt::AlignBottom | Qt::AlignLeft | Qt::TextWordWrap, layerCounters(l));
    }

    // The token's trip: a line through the layers it visits, then the token itself.
    if (!m_path.empty()) {
        const double tokenW = std::min(stack.width() * 0.34, 220.0 * m_theme.fontScale);
        const double laneX = stack.right() - tokenW / 2 - 12;
        auto centreY = [&](std::size_t k) {
            const int bi = bandOf(m_path[k].layer);
            return bi < 0 ? stack.center().y() : bands[std::size_t(bi)].center().y();
        };
        QPainterPath trail;
        trail.moveTo(laneX, centreY(0));
        for (std::size_t k = 1; k <= step && k < m_path.size(); ++k)
            trail.lineTo(laneX + (k % 2 ? -8.0 : 8.0), centreY(k));
        p.setPen(QPen(m_theme.accent, 2.5, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawPath(trail);
        // Interpolate between two steps for the moving token.
        const std::size_t k0 = std::size_t(std::floor(pos));
        const std::size_t k1 = std::min(m_path.size() - 1, k0 + 1);
        const double f = pos - double(k0);
        const double y = centreY(k0) * (1 - f) + centreY(k1) * f;
        const QFont tokenFont = m_theme.font(10.5, true);
        const double tokenH = QFontMetricsF(tokenFont).height() * 1.6;
        const QRectF token(laneX - tokenW / 2, y - tokenH / 2, tokenW, tokenH);
        const TraceEvent &now = m_path[step];
        const bool slipped = std::any_of(m_path.begin(), m_path.end(),
            [](const TraceEvent &e) { return e.kind == TraceKind::SlippedThrough; });
        const QColor tokenColour = slipped ? m_theme.bad : interfaceColour(m_path.front().interface);
        p.setPen(QPen(m_theme.text, 2));
        p.setBrush(tokenColour);
        p.drawRoundedRect(token, tokenH / 2, tokenH / 2);
        p.setPen(tokenColour.lightness() > 150 ? Qt::black : Qt::white);
        p.setFont(tokenFont);
        const QString insn = ToyDisassembler::disassemble(now.word);
        p.drawText(token.adjusted(8, 0, -8, 0), Qt::AlignCenter,
            QFontMetricsF(tokenFont).elidedText(insn, Qt::ElideRight, token.width() - 16));
    }

    // Right: what happened to the latest instruction, step by step, and the ones before it.
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(11, true));
    const double lineH = QFontMetricsF(m_theme.font(10)).height() * 1.15;
    double y = pathArea.top();
    p.drawText(QRectF(pathArea.left(), y, pathArea.width(), lineH * 1.3), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Last instruction"));
    y += lineH * 1.4;
    if (m_path.empty()) {
        p.setFont(m_theme.font(10));
        p.setPen(m_theme.muted);
        const QString idle = s.finished
            ? tr("Run finished. Step (or play at 1x) to watch one instruction at a time.")
            : tr("Step, or play at 1x, to see each instruction travel through the layers.");
        // As many lines as the column's width makes of it.
        QRectF used;
        p.drawText(QRectF(pathArea.left(), y, pathArea.width(), std::max(lineH, pathArea.bottom() - y)),
            Qt::AlignLeft | Qt::TextWordWrap, idle, &used);
        y += used.height() + lineH * 0.2;
    } else {
        p.setFont(m_theme.font(10.5, true));
        p.drawText(QRectF(pathArea.left(), y, pathArea.width(), lineH), Qt::AlignLeft | Qt::AlignVCenter,
            QStringLiteral("%1  %2").arg(
                QStringLiteral("0x%1").arg(m_path.front().pc, 4, 16, QLatin1Char('0')),
                ToyDisassembler::disassemble(m_path.front().word)));
        y += lineH * 1.2;
        p.setFont(m_theme.font(10));
        for (std::size_t k = 0; k < m_path.size() && y < pathArea.bottom() - lineH * 5; ++k) {
            const bool current = k == step;
            p.setPen(m_path[k].kind == TraceKind::SlippedThrough ? m_theme.bad
                    : current                                    ? m_theme.accent
                                                                 : m_theme.text);
            QString line = QStringLiteral("%1. %2").arg(k + 1).arg(stepText(m_path[k]));
            if (m_path[k].modelledCycles > 0)
                line += tr(" (%1 cycles)").arg(m_path[k].modelledCycles);
            const QRectF r(pathArea.left(), y, pathArea.width(), lineH * 2.2);
            QRectF used;
            p.drawText(r, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, line, &used);
            y += std::max(lineH, used.height()) + 2;
        }
    }
    // Earlier instructions, newest first: one line each.
    if (!m_history.empty()) {
        y += lineH * 0.4;
        p.setPen(m_theme.text);
        p.setFont(m_theme.font(10.5, true));
        p.drawText(QRectF(pathArea.left(), y, pathArea.width(), lineH), Qt::AlignLeft, tr("Before it"));
        y += lineH * 1.2;
        p.setFont(m_theme.font(9.5));
        for (auto it = m_history.rbegin(); it != m_history.rend() && y < pathArea.bottom() - lineH; ++it) {
            const std::vector<TraceEvent> &h = *it;
            if (h.empty())
                continue;
            bool down = false;
            for (const TraceEvent &e : h)
                down = down
                    || (e.kind != TraceKind::Direct && e.kind != TraceKind::Translated
                        && e.kind != TraceKind::Interpreted && e.kind != TraceKind::Returned);
            p.setPen(down ? m_theme.accent : m_theme.muted);
            const QString line = QStringLiteral("%1  %2").arg(
                ToyDisassembler::disassemble(h.front().word), down ? tr("(left its layer)") : tr("(direct)"));
            p.drawText(QRectF(pathArea.left(), y, pathArea.width(), lineH), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(p.font()).elidedText(line, Qt::ElideRight, pathArea.width()));
            y += lineH;
        }
    }
    // Legend of token colours at the bottom of the right column (two rows).
    p.setFont(m_theme.font(9));
    // Count the rows first (the same wrapping as below), so that the last row ends at the bottom.
    int legendRows = 1;
    {
        double x = pathArea.left();
        for (const QString &label : {tr("ordinary"), tr("system call"), tr("privileged"), tr("hypercall")}) {
            x += lineH * 0.7 + QFontMetricsF(p.font()).horizontalAdvance(label) + 14;
            if (x > pathArea.left() + pathArea.width() * 0.45) {
                x = pathArea.left();
                ++legendRows;
            }
        }
    }
    double ly = pathArea.bottom() - lineH * legendRows;
    const std::pair<ToyInterface, QString> legend[]
        = {{ToyInterface::General, tr("ordinary")}, {ToyInterface::SystemCall, tr("system call")},
            {ToyInterface::Privileged, tr("privileged")}, {ToyInterface::Hypercall, tr("hypercall")}};
    double lx = pathArea.left();
    for (const auto &[iface, label] : legend) {
        const double sw = lineH * 0.7;
        p.setPen(Qt::NoPen);
        p.setBrush(interfaceColour(iface));
        p.drawRoundedRect(QRectF(lx, ly + (lineH - sw) / 2, sw, sw), 3, 3);
        p.setPen(m_theme.text);
        const double tw = QFontMetricsF(p.font()).horizontalAdvance(label);
        p.drawText(QRectF(lx + sw + 3, ly, tw + 2, lineH), Qt::AlignLeft | Qt::AlignVCenter, label);
        lx += sw + tw + 14;
        if (lx > pathArea.left() + pathArea.width() * 0.45) {
            lx = pathArea.left();
            ly += lineH;
        }
    }
}

} // namespace proclab
