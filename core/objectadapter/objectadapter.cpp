#include "objectadapter.h"

#include "invocationplan.h"
#include "printerservant.h"

#include <algorithm>
#include <chrono>
#include <deque>

namespace proclab {

struct ObjectAdapter::Instance {
    std::int64_t serial = 0;
    int object = 0;
    int client = -1;
    PrinterServant servant;
    std::mutex callMutex; ///< one call at a time on the servant (it is not thread-safe)
    // Guarded by the adapter's m_mutex:
    std::deque<Job> queue; ///< thread per object: invocations waiting for the worker
    std::condition_variable wake; ///< the worker waits on it
    bool retiring = false; ///< dropped: the worker ends once the queue is empty
    bool dropWhenIdle = false; ///< its client left: drop it once nothing runs
    bool dropped = false;
    int pending = 0; ///< accepted invocations not yet finished
    std::int64_t calls = 0; ///< copy of servant.calls() for views

    Instance(std::int64_t s, int o, int c)
        : serial(s)
        , object(o)
        , client(c)
        , servant(InvocationPlan::prefix(o))
    {
    }
};

ObjectAdapter::ObjectAdapter(
    ActivationPolicy activation, ThreadingPolicy threading, int objects, int serviceUs)
    : m_activation(activation)
    , m_threading(threading)
    , m_objects(objects)
    , m_serviceUs(serviceUs)
{
    m_counters.activationsPerObject.assign(std::size_t(std::max(1, objects)), 0);
}

ObjectAdapter::~ObjectAdapter()
{
    shutdown();
}

int ObjectAdapter::objectIndex(const std::string &identity) const
{
    for (int i = 0; i < m_objects; ++i) {
        if (InvocationPlan::identity(i) == identity)
            return i;
    }
    return -1;
}

std::shared_ptr<ObjectAdapter::Instance> ObjectAdapter::activateLocked(int client, int object)
{
    std::pair<int, int> key {-1, object};
    if (m_activation == ActivationPolicy::PerClient)
        key.first = client;
    if (m_activation != ActivationPolicy::PerRequest) {
        const auto it = m_keyed.find(key);
        if (it != m_keyed.end())
            return it->second;
    }
    auto inst = std::make_shared<Instance>(
        m_nextSerial++, object, m_activation == ActivationPolicy::PerClient ? client : -1);
    ++m_counters.activations;
    ++m_counters.activationsPerObject[std::size_t(object)];
    ++m_counters.liveObjects;
    m_counters.maxLiveObjects = std::max(m_counters.maxLiveObjects, m_counters.liveObjects);
    if (m_activation != ActivationPolicy::PerRequest)
        m_keyed[key] = inst;
    m_live.push_back(inst);
    if (m_threading == ThreadingPolicy::ThreadPerObject)
        spawnLocked([this, inst] { workerLoop(inst); }, false);
    return inst;
}

void ObjectAdapter::deactivateLocked(const std::shared_ptr<Instance> &inst)
{
    if (inst->dropped)
        return;
    inst->dropped = true;
    ++m_counters.deactivations;
    --m_counters.liveObjects;
    if (m_activation != ActivationPolicy::PerRequest) {
        const std::pair<int, int> key {
            m_activation == ActivationPolicy::PerClient ? inst->client : -1, inst->object};
        const auto it = m_keyed.find(key);
        if (it != m_keyed.end() && it->second == inst)
            m_keyed.erase(it);
    }
    std::erase(m_live, inst);
    if (m_threading == ThreadingPolicy::ThreadPerObject)
        --m_counters.liveThreads; // its worker's job ends with the object; it only winds down now
    inst->retiring = true;
    inst->wake.notify_all();
}

void ObjectAdapter::spawnLocked(std::function<void()> body, bool countedUntilExit)
{
    auto done = std::make_shared<bool>(false);
    ++m_counters.threadsStarted;
    ++m_counters.liveThreads;
    m_counters.maxLiveThreads = std::max(m_counters.maxLiveThreads, m_counters.liveThreads);
    m_threads.push_back({std::thread([this, body = std::move(body), done, countedUntilExit] {
                             body();
                             std::lock_guard lock(m_mutex);
                             if (countedUntilExit)
                                 --m_counters.liveThreads;
                             *done = true;
                         }),
        done});
}

bool ObjectAdapter::invoke(int client, int object, const std::string &method, const std::string &argument,
    Reply reply, std::string *error)
{
    if (object < 0 || object >= m_objects) {
        *error = "no such object";
        return false;
    }
    if (method != "printString") {
        *error
            = "no method '" + method + "' on " + InvocationPlan::identity(object) + " (it has printString)";
        return false;
    }
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
        *error = "the adapter is shut down";
        return false;
    }
    ++m_counters.invocations;
    std::shared_ptr<Instance> inst = activateLocked(client, object);
    ++inst->pending;
    Job job {argument, std::move(reply)};
    if (m_threading == ThreadingPolicy::ThreadPerObject) {
        inst->queue.push_back(std::move(job));
        inst->wake.notify_one();
    } else {
        spawnLocked([this, inst, job = std::move(job)]() mutable { execute(inst, job); });
    }
    return true;
}

void ObjectAdapter::execute(const std::shared_ptr<Instance> &inst, Job &job)
{
    {
        // The method's work; shutdown cuts it short.
        std::unique_lock lock(m_mutex);
        m_stopWake.wait_for(lock, std::chrono::microseconds(m_serviceUs), [this] { return m_stopping; });
    }
    std::string text;
    std::int64_t calls = 0;
    {
        std::lock_guard call(inst->callMutex);
        text = inst->servant.printString(job.argument);
        calls = inst->servant.calls();
    }
    {
        // The books are kept before the reply goes out, so whoever has the reply in hand sees the
        // invocation finished (and a client that leaves right after it sees its objects dropped).
        std::lock_guard lock(m_mutex);
        inst->calls = calls;
        m_counters.maxCallsOnOneObject = std::max(m_counters.maxCallsOnOneObject, calls);
        ++m_counters.completed;
        --inst->pending;
        if (m_activation == ActivationPolicy::PerRequest || (inst->dropWhenIdle && inst->pending == 0))
            deactivateLocked(inst);
        m_history.push_back({m_counters.completed, m_counters.activations, m_counters.threadsStarted,
            m_counters.liveThreads, m_counters.liveObjects});
    }
    if (job.reply)
        job.reply("OK " + text);
}

void ObjectAdapter::workerLoop(const std::shared_ptr<Instance> &inst)
{
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            inst->wake.wait(lock, [&] { return !inst->queue.empty() || inst->retiring; });
            if (inst->queue.empty())
                return; // dropped and nothing left to run
            job = std::move(inst->queue.front());
            inst->queue.pop_front();
        }
        execute(inst, job);
    }
}

void ObjectAdapter::clientGone(int client)
{
    std::lock_guard lock(m_mutex);
    if (m_activation != ActivationPolicy::PerClient)
        return;
    for (const auto &inst : std::vector<std::shared_ptr<Instance>>(m_live)) {
        if (inst->client != client)
            continue;
        inst->dropWhenIdle = true;
        if (inst->pending == 0)
            deactivateLocked(inst);
    }
}

void ObjectAdapter::reap()
{
    std::vector<std::thread> ended;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_threads.begin(); it != m_threads.end();) {
            if (*it->done) {
                ended.push_back(std::move(it->thread));
                it = m_threads.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (std::thread &t : ended)
        t.join();
}

void ObjectAdapter::shutdown()
{
    std::vector<Spawned> all;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_stopWake.notify_all();
        for (const auto &inst : std::vector<std::shared_ptr<Instance>>(m_live)) {
            if (inst->pending == 0)
                deactivateLocked(inst);
            else
                inst->dropWhenIdle = true; // its running invocations drop it
        }
        all.swap(m_threads);
    }
    for (Spawned &s : all)
        s.thread.join();
    // Threads spawned while joining (none: invoke refuses once stopping) would be joined here.
    std::lock_guard lock(m_mutex);
    for (const auto &inst : std::vector<std::shared_ptr<Instance>>(m_live))
        deactivateLocked(inst);
}

AdapterCounters ObjectAdapter::counters() const
{
    std::lock_guard lock(m_mutex);
    return m_counters;
}

std::vector<AdapterStep> ObjectAdapter::history() const
{
    std::lock_guard lock(m_mutex);
    return m_history;
}

std::vector<ObjectView> ObjectAdapter::liveObjects() const
{
    std::lock_guard lock(m_mutex);
    std::vector<ObjectView> out;
    for (const auto &inst : m_live) {
        ObjectView v;
        v.serial = inst->serial;
        v.object = inst->object;
        v.client = inst->client;
        v.calls = inst->calls;
        v.ownThread = m_threading == ThreadingPolicy::ThreadPerObject;
        v.running = inst->pending;
        out.push_back(v);
    }
    return out;
}

} // namespace proclab
