#include "paradigmsview.h"

#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

namespace {

QString paradigmTitle(Paradigm p)
{
    switch (p) {
    case Paradigm::ClientServer:
        return ParadigmsView::tr("Client-server: the server has the code and the resource; it runs the work");
    case Paradigm::RemoteEvaluation:
        return ParadigmsView::tr("Remote evaluation: the client sends its code to run where the resource is");
    case Paradigm::CodeOnDemand:
        return ParadigmsView::tr(
            "Code on demand: the client fetches the code and runs it next to its resource");
    case Paradigm::MobileAgent:
        return ParadigmsView::tr("Mobile agent: code and execution state move on to the resource");
    }
    return {};
}

} // namespace

ParadigmsView::ParadigmsView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new ParadigmDiagram(this))
    , m_headline(new QLabel(this))
    , m_measured(new QLabel(this))
    , m_status(new QLabel(this))
{
    m_headline->setWordWrap(true);
    m_measured->setWordWrap(true);
    m_measured->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headline);
    layout->addWidget(m_diagram, 1);
    layout->addWidget(m_measured);
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void ParadigmsView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_headline->setFont(theme.font(13, true));
    m_measured->setFont(theme.font(11));
    m_status->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString ParadigmsView::measuredText() const
{
    return m_measured->text();
}

void ParadigmsView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto snap = std::dynamic_pointer_cast<const ParadigmsSnapshot>(snapshot);
    if (!snap) {
        m_headline->setText(tr("Code mobility paradigms (diagram)"));
        m_diagram->setFrame(Paradigm::RemoteEvaluation, -1);
        m_measured->clear();
        m_status->setText(snapshot && !snapshot->result.error.isEmpty() ? snapshot->result.error
                                                                        : tr("Press Run (F5) to start."));
        return;
    }
    m_headline->setText(paradigmTitle(snap->paradigm));
    m_diagram->setFrame(snap->paradigm, snap->frame);
    if (snap->report && snap->frame >= 2 && snap->report->error.isEmpty()) {
        const mobility::MoveReport &r = *snap->report;
        m_measured->setText(tr(
            "<b>Measured on this machine</b> (a prime count moved to %1): %2 bytes moved, of which %3 bytes "
            "of execution state; the move took %4 ms; result %5, unmigrated %6: %7.")
                                .arg(snap->node)
                                .arg(r.bytesImage)
                                .arg(r.bytesExecutionState)
                                .arg(double(r.moveNs) / 1e6, 0, 'f', 2)
                                .arg(r.result.toString(), r.resultUnmigrated.toString(),
                                    r.equal ? tr("equal") : tr("different")));
    } else if (snap->paradigm == Paradigm::ClientServer && snap->frame >= 2) {
        m_measured->setText(
            tr("<b>Diagram</b>: no code moves in client-server, so there is nothing to measure here."));
    } else {
        m_measured->clear();
    }
    m_status->setText(snap->result.error.isEmpty() ? snap->status : snap->result.error);
}

} // namespace proclab
