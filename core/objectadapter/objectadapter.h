#pragma once

#include "activationpolicy.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace proclab {

/**
 * @brief The adapter's counters, copied under its lock.
 */
struct AdapterCounters {
    std::int64_t invocations = 0; ///< invocations accepted
    std::int64_t completed = 0; ///< invocations whose object ran and replied
    std::int64_t activations = 0; ///< objects created
    std::int64_t deactivations = 0; ///< objects dropped
    std::int64_t threadsStarted = 0; ///< threads the adapter started (workers or per-request)
    int liveThreads = 0; ///< of those, still at work now (a thread per object: until its object is dropped)
    int maxLiveThreads = 0;
    int liveObjects = 0; ///< activated and not yet dropped
    int maxLiveObjects = 0;
    std::int64_t maxCallsOnOneObject = 0; ///< the most invocations one activated object served
    std::vector<std::int64_t> activationsPerObject; ///< by object index
};

/**
 * @brief The adapter's counters right after one invocation finished (one per invocation).
 */
struct AdapterStep {
    std::int64_t completed = 0; ///< invocations finished, this one included
    std::int64_t activations = 0;
    std::int64_t threadsStarted = 0;
    int liveThreads = 0;
    int liveObjects = 0;
};

/**
 * @brief One activated object, as the view draws it.
 */
struct ObjectView {
    std::int64_t serial = 0; ///< activation number, from 1
    int object = 0; ///< object index (identity SimplePrinter<index+1>)
    int client = -1; ///< the client it belongs to (per-client policy), else -1
    std::int64_t calls = 0; ///< invocations it served so far
    bool ownThread = false; ///< it has a thread of its own (thread per object)
    int running = 0; ///< invocations accepted for it and not finished
};

/**
 * @brief An object adapter: it demultiplexes invocations to objects it activates by its
 * activation policy and runs them on threads by its threading policy.
 *
 * Real threads: with thread-per-object every activated object has a worker thread with a
 * queue; with thread-per-request every invocation runs on a new thread. Each invocation holds
 * its object for serviceUs (the method's work) before the servant answers. Objects are dropped
 * after their invocation (per request), when their client leaves (per client) or at shutdown
 * (per server); a dropped object's worker finishes its queue and ends.
 *
 * Threads that ended are joined by reap() (the caller's thread, never an adapter thread) and
 * all of them by shutdown(), which also drops every object. Every method may be called from
 * any thread except reap() and shutdown(), which must not run on an adapter thread.
 */
class ObjectAdapter {
public:
    /// Receives the reply line ("OK Object1 says: ..."), called on the thread that ran the call.
    using Reply = std::function<void(const std::string &line)>;

    ObjectAdapter(ActivationPolicy activation, ThreadingPolicy threading, int objects, int serviceUs);
    ~ObjectAdapter();
    ObjectAdapter(const ObjectAdapter &) = delete;
    ObjectAdapter &operator=(const ObjectAdapter &) = delete;

    /// @brief The index of the object named @p identity ("SimplePrinter2" -> 1), or -1.
    int objectIndex(const std::string &identity) const;

    /**
     * @brief Dispatches @p method(@p argument) of object @p object for client @p client.
     * @return false with a one-line @p error (unknown method, shut down); nothing is activated then
     */
    bool invoke(int client, int object, const std::string &method, const std::string &argument, Reply reply,
        std::string *error);
    /// @brief Client @p client disconnected: its per-client objects are dropped once idle.
    void clientGone(int client);
    /// @brief Joins the adapter threads that have ended.
    void reap();
    /// @brief Drops every object and joins every thread. Idempotent.
    void shutdown();

    AdapterCounters counters() const;
    std::vector<ObjectView> liveObjects() const;
    /// @brief The counters after each finished invocation, in order.
    std::vector<AdapterStep> history() const;

    ActivationPolicy activation() const { return m_activation; }
    ThreadingPolicy threading() const { return m_threading; }

private:
    struct Job {
        std::string argument;
        Reply reply;
    };
    struct Instance;
    struct Spawned {
        std::thread thread;
        std::shared_ptr<bool> done; ///< set under m_mutex as the thread's last act
    };

    std::shared_ptr<Instance> activateLocked(int client, int object);
    void deactivateLocked(const std::shared_ptr<Instance> &inst);
    void execute(const std::shared_ptr<Instance> &inst, Job &job);
    /// countedUntilExit false: a thread per object, counted live until its object is dropped.
    void spawnLocked(std::function<void()> body, bool countedUntilExit = true);
    void workerLoop(const std::shared_ptr<Instance> &inst);

    const ActivationPolicy m_activation;
    const ThreadingPolicy m_threading;
    const int m_objects;
    const int m_serviceUs;

    mutable std::mutex m_mutex; // guards everything below and every Instance's queue and flags
    std::condition_variable m_stopWake; // wakes invocations waiting out their service time
    bool m_stopping = false;
    std::map<std::pair<int, int>, std::shared_ptr<Instance>> m_keyed; ///< (client or -1, object)
    std::vector<std::shared_ptr<Instance>> m_live;
    std::vector<Spawned> m_threads;
    AdapterCounters m_counters;
    std::vector<AdapterStep> m_history;
    std::int64_t m_nextSerial = 1;
};

} // namespace proclab
