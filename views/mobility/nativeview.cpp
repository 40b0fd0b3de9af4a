#include "nativeview.h"

#include "mobility/nativeengine.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <bit>

namespace proclab {

using namespace mobility;

namespace {

QString hex(std::uint64_t v)
{
    return QStringLiteral("0x%1").arg(v, 0, 16);
}

} // namespace

NativeView::NativeView(QWidget *parent)
    : StepView(parent)
    , m_headline(new QLabel(this))
    , m_regions(new QLabel(this))
    , m_descriptors(new QLabel(this))
    , m_kernel(new QLabel(this))
    , m_status(new QLabel(this))
{
    for (QLabel *l : {m_headline, m_regions, m_descriptors, m_kernel, m_status}) {
        l->setWordWrap(true);
        l->setTextFormat(Qt::RichText);
        l->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    }
    auto *columns = new QHBoxLayout;
    columns->addWidget(m_regions, 1);
    columns->addWidget(m_descriptors, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headline);
    layout->addLayout(columns, 1);
    layout->addWidget(m_kernel);
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void NativeView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_headline->setFont(theme.font(13, true));
    m_regions->setFont(theme.font(10.5));
    m_descriptors->setFont(theme.font(10.5));
    m_kernel->setFont(theme.font(10.5));
    m_status->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString NativeView::regionsText() const
{
    return m_regions->text();
}

QString NativeView::descriptorsText() const
{
    return m_descriptors->text();
}

void NativeView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto snap = std::dynamic_pointer_cast<const NativeSnapshot>(snapshot);
    m_headline->setText(
        tr("What a native process holds that a move cannot carry (measured on this machine)"));
    if (!snap || !snap->done) {
        m_regions->clear();
        m_descriptors->clear();
        m_kernel->clear();
        m_status->setText(snap                                  ? snap->status
                : snapshot && !snapshot->result.error.isEmpty() ? snapshot->result.error
                                                                : tr("Press Run (F5) to start."));
        return;
    }
    const NativeStateComparison &c = snap->comparison;
    const QString bad = m_theme.bad.name();
    const QString good = m_theme.good.darker(130).name();
    QString regions = tr("<b>Address landmarks, two runs of '%1'</b> (ASLR setting %2)<table cellspacing=4>")
                          .arg(c.first.program.section(QLatin1Char('/'), -1))
                          .arg(c.randomizeVaSpace);
    regions += tr("<tr><th align=left>region</th><th align=left>run 1 (pid %1)</th><th align=left>run 2 (pid "
                  "%2)</th></tr>")
                   .arg(c.first.pid)
                   .arg(c.second.pid);
    for (const auto &r : c.regions)
        regions += QStringLiteral("<tr><td>%1</td><td>%2</td><td style='color:%3'>%4</td></tr>")
                       .arg(r.kind, hex(r.firstStart), r.differs ? bad : good, hex(r.secondStart));
    regions += QStringLiteral("</table>");
    regions += tr("%1 of %2 landmarks moved between two runs on the same machine: a pointer saved in one "
                  "run means nothing in the other.")
                   .arg(c.regionsThatDiffer)
                   .arg(c.regions.size());
    m_regions->setText(regions);

    QString fds = tr("<b>Open descriptors of run 1</b><table cellspacing=3>");
    for (const NativeDescriptor &d : c.first.descriptors) {
        QString target = d.target;
        if (target.size() > 26)
            target = QStringLiteral("...") + target.right(23);
        fds += QStringLiteral("<tr><td align=right>%1</td><td>%2</td><td>%3</td></tr>")
                   .arg(d.fd)
                   .arg(d.kind.toHtmlEscaped(), target.toHtmlEscaped());
    }
    fds += QStringLiteral("</table>");
    fds += tr("Each number indexes this kernel's table of open files, pipes and connections; on another "
              "host it names nothing.");
    m_descriptors->setText(fds);

    // schedstat: ns on a CPU, ns waiting for one, time slices.
    const QStringList sched = c.first.schedstat.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString schedText = sched.size() >= 3 ? tr("%1 ms on a CPU, %2 ms waiting, %3 time slices")
                                                      .arg(sched[0].toDouble() / 1e6, 0, 'f', 2)
                                                      .arg(sched[1].toDouble() / 1e6, 0, 'f', 2)
                                                      .arg(sched[2])
                                                : tr("scheduling state unreadable");
    QStringList kernel;
    kernel << tr("<b>The kernel's part</b> (kernel %1, %2): run 1 sleeps in <b>%3</b>; %4 pending signal(s); "
                 "%5; %6 mappings.")
                  .arg(c.kernelRelease, c.machine, c.first.waitChannel.toHtmlEscaped())
                  .arg(std::popcount(c.first.pendingSignals))
                  .arg(schedText)
                  .arg(c.first.mappingCount);
    kernel << tr("A container carries its processes but not the kernel they run on: it moves well only to a "
                 "host with a compatible kernel. The abstract machine's state is plain values and moves "
                 "anywhere.");
    m_kernel->setText(kernel.join(QStringLiteral("<br>")));
    m_status->setText(snap->result.error.isEmpty() ? snap->status : snap->result.error);
}

} // namespace proclab
