#pragma once

#include "parameter.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace proclab {

/// Where a run is. Idle before start; Finished, Stopped and Failed are final.
enum class RunState { Idle, Running, Paused, Finished, Stopped, Failed };

QString runStateName(RunState s);

/**
 * @brief What an engine is, independent of any run.
 */
struct EngineInfo {
    QString id; ///< "sharedvar", "ctxswitch", ... used by the CLI and lesson files
    QString title; ///< human title
    Provenance provenance = Provenance::Model;
    QString description; ///< one or two sentences for `proclab list` and tooltips
    QStringList syllabus; ///< syllabus ids the engine serves
    /// Ids of the views that draw this engine (the first is its default view). Views register
    /// under these ids in views/; lessons are checked against them without a GUI.
    QStringList views;
};

/**
 * @brief One named number of a result's summary: its key, unit and meaning.
 *
 * Engines declare their summary keys so that lessons (`answerFrom`, placeholders in
 * explanations) can be checked without a run. A key ending in `*` stands for a family
 * ("final_*": one key per process).
 */
struct OutputSpec {
    QString key; ///< "process_switch_pipe_us_median"
    QString unit; ///< "us", "x", "" for counts
    QString help; ///< one line: what it is and how it was obtained

    /// Whether @p summaryKey is this key or a member of this family.
    bool matches(const QString &summaryKey) const;
};

/// Whether @p key is one of @p outputs (or of a family among them).
bool outputsContain(const std::vector<OutputSpec> &outputs, const QString &key);

/**
 * @brief The base of every engine's published state.
 *
 * An engine publishes an immutable snapshot (a subclass carrying its own view
 * model: lanes, histograms, grids) and the GUI copies the shared pointer when
 * the revision changed. Nothing in a snapshot is touched after publishing.
 */
struct Snapshot {
    virtual ~Snapshot() = default;
    double progress = 0; ///< 0..1, for progress bars
    QString status; ///< one line of what the engine is doing now
    Result result; ///< the result so far; complete once the run finished
};

/**
 * @brief An engine: a real measurement or a model, run on a thread the engine owns.
 *
 * Life cycle: configure() while idle, start() launches run() on the engine's
 * own thread, stop() asks it to end and joins it. pause(), resume() and
 * stepOnce() gate the run at its checkpoints; setSpeed() scales the pacing of
 * animated runs (0 means as fast as possible, used by the command line).
 *
 * Threading: run() is the only code on the engine thread. It publishes
 * snapshots with publish(); every other method is called from the owner's
 * thread.
 *
 * Creation: an engine class on its own is abstract; makeEngine<E>() creates
 * one wrapped so that destroying it stops and joins the run first, before the
 * engine's own members go away. Engines therefore need no destructor of
 * their own for stopping.
 */
class Engine {
public:
    explicit Engine(EngineInfo info);
    virtual ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    const EngineInfo &info() const { return m_info; }
    /// @brief The parameters this engine accepts.
    virtual ParamSchema schema() const = 0;
    /// @brief The summary keys a run's result can hold (see OutputSpec).
    virtual std::vector<OutputSpec> outputs() const { return {}; }
    /// @brief Whether stepOnce() advances by one meaningful event (models) rather than a checkpoint.
    virtual bool supportsStep() const { return true; }

    /**
     * @brief Sets parameters: the defaults overlaid with @p overrides, validated.
     * @return false with a one-line @p error naming the parameter, value and range
     */
    bool configure(const QVariantMap &overrides, QString *error = nullptr);
    const ParamValues &parameters() const { return m_params; }

    /// @brief Starts a run on the engine's thread. Restarts from scratch if a run ended.
    void start();
    /**
     * @brief Asks the run to end and wakes it, without waiting: the finished callback
     * follows once run() returned. Safe to call at any time, from the owner's thread.
     */
    void requestStop();
    /// @brief Asks the run to end, wakes it and joins the thread. Safe to call at any time.
    void stop();
    void pause();
    void resume();
    /// @brief Lets a paused run pass one checkpoint, then pause again. Starts paused if idle.
    void stepOnce();
    /// @brief Pacing factor for animated runs: 1 real time, 2 twice as fast, 0 no pacing.
    void setSpeed(double factor);
    double speed() const { return m_speed.load(); }

    RunState state() const { return m_state.load(); }
    bool isActive() const;
    /// @brief A stop was requested and the run has not returned yet ("stopping...").
    bool stopPending() const { return isActive() && m_stopRequested.load(); }
    /// Bumped on every publish(); the GUI redraws only when it changed.
    quint64 revision() const { return m_revision.load(std::memory_order_acquire); }
    std::shared_ptr<const Snapshot> snapshot() const;

    /// @brief Blocks until the run ends or @p timeout passes; true if it ended.
    bool waitFinished(std::chrono::milliseconds timeout);
    /// @brief Called on the engine thread when run() returned. Keep it short (post to the GUI).
    void setFinishedCallback(std::function<void()> callback);

protected:
    /// The run itself, on the engine thread. Return when done or when checkpoint() says stop.
    virtual void run() = 0;

    /**
     * @brief Called by configure() with the validated values: an engine that keeps a typed
     * configuration (ConfiguredEngine) converts and cross-checks them here.
     * @return false with a one-line @p error when the combination is refused
     */
    virtual bool acceptParameters(const ParamValues &values, QString *error);

    /**
     * @brief Called (on the owner's thread) after the stop flag is set, to wake waits that the
     * engine's own primitives block in (a socket, an io_context). Keep it short; never join here.
     */
    virtual void onStopRequested() { }

    /// Blocks while paused; returns false when a stop was requested.
    bool checkpoint();
    bool stopRequested() const { return m_stopRequested.load(std::memory_order_relaxed); }
    /// Waits @p simulatedSeconds divided by speed (no wait at speed 0); false on stop.
    /// Not a checkpoint: call checkpoint() once per event so that a step is one event.
    bool pace(double simulatedSeconds);
    /// Interruptible sleep; false when a stop was requested.
    bool sleepFor(std::chrono::nanoseconds duration);

    void publish(std::shared_ptr<Snapshot> snapshot);
    /// A result with engine id, provenance, parameters and (when measured) the machine filled in.
    Result makeResult() const;

    /// Parameter accessors for run().
    qint64 intParam(const QString &name) const { return m_params.value(name).toLongLong(); }
    double realParam(const QString &name) const { return m_params.value(name).toDouble(); }
    bool boolParam(const QString &name) const { return m_params.value(name).toBool(); }
    QString textParam(const QString &name) const { return m_params.value(name).toString(); }

private:
    template<class E> friend class ManagedEngine;
    /// Implemented only by ManagedEngine: keeps every engine class abstract until wrapped.
    virtual void managedByMakeEngine() = 0;

    void threadMain();

    EngineInfo m_info;
    ParamValues m_params;
    std::thread m_thread;

    mutable std::mutex m_mutex; // guards the gate, the snapshot and the callback
    std::condition_variable m_wake;
    std::condition_variable m_done;
    bool m_paused = false;
    int m_stepTokens = 0;
    bool m_finished = true;
    std::shared_ptr<const Snapshot> m_snapshot;
    std::function<void()> m_finishedCallback;

    std::atomic<bool> m_stopRequested {false};
    std::atomic<RunState> m_state {RunState::Idle};
    std::atomic<quint64> m_revision {0};
    std::atomic<double> m_speed {1.0};
};

/**
 * @brief The only concrete form of an engine: @p E, stopped and joined before it is destroyed.
 *
 * The stop happens in this most-derived destructor, so run() can no longer touch members of
 * @p E when they are destroyed.
 */
template<class E> class ManagedEngine final : public E {
public:
    using E::E;
    ~ManagedEngine() override { this->stop(); }

private:
    void managedByMakeEngine() override { }
};

/// @brief Creates an engine of type @p E (see ManagedEngine).
template<class E, class... Args> std::unique_ptr<E> makeEngine(Args &&...args)
{
    static_assert(std::is_base_of_v<Engine, E>, "makeEngine creates engines");
    return std::make_unique<ManagedEngine<E>>(std::forward<Args>(args)...);
}

/**
 * @brief An engine with a typed configuration, converted and checked once in configure().
 *
 * @p Config provides `static std::optional<Config> fromParams(const ParamValues &, QString *error)`.
 * run() reads config(); it never parses parameter text.
 */
template<class Config> class ConfiguredEngine : public Engine {
public:
    using Engine::Engine;

protected:
    const Config &config() const { return m_config; }

    bool acceptParameters(const ParamValues &values, QString *error) override
    {
        std::optional<Config> parsed = Config::fromParams(values, error);
        if (!parsed)
            return false;
        m_config = std::move(*parsed);
        return true;
    }

private:
    Config m_config {};
};

/**
 * @brief Runs an engine to the end on its own thread and returns its result.
 * @param timeout the run is stopped after this long and the result says so
 */
Result runToCompletion(Engine &engine, std::chrono::milliseconds timeout);

} // namespace proclab
