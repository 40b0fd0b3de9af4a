#include "engine.h"

#include <QJsonValue>

#include <cassert>

namespace proclab {

QString runStateName(RunState s)
{
    switch (s) {
    case RunState::Idle:
        return QStringLiteral("idle");
    case RunState::Running:
        return QStringLiteral("running");
    case RunState::Paused:
        return QStringLiteral("paused");
    case RunState::Finished:
        return QStringLiteral("finished");
    case RunState::Stopped:
        return QStringLiteral("stopped");
    case RunState::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

Engine::Engine(EngineInfo info)
    : m_info(std::move(info))
{
}

bool OutputSpec::matches(const QString &summaryKey) const
{
    if (key.endsWith(QLatin1Char('*')))
        return summaryKey.startsWith(QStringView(key).chopped(1));
    return summaryKey == key;
}

bool outputsContain(const std::vector<OutputSpec> &outputs, const QString &key)
{
    for (const OutputSpec &o : outputs) {
        if (o.matches(key))
            return true;
    }
    return false;
}

Engine::~Engine()
{
    // ManagedEngine (the only concrete form) stopped the run before the subclass's members went.
    assert(!m_thread.joinable());
}

bool Engine::configure(const QVariantMap &overrides, QString *error)
{
    if (isActive()) {
        if (error)
            *error = QStringLiteral("cannot change parameters while the engine runs");
        return false;
    }
    ParamValues values;
    if (!schema().resolve(overrides, &values, error))
        return false;
    if (!acceptParameters(values, error))
        return false;
    m_params = values;
    return true;
}

bool Engine::acceptParameters(const ParamValues &, QString *)
{
    return true;
}

bool Engine::isActive() const
{
    const RunState s = m_state.load();
    return s == RunState::Running || s == RunState::Paused;
}

void Engine::start()
{
    stop();
    if (m_params.isEmpty()) {
        // Never configured: the defaults. A schema whose defaults the engine refuses is a bug.
        [[maybe_unused]] const bool ok = configure({});
        assert(ok);
    }
    {
        std::lock_guard lock(m_mutex);
        m_finished = false;
        m_snapshot.reset();
    }
    m_stopRequested = false;
    m_state = m_paused ? RunState::Paused : RunState::Running;
    m_revision.fetch_add(1, std::memory_order_release);
    m_thread = std::thread([this] { threadMain(); });
}

void Engine::requestStop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopRequested = true;
    }
    m_wake.notify_all();
    onStopRequested();
}

void Engine::stop()
{
    if (!m_thread.joinable())
        return;
    requestStop();
    m_thread.join();
}

void Engine::pause()
{
    std::lock_guard lock(m_mutex);
    m_paused = true;
    m_stepTokens = 0;
    if (m_state.load() == RunState::Running)
        m_state = RunState::Paused;
}

void Engine::resume()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = false;
        if (m_state.load() == RunState::Paused)
            m_state = RunState::Running;
    }
    m_wake.notify_all();
}

void Engine::stepOnce()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = true;
        ++m_stepTokens;
    }
    if (!isActive() && m_state.load() == RunState::Idle) {
        start();
        return;
    }
    m_wake.notify_all();
}

void Engine::setSpeed(double factor)
{
    m_speed = factor < 0 ? 0 : factor;
    m_wake.notify_all();
}

std::shared_ptr<const Snapshot> Engine::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_snapshot;
}

bool Engine::waitFinished(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_done.wait_for(lock, timeout, [this] { return m_finished; });
}

void Engine::setFinishedCallback(std::function<void()> callback)
{
    std::lock_guard lock(m_mutex);
    m_finishedCallback = std::move(callback);
}

bool Engine::checkpoint()
{
    std::unique_lock lock(m_mutex);
    while (m_paused && m_stepTokens == 0 && !m_stopRequested.load())
        m_wake.wait(lock);
    if (m_stopRequested.load())
        return false;
    if (m_paused && m_stepTokens > 0)
        --m_stepTokens;
    return true;
}

bool Engine::pace(double simulatedSeconds)
{
    const double factor = m_speed.load();
    if (factor <= 0 || simulatedSeconds <= 0)
        return !stopRequested();
    const auto wait = std::chrono::duration<double>(simulatedSeconds / factor);
    return sleepFor(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
}

bool Engine::sleepFor(std::chrono::nanoseconds duration)
{
    std::unique_lock lock(m_mutex);
    const auto deadline = std::chrono::steady_clock::now() + duration;
    // A speed change also wakes the wait; the deadline stays as computed.
    while (!m_stopRequested.load()) {
        if (m_wake.wait_until(lock, deadline) == std::cv_status::timeout)
            break;
    }
    return !m_stopRequested.load();
}

void Engine::publish(std::shared_ptr<Snapshot> snapshot)
{
    {
        std::lock_guard lock(m_mutex);
        m_snapshot = std::move(snapshot);
    }
    m_revision.fetch_add(1, std::memory_order_release);
}

Result Engine::makeResult() const
{
    Result r;
    r.engineId = m_info.id;
    r.provenance = m_info.provenance;
    const ParamSchema s = schema();
    for (const auto &spec : s.specs()) {
        const QVariant v = m_params.value(spec.name, spec.defaultValue);
        r.parameters.insert(spec.name, spec.format(v));
    }
    if (m_info.provenance == Provenance::Measured)
        r.machine = machineDescription();
    return r;
}

void Engine::threadMain()
{
    run();
    std::function<void()> callback;
    {
        std::lock_guard lock(m_mutex);
        const bool failed = m_snapshot && !m_snapshot->result.error.isEmpty();
        if (failed)
            m_state = RunState::Failed;
        else if (m_stopRequested.load())
            m_state = RunState::Stopped;
        else
            m_state = RunState::Finished;
        m_finished = true;
        callback = m_finishedCallback;
    }
    m_revision.fetch_add(1, std::memory_order_release);
    m_done.notify_all();
    if (callback)
        callback();
}

Result runToCompletion(Engine &engine, std::chrono::milliseconds timeout)
{
    engine.setSpeed(0);
    engine.start();
    const bool ended = engine.waitFinished(timeout);
    engine.stop();
    const auto snap = engine.snapshot();
    Result r = snap ? snap->result : Result {};
    if (r.engineId.isEmpty())
        r.engineId = engine.info().id;
    if (!ended && r.error.isEmpty())
        r.error = QStringLiteral("stopped after the time limit of %1 s").arg(timeout.count() / 1000.0);
    else if (!snap && r.error.isEmpty())
        r.error = QStringLiteral("the engine produced no result");
    return r;
}

} // namespace proclab
