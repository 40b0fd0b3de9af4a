#include "labpanel.h"

#include "parameterpanel.h"

#include "common/stepview.h"
#include "common/viewregistry.h"
#include "engine/registry.h"

#include <QAction>
#include <QComboBox>
#include <QEventLoop>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QProgressBar>
#include <QScrollArea>
#include <QStackedLayout>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace proclab {

namespace {

/**
 * The scroll area's content: asks, for a width, only for the height the view's minimum needs
 * there. The scroll area otherwise gives a view with word-wrapped text the height it would
 * like (diagrams and charts at their preferred size) and scrolls, where those parts could
 * have given up room and the whole view shown.
 */
class ViewHolder : public QWidget {
public:
    using QWidget::QWidget;

    int heightForWidth(int w) const override
    {
        const auto *stack = qobject_cast<const QStackedLayout *>(layout());
        const QWidget *current = stack ? stack->currentWidget() : nullptr;
        if (current && current->layout() && current->layout()->hasHeightForWidth())
            return current->layout()->totalMinimumHeightForWidth(w);
        return QWidget::heightForWidth(w);
    }
};

} // namespace

LabPanel::LabPanel(QWidget *parent)
    : QWidget(parent)
    , m_viewHolder(new ViewHolder(this))
    , m_viewStack(new QStackedLayout(m_viewHolder))
    , m_placeholder(new QLabel(this))
    , m_params(new ParameterPanel(this))
    , m_paramBox(new QGroupBox(this))
    , m_paramToggle(new QToolButton(m_paramBox))
    , m_toolbar(new QToolBar(tr("Run controls"), this))
    , m_speed(new QComboBox(this))
    , m_progress(new QProgressBar(this))
    , m_state(new QLabel(this))
    , m_kind(new QLabel(this))
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_run = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run"), this);
    m_run->setShortcut(Qt::Key_F5);
    m_run->setToolTip(tr("Run the step's engine with these parameters (F5); resumes when paused"));
    m_pause = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    m_pause->setShortcut(Qt::Key_F6);
    m_pause->setToolTip(tr("Pause the run (F6)"));
    m_step = new QAction(style()->standardIcon(QStyle::SP_MediaSkipForward), tr("S&tep"), this);
    m_step->setShortcut(Qt::Key_F10);
    m_step->setToolTip(tr("Advance by one event, then pause (F10)"));
    m_stop = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("S&top"), this);
    m_stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stop->setToolTip(tr("Stop the run: threads are joined, children reaped (Shift+F5)"));
    m_reset = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("R&eset"), this);
    m_reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_reset->setToolTip(tr("Stop, clear the view and put the parameters back to the step's preset (Ctrl+R)"));
    // Labels beside the icons: readable from the back of a room and in the dark theme.
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (QAction *a : {m_run, m_pause, m_step, m_stop, m_reset}) {
        a->setShortcutContext(Qt::WindowShortcut);
        m_toolbar->addAction(a);
    }
    connect(m_run, &QAction::triggered, this, &LabPanel::run);
    connect(m_pause, &QAction::triggered, this, &LabPanel::pause);
    connect(m_step, &QAction::triggered, this, &LabPanel::stepOnce);
    connect(m_stop, &QAction::triggered, this, &LabPanel::stopRun);
    connect(m_reset, &QAction::triggered, this, &LabPanel::reset);

    m_toolbar->addSeparator();
    m_toolbar->addWidget(new QLabel(tr(" Speed "), this));
    const std::pair<const char *, double> speeds[] = {
        {"0.25x", 0.25}, {"0.5x", 0.5}, {"1x", 1.0}, {"2x", 2.0}, {"5x", 5.0}, {"20x", 20.0}, {"max", 0.0}};
    for (const auto &[text, factor] : speeds)
        m_speed->addItem(QString::fromLatin1(text), factor);
    m_speed->setCurrentIndex(2);
    m_speed->setToolTip(tr("Playback speed of animated runs (models and paced demos).\n"
                           "Measurements themselves always run at full speed."));
    connect(m_speed, &QComboBox::currentIndexChanged, this,
        [this](int i) { setSpeed(m_speed->itemData(i).toDouble()); });
    m_toolbar->addWidget(m_speed);
    m_toolbar->addSeparator();
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    exportButton->setPopupMode(QToolButton::InstantPopup);
    exportButton->setToolTip(
        tr("Export the chart as PNG, SVG, PDF or CSV, or copy it (also: right-click the chart)"));
    auto *exportMenu = new QMenu(exportButton);
    for (const QString &fmt :
        {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf"), QStringLiteral("csv")})
        exportMenu->addAction(
            tr("Export as %1...").arg(fmt.toUpper()), this, [this, fmt] { Q_EMIT exportRequested(fmt); });
    exportMenu->addSeparator();
    exportMenu->addAction(
        tr("Copy image and data"), this, [this] { Q_EMIT exportRequested(QStringLiteral("copy")); });
    exportButton->setMenu(exportMenu);
    m_toolbar->addWidget(exportButton);

    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_progress->setToolTip(tr("How far the run has got"));
    QSizePolicy keepRoom = m_progress->sizePolicy();
    keepRoom.setRetainSizeWhenHidden(true);
    m_progress->setSizePolicy(keepRoom);
    layout->addWidget(m_toolbar);
    // Progress, what the engine is doing, and whether it measures or models: a line of its own.
    auto *statusRow = new QHBoxLayout;
    statusRow->setContentsMargins(6, 0, 6, 0);
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_state, 1);
    statusRow->addWidget(m_kind);
    layout->addLayout(statusRow);

    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setText(tr("This step has nothing to run: read the text on the left."));
    m_viewStack->addWidget(m_placeholder);
    // A view whose minimum size is more than the window has room for (a 1024x768 screen in
    // large type) scrolls inside the panel instead of pushing the window past the screen.
    auto *viewScroll = new QScrollArea(this);
    viewScroll->setWidgetResizable(true);
    viewScroll->setFrameShape(QFrame::NoFrame);
    viewScroll->setWidget(m_viewHolder);
    layout->addWidget(viewScroll, 1);

    auto *boxLayout = new QVBoxLayout(m_paramBox);
    boxLayout->setContentsMargins(4, 4, 4, 4);
    boxLayout->setSpacing(2);
    m_paramToggle->setCheckable(true);
    m_paramToggle->setChecked(true);
    m_paramToggle->setAutoRaise(true);
    m_paramToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_paramToggle->setArrowType(Qt::DownArrow);
    m_paramToggle->setToolTip(tr("Show or fold the parameters this step lets you change"));
    boxLayout->addWidget(m_paramToggle, 0, Qt::AlignLeft);
    connect(m_paramToggle, &QToolButton::toggled, this, [this](bool open) {
        m_paramToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        m_params->setEditorsShown(open);
    });
    boxLayout->addWidget(m_params);
    layout->addWidget(m_paramBox);
    connect(m_params, &ParameterPanel::refused, this, &LabPanel::message);
    // The view shows what the next run will fill (e.g. only the charts of the parts measured).
    connect(m_params, &ParameterPanel::valuesChanged, this, [this] {
        if (m_view)
            m_view->setParameters(m_params->values());
    });

    connect(&m_bridge, &EngineBridge::snapshotChanged, this, &LabPanel::onSnapshot);
    connect(&m_bridge, &EngineBridge::stateChanged, this, &LabPanel::onStateChanged);
    connect(&m_bridge, &EngineBridge::finished, this, &LabPanel::onFinished);
    updateActions();
}

LabPanel::~LabPanel()
{
    m_bridge.setEngine(nullptr);
    m_reaper.retire(std::move(m_engine));
}

void LabPanel::clear()
{
    m_bridge.setEngine(nullptr);
    // Never join here: an engine slow to notice the stop would freeze the window.
    m_reaper.retire(std::move(m_engine));
    if (m_view) {
        m_viewStack->removeWidget(m_view);
        delete m_view;
        m_view = nullptr;
    }
    m_viewStack->setCurrentWidget(m_placeholder);
    m_params->setSchema({}, {}, {});
    m_paramBox->setVisible(false);
    m_hasResult = false;
    m_lastResult = Result {};
    m_progress->setValue(0);
    m_kind->clear();
    updateActions();
}

void LabPanel::setStep(const LessonStep &step, const QString &exportName)
{
    clear();
    m_stepShown = step;
    if (step.engine.isEmpty())
        return;
    m_engine = EngineRegistry::builtin().create(step.engine);
    if (!m_engine) {
        m_placeholder->setText(
            tr("This step names the engine '%1', which this ProcLab does not have.").arg(step.engine));
        updateActions();
        return;
    }
    m_view = ViewRegistry::builtin().create(step.view, step.engine, m_viewHolder);
    m_view->applyTheme(m_theme);
    m_view->setRunHistory(&m_runHistory);
    for (ChartWidget *c : m_view->charts())
        c->setExportName(exportName);
    m_viewStack->addWidget(m_view);
    m_viewStack->setCurrentWidget(m_view);
    m_view->reset();
    m_params->setSchema(m_engine->schema(), step.preset, step.editable);
    m_view->setParameters(m_params->values()); // the preset, the engine's defaults filled in
    m_paramBox->setVisible(m_params->editorCount() > 0);
    // Nothing to change: no title, only the "All parameters (n, fixed by this step)" expander.
    const int editable = m_params->editableCount();
    m_paramToggle->setVisible(editable > 0);
    m_paramToggle->setText(tr("Parameters you can change (%1)").arg(editable));
    // In the presenter layout more than one row of them starts folded: the view needs the room.
    m_paramToggle->setChecked(!(m_compact && editable > 2));
    m_params->setEditorsShown(m_paramToggle->isChecked());
    const bool measured = m_engine->info().provenance == Provenance::Measured;
    m_kind->setText(measured ? tr("<b>measured on this machine</b>") : tr("<b>model</b>"));
    m_kind->setToolTip(measured
            ? tr("Real threads, processes, sockets or memory on this computer, timed with a clock.")
            : tr("A deterministic simulation: the same parameters give the same numbers."));
    m_engine->setSpeed(m_speed->currentData().toDouble());
    m_view->setSpeed(m_speed->currentData().toDouble());
    m_bridge.setEngine(m_engine.get());
    updateActions();
}

namespace {

// The style's media icons are dark grey: redraw them in the theme's text colour
// so that they stay visible on the dark theme and crisp on the projector.
QIcon tinted(const QIcon &icon, const QColor &colour)
{
    QPixmap pm = icon.pixmap(64, 64);
    if (pm.isNull())
        return icon;
    QPainter p(&pm);
    p.setCompositionMode(QPainter::CompositionMode_SourceIn);
    p.fillRect(pm.rect(), colour);
    p.end();
    QIcon out(pm);
    QPixmap disabled = pm;
    QPainter d(&disabled);
    d.setCompositionMode(QPainter::CompositionMode_SourceIn);
    QColor faded = colour;
    faded.setAlpha(90);
    d.fillRect(disabled.rect(), faded);
    d.end();
    out.addPixmap(disabled, QIcon::Disabled);
    return out;
}

} // namespace

void LabPanel::applyTheme(const Theme &theme)
{
    m_theme = theme;
    const std::pair<QAction *, QStyle::StandardPixmap> icons[]
        = {{m_run, QStyle::SP_MediaPlay}, {m_pause, QStyle::SP_MediaPause},
            {m_step, QStyle::SP_MediaSkipForward}, {m_stop, QStyle::SP_MediaStop}};
    for (const auto &[action, pixmap] : icons)
        action->setIcon(tinted(style()->standardIcon(pixmap), theme.text));
    if (m_view)
        m_view->applyTheme(theme);
    m_placeholder->setFont(theme.font(13));
    m_paramBox->setFont(theme.font(10, true));
    m_paramToggle->setFont(theme.font(10, true));
    m_params->applyTheme(theme); // its own font: not the box title's bold
    m_state->setFont(theme.font(10));
    m_kind->setFont(theme.font(10));
    for (QWidget *w : m_toolbar->findChildren<QWidget *>())
        w->setFont(theme.font(10));
    m_state->setWordWrap(true); // a long status wraps instead of widening the window
    const int icon = static_cast<int>(22 * theme.fontScale);
    m_toolbar->setIconSize(QSize(icon, icon));
}

bool LabPanel::configureEngine()
{
    QString error;
    if (!m_engine->configure(m_params->values(), &error)) {
        Q_EMIT message(error);
        return false;
    }
    return true;
}

void LabPanel::run()
{
    if (!m_engine)
        return;
    if (m_engine->state() == RunState::Paused) {
        m_engine->resume();
        updateActions();
        return;
    }
    if (m_engine->isActive())
        return;
    m_engine->stop();
    if (!configureEngine())
        return;
    m_engine->setSpeed(m_speed->currentData().toDouble());
    m_engine->resume(); // clears a pause left from stepping
    m_engine->start();
    m_params->setLocked(true);
    updateActions();
}

void LabPanel::pause()
{
    if (m_engine && m_engine->state() == RunState::Running)
        m_engine->pause();
    updateActions();
}

void LabPanel::stepOnce()
{
    if (!m_engine)
        return;
    if (!m_engine->isActive()) {
        m_engine->stop();
        if (!configureEngine())
            return;
        m_engine->pause();
        m_engine->start();
        m_params->setLocked(true);
    }
    // Stepping is about watching one event at a time: some engines check for a
    // step only every so many events when unpaced (speed "max"), so pace them.
    if (m_engine->speed() <= 0)
        m_engine->setSpeed(1.0);
    m_engine->stepOnce();
    updateActions();
}

void LabPanel::stopRun()
{
    if (!m_engine || !m_engine->isActive())
        return;
    // Ask and return: the bridge sees the run end and finishes the job (onFinished).
    m_engine->requestStop();
    m_state->setText(tr(" stopping..."));
    updateActions();
}

void LabPanel::replaceEngine()
{
    // A fresh engine of the same kind takes over at once; the old one stops on its own time.
    m_bridge.setEngine(nullptr);
    std::unique_ptr<Engine> fresh = EngineRegistry::builtin().create(m_engine->info().id);
    fresh->setSpeed(m_engine->speed());
    m_reaper.retire(std::move(m_engine));
    m_engine = std::move(fresh);
    m_bridge.setEngine(m_engine.get());
}

void LabPanel::reset()
{
    if (!m_engine)
        return;
    if (m_engine->isActive())
        replaceEngine();
    m_engine->stop(); // joins a run that already returned, if any
    m_engine->resume();
    m_params->resetToPreset();
    m_params->setLocked(false);
    m_view->reset();
    m_progress->setValue(0);
    m_state->clear();
    updateActions();
}

void LabPanel::setSpeed(double factor)
{
    const int index = m_speed->findData(factor);
    if (index >= 0 && index != m_speed->currentIndex()) {
        m_speed->setCurrentIndex(index); // comes back here through the signal
        return;
    }
    if (m_engine)
        m_engine->setSpeed(factor);
    if (m_view)
        m_view->setSpeed(factor);
}

bool LabPanel::runToEnd(int timeoutMs)
{
    if (!m_engine)
        return false;
    const int speedIndex = m_speed->currentIndex();
    setSpeed(0);
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    const auto conn = connect(this, &LabPanel::runFinished, &loop, &QEventLoop::quit);
    run();
    bool ended = false;
    if (m_engine->isActive()) {
        timeout.start(timeoutMs);
        loop.exec();
    }
    disconnect(conn);
    ended = !m_engine->isActive();
    if (!ended)
        stopRun();
    // A run that ended before the wait began (a model is quick) is finished now, not at the next
    // tick: the caller reads its result on return.
    m_bridge.poll();
    m_bridge.refresh();
    m_speed->setCurrentIndex(speedIndex);
    return ended;
}

void LabPanel::onSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    if (m_view)
        m_view->showSnapshot(snapshot, state);
    if (snapshot) {
        m_progress->setValue(static_cast<int>(snapshot->progress * 1000));
        if (!snapshot->status.isEmpty())
            m_state->setText(QStringLiteral(" ") + snapshot->status);
    }
}

void LabPanel::onStateChanged(RunState)
{
    updateActions();
}

void LabPanel::onFinished(RunState state)
{
    m_params->setLocked(false);
    if (m_engine && (state == RunState::Finished || state == RunState::Failed))
        m_runHistory.add(m_engine->snapshot()); // before the last frame is drawn: views compare with it
    m_bridge.refresh();
    const auto snap = m_engine ? m_engine->snapshot() : nullptr;
    updateActions();
    if (!snap)
        return;
    m_lastResult = snap->result;
    m_hasResult = state == RunState::Finished && snap->result.error.isEmpty();
    if (!snap->result.error.isEmpty())
        Q_EMIT message(tr("The run failed: %1").arg(snap->result.error));
    else if (state == RunState::Stopped)
        m_state->setText(tr(" stopped"));
    if (state == RunState::Finished)
        m_progress->setValue(1000);
    updateActions();
    Q_EMIT runFinished(snap->result);
}

void LabPanel::setCompact(bool on)
{
    m_compact = on;
    if (m_params->editableCount() > 2)
        m_paramToggle->setChecked(!on);
}

bool LabPanel::parametersFolded() const
{
    return m_paramToggle->isVisible() && !m_paramToggle->isChecked();
}

void LabPanel::updateActions()
{
    const bool has = m_engine != nullptr;
    const RunState s = has ? m_engine->state() : RunState::Idle;
    const bool active = s == RunState::Running || s == RunState::Paused;
    const bool stopping = has && m_engine->stopPending();
    m_run->setEnabled(has && s != RunState::Running && !stopping);
    m_run->setText(s == RunState::Paused ? tr("&Resume") : tr("&Run"));
    m_pause->setEnabled(has && s == RunState::Running);
    m_step->setEnabled(has && (m_engine->supportsStep() || !active));
    m_stop->setEnabled(has && active && !stopping);
    m_pause->setEnabled(m_pause->isEnabled() && !stopping);
    m_step->setEnabled(m_step->isEnabled() && !stopping);
    m_reset->setEnabled(has);
    m_speed->setEnabled(has);
    // An empty bar before the first run looks like a text box on the projector: it shows once
    // there is progress to show (its room is kept, so nothing jumps).
    m_progress->setVisible(active || stopping || m_progress->value() > 0);
    m_toolbar->setEnabled(true);
}

} // namespace proclab
