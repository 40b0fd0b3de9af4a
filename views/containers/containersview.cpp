#include "containersview.h"

#include "layerstackwidget.h"

#include "common/livetextlabel.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

namespace {

QString modeWord(const ContainerPart &part)
{
    switch (part.mode) {
    case ContainerPart::Mode::Real:
        return ContainersView::tr("real, measured on this machine");
    case ContainerPart::Mode::Model:
        return ContainersView::tr("model");
    case ContainerPart::Mode::Skipped:
        return ContainersView::tr("not asked for");
    case ContainerPart::Mode::Pending:
        break;
    }
    return ContainersView::tr("running");
}

QString row(const QString &name, const QString &value)
{
    return QStringLiteral("<tr><td style='padding-right:14px'>%1</td><td><b>%2</b></td></tr>")
        .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
}

/// Lets a word-wrapped label break long paths and mount options after '/', ',', ':' and '='.
QString breakable(QString text)
{
    static const QChar zeroWidthSpace(0x200B);
    text.remove(zeroWidthSpace);
    for (const QChar c : {QLatin1Char('/'), QLatin1Char(','), QLatin1Char(':'), QLatin1Char('=')})
        text.replace(c, QString(c) + zeroWidthSpace);
    return text;
}

QString plain(const QString &html)
{
    QTextDocument doc;
    doc.setHtml(html);
    return doc.toPlainText();
}

} // namespace

ContainersView::ContainersView(Part part, QWidget *parent)
    : StepView(parent)
    , m_part(part)
    , m_headline(new LiveTextLabel(this))
    , m_status(new LiveTextLabel(this))
{
    // The labels wrap and take the width they are given: a long text never widens the window.
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_headline);
    switch (part) {
    case Part::Namespaces: {
        m_inside = new LiveTextLabel(this);
        m_host = new LiveTextLabel(this);
        auto *panels = new QHBoxLayout;
        for (LiveTextLabel *l : {m_inside, m_host}) {
            // A framed panel with the text 8 px inside its edge.
            auto *frame = new QFrame(this);
            frame->setFrameShape(QFrame::StyledPanel);
            auto *inner = new QVBoxLayout(frame);
            inner->setContentsMargins(8, 8, 8, 8);
            l->setParent(frame);
            l->setTextFormat(Qt::RichText);
            inner->addWidget(l, 1);
            panels->addWidget(frame, 1);
        }
        layout->addLayout(panels, 1);
        break;
    }
    case Part::Overlay:
        m_layers = new LayerStackWidget(this);
        layout->addWidget(m_layers, 1);
        break;
    case Part::Cgroup:
        m_chart = new ChartWidget(this);
        m_chart->setTitle(tr("The container's share of one CPU"));
        m_chart->setExportName(QStringLiteral("containers-cpu-share"));
        layout->addWidget(m_chart, 1);
        break;
    }
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

QList<ChartWidget *> ContainersView::charts() const
{
    if (m_chart)
        return {m_chart};
    return {};
}

void ContainersView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_headline->setFont(theme.font(13, true));
    m_status->setFont(theme.font(10));
    for (LiveTextLabel *l : {m_inside, m_host}) {
        if (l)
            l->setFont(theme.font(11));
    }
    if (m_layers)
        m_layers->setTheme(theme);
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString ContainersView::headline() const
{
    return m_headline->text();
}

QString ContainersView::insideText() const
{
    return m_inside ? plain(m_inside->text()) : QString();
}

QString ContainersView::hostText() const
{
    return m_host ? plain(m_host->text()) : QString();
}

QString ContainersView::statusText() const
{
    return m_status->text().remove(QChar(0x200B));
}

void ContainersView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto *s = dynamic_cast<const ContainersSnapshot *>(snapshot.get());
    if (!s) {
        m_headline->setText(m_part == Part::Namespaces ? tr("Press Run: a process starts in new namespaces.")
                : m_part == Part::Overlay ? tr("Press Run: the container mounts its image and writes.")
                                          : tr("Press Run: the container computes under a CPU limit."));
        m_status->clear();
        if (m_inside) {
            m_inside->setText(tr("<b>Inside the container</b>"));
            m_host->setText(tr("<b>On the host</b>"));
        }
        if (m_layers)
            m_layers->clear();
        if (m_chart) {
            m_chart->setSeries({});
            m_chart->replot();
        }
        return;
    }
    switch (m_part) {
    case Part::Namespaces:
        drawNamespaces(*s);
        break;
    case Part::Overlay:
        drawOverlay(*s);
        break;
    case Part::Cgroup:
        drawCgroup(*s);
        break;
    }
    if (!s->result.error.isEmpty())
        m_status->setText(s->result.error);
    m_status->setText(breakable(m_status->text()));
}

void ContainersView::drawNamespaces(const ContainersSnapshot &s)
{
    const ContainerReport &r = s.report;
    const bool real = s.namespaces.mode == ContainerPart::Mode::Real;
    if (!s.namespaces.done()) {
        m_headline->setText(s.status);
        return;
    }
    const int pidInside = real ? r.pid : 1;
    const int hostPid = s.hostInit.hostPid > 0 ? s.hostInit.hostPid : r.childHostPid;
    m_headline->setText(tr("The same process: PID %1 inside the container, PID %2 on the host (%3)")
                            .arg(pidInside)
                            .arg(hostPid)
                            .arg(modeWord(s.namespaces)));

    QString inside = tr("<b>Inside the container</b> (its own /proc)") + QStringLiteral("<table>");
    inside += row(tr("PID"), QString::number(pidInside));
    inside += row(
        tr("parent PID"), real ? tr("%1 (its parent is outside its PID namespace)").arg(r.ppid) : tr("0"));
    inside += row(tr("user id"), real ? tr("%1 (root, mapped to your user)").arg(r.uid) : tr("0"));
    inside += row(tr("host name"), real ? r.hostname : s.requestedHostname);
    QStringList procs;
    for (const ContainerProcessEntry &p : r.processes)
        procs << QStringLiteral("%1 %2").arg(p.pid).arg(p.name);
    inside += row(tr("processes it sees"),
        real ? tr("%1: %2").arg(r.processCount).arg(procs.mid(0, 6).join(QStringLiteral(", ")))
             : tr("2 (model)"));
    for (const QString &ns : {QStringLiteral("pid"), QStringLiteral("uts")}) {
        if (r.namespaces.contains(ns))
            inside += row(tr("%1 namespace").arg(ns), r.namespaces.value(ns));
    }
    inside += QStringLiteral("</table>");
    m_inside->setText(inside);

    QString host = tr("<b>On the host</b> (/proc/%1/status)").arg(hostPid) + QStringLiteral("<table>");
    host += row(tr("PID"), QString::number(hostPid));
    QStringList nsPids;
    for (int p : s.hostInit.nsPids)
        nsPids << QString::number(p);
    host += row(tr("NSpid (host, then inside)"), nsPids.join(QLatin1Char(' ')));
    host += row(tr("parent PID"), QString::number(s.hostInit.ppid));
    host += row(tr("user id"), QString::number(s.hostInit.uid));
    host += row(tr("host name"), s.hostHostname);
    host += row(tr("processes it sees"), QString::number(s.hostProcessCount));
    for (const QString &ns : {QStringLiteral("pid"), QStringLiteral("uts")}) {
        if (s.hostNamespaces.contains(ns))
            host += row(tr("%1 namespace").arg(ns), s.hostNamespaces.value(ns));
    }
    host += QStringLiteral("</table>");
    m_host->setText(host);
    m_status->setText(tr("Namespaces: %1. %2").arg(modeWord(s.namespaces), s.namespaces.why));
}

void ContainersView::drawOverlay(const ContainersSnapshot &s)
{
    if (!s.overlay.done()) {
        m_headline->setText(s.status);
        if (!s.layersBefore.empty())
            m_layers->setLayers(s.layersBefore, {}, {}, false);
        return;
    }
    int lower = 0, upper = 0;
    for (const LayerChange &c : s.changes)
        (c.layer == OverlayImage::Upper ? upper : lower) += 1;
    m_headline->setText(
        tr("The container's writes changed %1 entries of the upper layer and %2 of the layers below "
           "(%3)")
            .arg(upper)
            .arg(lower)
            .arg(modeWord(s.overlay)));
    m_layers->setLayers(s.layersAfter, s.merged, s.changes, s.overlay.mode == ContainerPart::Mode::Model);
    QStringList actions;
    for (const ImageChange &c : s.plannedChanges)
        actions << QStringLiteral("%1 %2").arg(c.action, c.path);
    // A real mount is said briefly (the options are in the result); a refusal in full.
    const QString why = s.overlay.mode == ContainerPart::Mode::Real
        ? tr("overlayfs mounted by the container in its own mount namespace, under %1").arg(s.imageRoot)
        : s.overlay.why;
    m_status->setText(tr("The container did: %1. Overlay: %2. %3")
                          .arg(actions.join(QStringLiteral(", ")), modeWord(s.overlay), why));
}

void ContainersView::drawCgroup(const ContainersSnapshot &s)
{
    const bool real = s.cgroup.mode == ContainerPart::Mode::Real;
    std::vector<Series> series;
    Series measured;
    measured.id = QStringLiteral("cpu_share");
    measured.name = real ? tr("the container, measured (limited by %1)").arg(s.cgroupMethod)
                         : tr("the container, measured (not limited)");
    measured.xLabel = tr("time (s)");
    measured.yLabel = tr("share of one CPU (%)");
    measured.style = Series::Style::Steps;
    measured.x = s.shareTimeS;
    measured.y = s.sharePercent;
    series.push_back(measured);
    if (!s.modelSharePercent.empty()) {
        Series model = measured;
        model.id = QStringLiteral("cpu_share_model");
        model.name = tr("under the limit, model");
        model.x = s.modelTimeS;
        model.y = s.modelSharePercent;
        series.push_back(model);
    }
    m_chart->setProvenance(real ? Provenance::Measured : Provenance::Model);
    m_chart->setSeries(series, false);
    // Each value is the share over the interval that ends at its x.
    for (int g = 0; g < m_chart->graphCount(); ++g)
        m_chart->graph(g)->setLineStyle(QCPGraph::lsStepRight);
    if (m_chart->graphCount() > 1) {
        QPen pen = m_chart->graph(1)->pen();
        pen.setStyle(Qt::DashLine);
        m_chart->graph(1)->setPen(pen);
    }
    m_chart->xAxis->setRange(0, std::max(1.0, s.burnSeconds));
    double top = 110;
    for (double v : s.sharePercent)
        top = std::max(top, v * 1.1);
    m_chart->yAxis->setRange(0, top);
    m_chart->clearItems();
    auto *quota = new QCPItemStraightLine(m_chart);
    quota->point1->setCoords(0, s.quotaPercent);
    quota->point2->setCoords(1, s.quotaPercent);
    quota->setPen(QPen(m_theme.warn.darker(120), 2, Qt::DotLine));
    auto *quotaText = new QCPItemText(m_chart);
    quotaText->position->setCoords(s.burnSeconds * 0.98, s.quotaPercent);
    quotaText->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    quotaText->setText(tr("limit %1 %").arg(s.quotaPercent, 0, 'f', 0));
    quotaText->setFont(m_theme.font(10, true));
    quotaText->setColor(m_theme.warn.darker(150));
    if (s.limitAtS > 0) {
        auto *at = new QCPItemStraightLine(m_chart);
        at->point1->setCoords(s.limitAtS, 0);
        at->point2->setCoords(s.limitAtS, 1);
        at->setPen(QPen(m_theme.accent, 2, Qt::DashLine));
        auto *atText = new QCPItemText(m_chart);
        atText->position->setCoords(s.limitAtS, top * 0.97);
        atText->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        atText->setText(tr(" limit starts"));
        atText->setFont(m_theme.font(10));
        atText->setColor(m_theme.accent);
    }
    m_chart->legend->setVisible(true);
    m_chart->legend->setFont(m_theme.font(9));
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignVCenter | Qt::AlignRight);
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    if (!s.cgroup.done()) {
        m_headline->setText(s.status);
        m_status->setText(
            tr("CPU limit: %1 of one CPU per %2 ms period").arg(s.quotaPercent).arg(s.periodUs / 1000));
        return;
    }
    if (real)
        m_headline->setText(tr("Measured CPU share: %1 % before the limit, %2 % under a %3 % limit")
                                .arg(s.shareBeforePercent, 0, 'f', 1)
                                .arg(s.shareLimitedPercent, 0, 'f', 1)
                                .arg(s.quotaPercent, 0, 'f', 0));
    else
        m_headline->setText(
            tr("No limit on this machine: measured %1 %, the model gives %2 % under a %3 % limit")
                .arg(s.measuredAfterPercent, 0, 'f', 1)
                .arg(s.shareLimitedPercent, 0, 'f', 1)
                .arg(s.quotaPercent, 0, 'f', 0));
    // A real limit is said without the methods tried before it (they are in the result).
    QString why = s.cgroup.why;
    if (real && why.contains(QLatin1String(" (tried before: ")))
        why = why.left(why.indexOf(QLatin1String(" (tried before: ")));
    QString status = tr("Control group: %1. %2").arg(modeWord(s.cgroup), why);
    if (s.throttle.throttledPeriods >= 0)
        status += tr(" Throttled periods: %1.").arg(s.throttle.throttledPeriods);
    m_status->setText(status);
}

} // namespace proclab
