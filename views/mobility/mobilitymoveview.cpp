#include "mobilitymoveview.h"

#include "common/livetextlabel.h"
#include "mobility/mobilityengine.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

using namespace mobility;

namespace {

QString msText(double ms)
{
    return ms < 10 ? QString::number(ms, 'f', 2) : QString::number(ms, 'f', 1);
}

QString modeTitle(const QString &mode)
{
    if (mode == QLatin1String("weak-push"))
        return MobilityMoveView::tr("weak mobility, push: code and data go to the node and start over");
    if (mode == QLatin1String("weak-pull"))
        return MobilityMoveView::tr("weak mobility, pull: the code is fetched from the node and starts here");
    if (mode == QLatin1String("clone"))
        return MobilityMoveView::tr("cloning: a copy goes on at the node, the original goes on here");
    return MobilityMoveView::tr("strong mobility: stopped here mid-run, goes on at the node");
}

} // namespace

MobilityMoveView::MobilityMoveView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new MoveDiagram(this))
    , m_headline(new QLabel(this))
    , m_inspector(new LiveTextLabel(this))
    , m_outcome(new LiveTextLabel(this))
    , m_status(new LiveTextLabel(this))
{
    m_headline->setWordWrap(true);
    m_inspector->setTextFormat(Qt::RichText);
    m_outcome->setTextFormat(Qt::RichText);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headline);
    layout->addWidget(m_diagram, 1);
    layout->addWidget(m_inspector);
    layout->addWidget(m_outcome);
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void MobilityMoveView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_headline->setFont(theme.font(13, true));
    m_inspector->setFont(theme.font(10));
    m_outcome->setFont(theme.font(11));
    m_status->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString MobilityMoveView::headline() const
{
    return m_headline->text();
}

QString MobilityMoveView::inspectorText() const
{
    return m_inspector->text();
}

QString MobilityMoveView::outcomeText() const
{
    return m_outcome->text();
}

void MobilityMoveView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto snap = std::dynamic_pointer_cast<const MobilitySnapshot>(snapshot);
    if (!snap) {
        m_headline->setText(tr("Code mobility: a computation moved to another process"));
        m_diagram->setState(MoveDiagram::State {});
        m_inspector->setText(tr("The execution state appears here when the computation moves."));
        m_outcome->clear();
        m_status->setText(snapshot && !snapshot->result.error.isEmpty() ? snapshot->result.error
                                                                        : tr("Press Run (F5) to start."));
        return;
    }
    m_headline->setText(modeTitle(snap->mode));

    MoveDiagram::State d;
    d.mode = snap->mode;
    d.moved = snap->phase == MovePhase::Moving || snap->phase == MovePhase::AtNode
        || snap->phase == MovePhase::Done;
    d.finished = snap->phase == MovePhase::Done;
    d.nodeLabel = snap->node;
    if (snap->atMove)
        d.pcAtMove = snap->atMove->state.pc;
    if (snap->report) {
        const MoveReport &r = *snap->report;
        d.bytesCode = r.bytesCode;
        d.bytesData = r.bytesData;
        d.bytesState = r.bytesExecutionState;
        d.stepsHere = r.mode == MoveMode::WeakPull ? r.stepsAtNode : r.stepsBeforeMove;
        d.stepsAtNode = r.mode == MoveMode::WeakPull ? 0 : r.stepsAtNode;
        d.stepsUnmigrated = r.stepsUnmigrated;
        d.resumed = r.resumedAtNode;
        d.moved = d.moved && r.error.isEmpty() ? true : d.moved;
    }
    m_diagram->setState(d);

    // The inspector: the execution state as it moved (strong, clone) or arrived (pull).
    if (snap->atMove && !snap->mode.startsWith(QLatin1String("weak"))) {
        const Computation &c = *snap->atMove;
        QStringList lines;
        lines << tr("<b>Execution state as it left</b> (%1)").arg(machineStatusName(c.state.status));
        QString where = c.code.disassemble(c.state.pc);
        const int f = c.code.functionAt(c.state.pc);
        if (f >= 0)
            where = tr("%1, in %2").arg(where, c.code.functions().at(std::size_t(f)).name);
        lines << tr("pc <b>%1</b>: %2; %L3 instructions done")
                     .arg(c.state.pc)
                     .arg(where.toHtmlEscaped())
                     .arg(c.state.steps);
        QStringList stack;
        const std::size_t n = c.state.stack.size();
        for (std::size_t i = n > 4 ? n - 4 : 0; i < n; ++i)
            stack << c.state.stack[i].toString();
        lines << tr("operand stack (%1, top last): %2")
                     .arg(n)
                     .arg(stack.isEmpty() ? tr("empty") : stack.join(QStringLiteral(", ")));
        QStringList frames;
        for (const Frame &fr : c.state.frames)
            frames << (fr.function < c.code.functions().size() ? c.code.functions()[fr.function].name
                                                               : QStringLiteral("?"));
        lines.last() += tr("; call frames: %1").arg(frames.join(QStringLiteral(" &gt; ")));
        QStringList globals;
        for (std::size_t i = 0; i < c.data.globals.size() && globals.size() < 5; ++i) {
            const QString name = i < c.data.globalNames.size() ? c.data.globalNames[i] : QString();
            globals << QStringLiteral("%1=%2").arg(
                name.isEmpty() ? QString::number(i) : name, c.data.globals[i].toString());
        }
        lines << tr("<b>data</b>: %1; heap %2 cells")
                     .arg(globals.join(QStringLiteral(", ")))
                     .arg(c.data.heap.size());
        lines << tr("<b>code</b>: %1 bytes of bytecode, %2 functions")
                     .arg(c.code.bytecode().size())
                     .arg(c.code.functions().size());
        m_inspector->setText(lines.join(QStringLiteral("<br>")));
    } else {
        m_inspector->setText(snap->mode.startsWith(QLatin1String("weak"))
                ? tr("Weak mobility ships no execution state: the computation starts from its entry.")
                : tr("The execution state appears here when the computation moves."));
    }

    if (snap->report && snap->phase == MovePhase::Done) {
        const MoveReport &r = *snap->report;
        const double moveMs = double(r.moveNs) / 1e6;
        const double serializeMs = double(r.serializeNs) / 1e6;
        const double decodeMs = double(r.nodeDecodeNs) / 1e6;
        const bool weakMode = r.mode == MoveMode::WeakPush || r.mode == MoveMode::WeakPull;
        QStringList parts;
        parts << tr("<b>Measured on this machine</b>: result %1, unmigrated %2: <b>%3</b>")
                     .arg(r.result.toString(), r.resultUnmigrated.toString(),
                         r.equal ? tr("equal") : tr("different"));
        parts << tr("the move took <b>%1 ms</b> (encoding %2 ms, node decoding %3 ms); %4")
                     .arg(msText(moveMs), msText(serializeMs), msText(decodeMs),
                         weakMode              ? tr("the node started over")
                             : r.resumedAtNode ? tr("the node went on from pc %1").arg(d.pcAtMove)
                                               : tr("the node did not go on"));
        if (r.mode == MoveMode::Clone)
            parts << tr("the original here finished with %1 (%2)")
                         .arg(r.resultOriginal.toString(), r.originalEqual ? tr("equal") : tr("different"));
        m_outcome->setText(parts.join(QStringLiteral("<br>")));
    } else {
        m_outcome->clear();
    }
    const QString error = snap->result.error;
    m_status->setText(error.isEmpty() ? snap->status : error);
}

} // namespace proclab
