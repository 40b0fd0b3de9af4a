#include "reasonsview.h"

#include "mobility/reasonsengine.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace proclab {

using namespace mobility;

ReasonsView::ReasonsView(QWidget *parent)
    : StepView(parent)
    , m_load(new ChartWidget(this))
    , m_federated(new ChartWidget(this))
    , m_loadText(new QLabel(this))
    , m_federatedText(new QLabel(this))
    , m_status(new QLabel(this))
{
    m_load->setTitle(tr("Load: wall time"));
    m_load->setProvenance(Provenance::Measured);
    m_load->setExportName(QStringLiteral("mobility-load"));
    m_federated->setTitle(tr("Federated: test error"));
    m_federated->setProvenance(Provenance::Model);
    m_federated->setExportName(QStringLiteral("mobility-federated"));
    for (QLabel *l : {m_loadText, m_federatedText, m_status}) {
        l->setWordWrap(true);
        l->setTextFormat(Qt::RichText);
        l->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    }
    auto *grid = new QGridLayout;
    grid->addWidget(m_load, 0, 0);
    grid->addWidget(m_federated, 0, 1);
    grid->addWidget(m_loadText, 1, 0);
    grid->addWidget(m_federatedText, 1, 1);
    grid->setRowStretch(0, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(grid, 1);
    layout->addWidget(m_status);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void ReasonsView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_loadText->setFont(theme.font(11));
    m_federatedText->setFont(theme.font(11));
    m_status->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString ReasonsView::loadText() const
{
    return m_loadText->text();
}

QString ReasonsView::federatedText() const
{
    return m_federatedText->text();
}

void ReasonsView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto snap = std::dynamic_pointer_cast<const ReasonsSnapshot>(snapshot);
    if (!snap) {
        m_load->setSeries({});
        m_federated->setSeries({});
        m_loadText->clear();
        m_federatedText->clear();
        m_status->setText(snapshot && !snapshot->result.error.isEmpty() ? snapshot->result.error
                                                                        : tr("Press Run (F5) to start."));
        return;
    }
    if (snap->load && snap->load->error.isEmpty()) {
        const LoadReport &l = *snap->load;
        Series s;
        s.id = QStringLiteral("load_times");
        s.name = tr("measured on this machine");
        s.style = Series::Style::Bars;
        s.x = {1, 2};
        s.y = {double(l.allHereNs) / 1e6, double(l.splitNs) / 1e6};
        s.xLabel = tr("busy process");
        s.yLabel = tr("wall time (ms)");
        m_load->setSeries({s}, true);
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        ticker->addTick(1, tr("alone"));
        ticker->addTick(2, tr("with the node"));
        m_load->xAxis->setTicker(ticker);
        m_load->xAxis->setRange(0.4, 2.6);
        m_load->replot(QCustomPlot::rpQueuedReplot);
        const double speedup = l.splitNs > 0 ? double(l.allHereNs) / double(l.splitNs) : 0.0;
        m_loadText->setText(
            tr("<b>Measured</b>: %1 primes below %2. Alone: <b>%3 ms</b>. With [%4, %2) shipped "
               "to the node (%5): <b>%6 ms</b>, %7x; same count: %8.")
                .arg(l.resultAllHere.toString())
                .arg(l.hi)
                .arg(double(l.allHereNs) / 1e6, 0, 'f', 0)
                .arg(l.splitAt)
                .arg(snap->node)
                .arg(double(l.splitNs) / 1e6, 0, 'f', 0)
                .arg(speedup, 0, 'f', 2)
                .arg(l.equal ? tr("yes") : tr("no")));
    } else {
        m_load->setSeries({});
        m_loadText->setText(snap->load ? snap->load->error.toHtmlEscaped() : QString());
    }
    if (snap->federated && !snap->federated->federatedTestMse.empty()) {
        const FederatedReport &f = *snap->federated;
        std::vector<Series> series = snap->result.series;
        if (series.size() == 2) {
            series[0].name = tr("federated (model)");
            series[1].name = tr("central (model)");
            for (Series &s : series) {
                s.xLabel = tr("round");
                s.yLabel = tr("test error (MSE)");
            }
        }
        m_federated->setSeries(series, true);
        m_federatedText->setText(
            tr("<b>Model</b>: after %1 rounds the averaged model's error is %2 (all data in "
               "one place: %3; untrained: %4). Only models travelled: %5 bytes, against %6 "
               "bytes of raw data.")
                .arg(f.federatedTestMse.size())
                .arg(f.federatedTestMse.back(), 0, 'f', 3)
                .arg(f.centralTestMse.back(), 0, 'f', 3)
                .arg(f.initialTestMse, 0, 'f', 2)
                .arg(f.bytesModelTraffic)
                .arg(f.bytesRawData));
    } else {
        m_federated->setSeries({});
        m_federatedText->clear();
    }
    m_status->setText(snap->result.error.isEmpty() ? snap->status : snap->result.error);
}

} // namespace proclab
