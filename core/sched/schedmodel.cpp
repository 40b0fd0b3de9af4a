#include "schedmodel.h"

#include <algorithm>

namespace proclab {

namespace {

// kernel/sched/core.c: sched_prio_to_weight[], nice -20 .. 19. Each step is about 1.25x.
constexpr int kNiceWeights[40] = {
    88761,
    71755,
    56483,
    46273,
    36291,
    29154,
    23254,
    18705,
    14949,
    11916,
    9548,
    7620,
    6100,
    4904,
    3906,
    3121,
    2501,
    1991,
    1586,
    1277,
    1024,
    820,
    655,
    526,
    423,
    335,
    272,
    215,
    172,
    137,
    110,
    87,
    70,
    56,
    45,
    36,
    29,
    23,
    18,
    15,
};

} // namespace

int niceToWeight(int nice)
{
    return kNiceWeights[std::clamp(nice, -20, 19) + 20];
}

QString userStateName(UserState s)
{
    switch (s) {
    case UserState::NotStarted:
        return QStringLiteral("not started");
    case UserState::Ready:
        return QStringLiteral("ready");
    case UserState::Running:
        return QStringLiteral("running");
    case UserState::BlockedSyscall:
        return QStringLiteral("blocked (system call)");
    case UserState::BlockedUser:
        return QStringLiteral("waiting (user level)");
    case UserState::Done:
        return QStringLiteral("done");
    }
    return {};
}

QString kernelStateName(KernelState s)
{
    switch (s) {
    case KernelState::NotCreated:
        return QStringLiteral("not created");
    case KernelState::Ready:
        return QStringLiteral("ready");
    case KernelState::Running:
        return QStringLiteral("running");
    case KernelState::Blocked:
        return QStringLiteral("blocked");
    case KernelState::Idle:
        return QStringLiteral("idle");
    case KernelState::Destroyed:
        return QStringLiteral("destroyed");
    }
    return {};
}

QString schedEventName(SchedEvent::Kind k)
{
    switch (k) {
    case SchedEvent::Kind::Create:
        return QStringLiteral("create");
    case SchedEvent::Kind::Run:
        return QStringLiteral("run");
    case SchedEvent::Kind::Preempt:
        return QStringLiteral("preempt");
    case SchedEvent::Kind::Block:
        return QStringLiteral("block");
    case SchedEvent::Kind::UserBlock:
        return QStringLiteral("user-block");
    case SchedEvent::Kind::Wake:
        return QStringLiteral("wake");
    case SchedEvent::Kind::Trap:
        return QStringLiteral("trap");
    case SchedEvent::Kind::UserSwitch:
        return QStringLiteral("user-switch");
    case SchedEvent::Kind::Idle:
        return QStringLiteral("idle");
    case SchedEvent::Kind::Destroy:
        return QStringLiteral("destroy");
    case SchedEvent::Kind::Exit:
        return QStringLiteral("exit");
    }
    return {};
}

SchedModel::SchedModel(const Workload &workload, const SchedConfig &config)
    : m_workload(workload)
    , m_cfg(config)
{
    m_cfg.cpus = std::clamp(m_cfg.cpus, 1, 64);
    m_cfg.lwpsPerProcess = std::max(1, m_cfg.lwpsPerProcess);
    m_cfg.traceCap = std::max(0, m_cfg.traceCap);
    const bool oneToOne = m_cfg.model == ThreadingModel::OneToOne;
    const int lwps = m_cfg.model == ThreadingModel::ManyToOne ? 1 : m_cfg.lwpsPerProcess;

    // Flatten each thread's script into internal operations. A system call is a
    // trap followed by a kernel block in every model; a user-level wait stays in
    // user space under N:1 and M:N but becomes a kernel wait (trap + block) under 1:1.
    for (int p = 0; p < processCount(); ++p) {
        const WorkProcess &wp = m_workload.processes[p];
        Proc proc;
        if (!oneToOne) {
            proc.firstKt = static_cast<int>(m_kt.size());
            proc.ktCount = lwps;
            proc.liveLwps = lwps;
            for (int i = 0; i < lwps; ++i) {
                KT k;
                k.proc = p;
                k.nice = wp.nice;
                k.weight = niceToWeight(wp.nice);
                k.state = KernelState::Idle; // an LWP with nothing to run yet (rule 4)
                m_kt.push_back(k);
            }
        }
        m_procs.push_back(proc);
        for (const WorkThread &wt : wp.threads) {
            UT u;
            u.proc = p;
            u.nice = wt.nice;
            u.weight = niceToWeight(wt.nice);
            u.startNs = wt.startNs;
            u.loopsLeft = wt.loops;
            u.opBegin = static_cast<int>(m_ops.size());
            for (const WorkOp &op : wt.ops) {
                switch (op.kind) {
                case WorkOp::Kind::Cpu:
                    m_ops.push_back({OpKind::Cpu, op.durationNs});
                    break;
                case WorkOp::Kind::Syscall:
                    if (m_cfg.trapNs > 0)
                        m_ops.push_back({OpKind::Trap, m_cfg.trapNs});
                    m_ops.push_back({OpKind::KBlock, op.durationNs});
                    break;
                case WorkOp::Kind::UserWait:
                    if (oneToOne) {
                        if (m_cfg.trapNs > 0)
                            m_ops.push_back({OpKind::Trap, m_cfg.trapNs});
                        m_ops.push_back({OpKind::KBlock, op.durationNs});
                    } else {
                        m_ops.push_back({OpKind::UBlock, op.durationNs});
                    }
                    break;
                }
            }
            u.opEnd = static_cast<int>(m_ops.size());
            u.opIdx = -1; // before the first op; under 1:1 creating the thread is a trap
            u.remNs = oneToOne ? m_cfg.trapNs : 0;
            if (oneToOne) {
                KT k;
                k.proc = p;
                k.nice = wt.nice;
                k.weight = u.weight;
                k.ut = static_cast<int>(m_ut.size());
                u.kt = static_cast<int>(m_kt.size());
                m_kt.push_back(k);
            }
            m_ut.push_back(u);
        }
    }
    m_cpus.resize(m_cfg.cpus);
    m_fifo.reserve(m_kt.size());
    const size_t cap = static_cast<size_t>(m_cfg.traceCap);
    m_trace.reserve(std::min<size_t>(cap, 1 << 16));
    m_gantt.reserve(std::min<size_t>(cap, 1 << 16));
    m_timeline.reserve(std::min<size_t>(cap, 1 << 16));
    for (int u = 0; u < static_cast<int>(m_ut.size()); ++u) {
        if (m_timeline.size() < cap)
            m_timeline.push_back({0, u, UserState::NotStarted});
    }
    if (m_ut.empty())
        m_finished = true;
}

// ---------------------------------------------------------------- main loop

bool SchedModel::step()
{
    if (m_finished)
        return false;
    m_stepFirstEvent = m_events;
    // Find the earliest event. Ties: CPUs first (by index), then kernel wakes,
    // then user wakes and arrivals (by thread index): a fixed, documented order.
    std::int64_t t = kNever;
    int kind = -1;
    int index = -1;
    for (int c = 0; c < m_cfg.cpus; ++c) {
        const int k = m_cpus[c].kt;
        if (k < 0)
            continue;
        const KT &K = m_kt[k];
        std::int64_t when = K.lastUpdateNs + K.switchLeftNs + m_ut[K.ut].remNs;
        if (K.sliceEndNs < when)
            when = K.sliceEndNs;
        if (when < t) {
            t = when;
            kind = 0;
            index = c;
        }
    }
    for (int k = 0, n = static_cast<int>(m_kt.size()); k < n; ++k) {
        if (m_kt[k].state == KernelState::Blocked && m_kt[k].wakeNs < t) {
            t = m_kt[k].wakeNs;
            kind = 1;
            index = k;
        }
    }
    for (int u = 0, n = static_cast<int>(m_ut.size()); u < n; ++u) {
        const UT &U = m_ut[u];
        if (U.state == UserState::BlockedUser && U.wakeNs < t) {
            t = U.wakeNs;
            kind = 2;
            index = u;
        } else if (U.state == UserState::NotStarted && U.startNs < t) {
            t = U.startNs;
            kind = 3;
            index = u;
        }
    }
    if (kind < 0 || t > m_cfg.maxTimeNs) {
        if (kind >= 0) {
            m_now = m_cfg.maxTimeNs;
            accountAll();
        }
        // Close the open Gantt bars and blocked intervals at the end of the run.
        for (int c = 0; c < m_cfg.cpus; ++c) {
            const int k = m_cpus[c].kt;
            if (k >= 0 && m_now > m_kt[k].segStartNs && m_gantt.size() < size_t(m_cfg.traceCap))
                m_gantt.push_back({m_kt[k].segStartNs, m_now, static_cast<std::int16_t>(c), k, m_kt[k].ut});
        }
        for (UT &U : m_ut) {
            if (U.state == UserState::BlockedSyscall || U.state == UserState::BlockedUser) {
                U.blockedNs += m_now - U.blockSinceNs;
                U.blockSinceNs = m_now;
            }
        }
        m_finished = true;
        return false;
    }
    m_now = t;
    accountAll();
    if (m_cfg.policy == SchedPolicy::Cfs)
        updateMinVruntime();
    switch (kind) {
    case 0:
        onCpuEvent(index);
        break;
    case 1:
        onKernelWake(index);
        break;
    case 2:
        onUserWake(index);
        break;
    default:
        onArrival(index);
        break;
    }
    fillIdleCpus();
    ++m_steps;
    if (m_doneThreads == static_cast<int>(m_ut.size()))
        m_finished = true;
    return true;
}

void SchedModel::runToEnd()
{
    while (step()) { }
}

void SchedModel::accountAll()
{
    for (int c = 0; c < m_cfg.cpus; ++c) {
        if (m_cpus[c].kt >= 0)
            account(m_cpus[c].kt);
    }
}

void SchedModel::account(int k)
{
    KT &K = m_kt[k];
    std::int64_t elapsed = m_now - K.lastUpdateNs;
    if (elapsed <= 0)
        return;
    K.lastUpdateNs = m_now;
    m_cpus[K.cpu].busyNs += elapsed;
    // Switching overhead first: the CPU is busy but the thread makes no progress
    // and (as in Linux, where it is the scheduler's time) gains no vruntime.
    const std::int64_t sw = std::min(elapsed, K.switchLeftNs);
    K.switchLeftNs -= sw;
    m_kernelSwitchTimeNs += sw;
    elapsed -= sw;
    if (elapsed <= 0)
        return;
    UT &U = m_ut[K.ut];
    U.remNs -= elapsed;
    const bool overhead = U.opIdx < 0 || U.exiting || m_ops[U.opIdx].kind == OpKind::Trap;
    if (overhead)
        U.overheadNs += elapsed;
    else
        U.cpuNs += elapsed;
    if (m_cfg.policy == SchedPolicy::Cfs)
        K.vruntime += elapsed * 1024 / K.weight; // vruntime advances at 1024/weight of real time
}

void SchedModel::onCpuEvent(int c)
{
    const int k = m_cpus[c].kt;
    KT &K = m_kt[k];
    if (K.switchLeftNs == 0 && m_ut[K.ut].remNs == 0) {
        continueThread(c);
        return;
    }
    // The slice is over. Keep the CPU if nobody better is ready (Linux puts the
    // task back and picks the leftmost, which may be the same task).
    bool yield = false;
    if (!readyEmpty()) {
        switch (m_cfg.policy) {
        case SchedPolicy::Fcfs:
            break;
        case SchedPolicy::RoundRobin:
            yield = true;
            break;
        case SchedPolicy::Priority:
            for (int r : m_fifo)
                yield = yield || m_kt[r].nice <= K.nice;
            break;
        case SchedPolicy::Cfs:
            yield = less(m_leftmost, k);
            break;
        }
    }
    if (!yield) {
        const std::int64_t slice = sliceFor(k);
        K.sliceEndNs = slice == kNever ? kNever : m_now + K.switchLeftNs + slice;
        return;
    }
    record(SchedEvent::Kind::Preempt, c, k, K.ut);
    setUserState(K.ut, UserState::Ready);
    deschedule(c);
    K.state = KernelState::Ready;
    enqueue(k);
}

bool SchedModel::advanceOp(int u)
{
    UT &U = m_ut[u];
    int next = U.opIdx < 0 ? U.opBegin : U.opIdx + 1;
    if (next >= U.opEnd) {
        if (U.loopsLeft > 0 && --U.loopsLeft == 0)
            return false;
        next = U.opBegin;
    }
    U.opIdx = next;
    const Op &op = m_ops[next];
    U.remNs = (op.kind == OpKind::Cpu || op.kind == OpKind::Trap) ? op.ns : 0;
    return true;
}

void SchedModel::continueThread(int c)
{
    const int k = m_cpus[c].kt;
    KT &K = m_kt[k];
    const int u = K.ut;
    UT &U = m_ut[u];
    if (U.exiting || !advanceOp(u)) {
        if (!U.exiting && m_cfg.model == ThreadingModel::OneToOne && m_cfg.trapNs > 0) {
            // Under 1:1 ending a thread is a kernel operation too.
            U.exiting = true;
            U.remNs = m_cfg.trapNs;
            ++m_traps;
            record(SchedEvent::Kind::Trap, c, k, u);
            return;
        }
        U.finishNs = m_now;
        setUserState(u, UserState::Done);
        record(SchedEvent::Kind::Exit, c, k, u);
        ++m_doneThreads;
        if (m_cfg.model == ThreadingModel::OneToOne) {
            deschedule(c);
            K.state = KernelState::Destroyed;
            K.ut = -1;
            U.kt = -1;
            stopRunnable(k);
        } else {
            closeSegment(c);
            K.ut = -1;
            U.kt = -1;
            bindFromPoolOrIdle(c, k);
        }
        return;
    }
    const Op &op = m_ops[U.opIdx];
    switch (op.kind) {
    case OpKind::Cpu:
        return;
    case OpKind::Trap:
        ++m_traps;
        record(SchedEvent::Kind::Trap, c, k, u);
        return;
    case OpKind::KBlock:
        // Rule 1 (and N:1, 1:1 alike): the kernel thread blocks; the user thread stays bound to it.
        K.state = KernelState::Blocked;
        K.wakeNs = m_now + op.ns;
        U.blockSinceNs = m_now;
        setUserState(u, UserState::BlockedSyscall);
        record(SchedEvent::Kind::Block, c, k, u);
        deschedule(c);
        stopRunnable(k);
        return;
    case OpKind::UBlock:
        // Rule 3: a user-level wait; the library switches this kernel thread to another user thread.
        U.wakeNs = m_now + op.ns;
        U.blockSinceNs = m_now;
        setUserState(u, UserState::BlockedUser);
        record(SchedEvent::Kind::UserBlock, c, k, u);
        closeSegment(c);
        K.ut = -1;
        U.kt = -1;
        bindFromPoolOrIdle(c, k);
        return;
    }
}

void SchedModel::closeSegment(int c)
{
    const int k = m_cpus[c].kt;
    KT &K = m_kt[k];
    if (m_now > K.segStartNs && m_gantt.size() < size_t(m_cfg.traceCap))
        m_gantt.push_back({K.segStartNs, m_now, static_cast<std::int16_t>(c), k, K.ut});
    K.segStartNs = m_now;
}

void SchedModel::bindFromPoolOrIdle(int c, int k)
{
    KT &K = m_kt[k];
    const int u = poolPop(K.proc);
    if (u >= 0) {
        UT &U = m_ut[u];
        K.ut = u;
        U.kt = k;
        K.switchLeftNs += m_cfg.userSwitchNs;
        ++m_userSwitches;
        K.segStartNs = m_now;
        if (U.firstRunNs < 0)
            U.firstRunNs = m_now;
        setUserState(u, UserState::Running);
        record(SchedEvent::Kind::UserSwitch, c, k, u);
        return;
    }
    // Rule 4: nothing to run, the kernel thread goes idle (and may be destroyed).
    deschedule(c);
    K.state = KernelState::Idle;
    stopRunnable(k);
    record(SchedEvent::Kind::Idle, c, k, -1);
    if (m_cfg.model == ThreadingModel::ManyToMany && m_cfg.destroyIdleLwps) {
        K.state = KernelState::Destroyed;
        --m_procs[K.proc].liveLwps;
        record(SchedEvent::Kind::Destroy, -1, k, -1);
    }
}

void SchedModel::makeUserRunnable(int u)
{
    UT &U = m_ut[u];
    setUserState(u, UserState::Ready);
    Proc &P = m_procs[U.proc];
    // Rule 2's other half: wake an idle LWP of the process and bind the thread to it.
    int target = -1;
    bool create = false;
    for (int k = P.firstKt; k < P.firstKt + P.ktCount; ++k) {
        if (m_kt[k].state == KernelState::Idle) {
            target = k;
            break;
        }
    }
    if (target < 0 && P.liveLwps < P.ktCount) {
        for (int k = P.firstKt; k < P.firstKt + P.ktCount; ++k) {
            if (m_kt[k].state == KernelState::Destroyed) {
                target = k;
                create = true;
                break;
            }
        }
    }
    if (target < 0) {
        poolPush(u);
        return;
    }
    KT &K = m_kt[target];
    K.ut = u;
    U.kt = target;
    K.switchLeftNs += m_cfg.userSwitchNs;
    ++m_userSwitches;
    K.state = KernelState::Ready;
    if (create) {
        // The library asks the kernel for a new LWP: a trap.
        ++P.liveLwps;
        K.switchLeftNs += m_cfg.trapNs;
        ++m_traps;
        becomeRunnable(target, true);
        record(SchedEvent::Kind::Create, -1, target, u);
    } else {
        becomeRunnable(target, false);
        record(SchedEvent::Kind::Wake, -1, target, u);
    }
    enqueue(target);
    preemptIfBetter(target);
}

void SchedModel::onKernelWake(int k)
{
    KT &K = m_kt[k];
    const int u = K.ut;
    UT &U = m_ut[u];
    U.blockedNs += m_now - U.blockSinceNs;
    setUserState(u, UserState::Ready);
    K.state = KernelState::Ready;
    becomeRunnable(k, false);
    record(SchedEvent::Kind::Wake, -1, k, u);
    enqueue(k);
    preemptIfBetter(k);
}

void SchedModel::onUserWake(int u)
{
    UT &U = m_ut[u];
    U.blockedNs += m_now - U.blockSinceNs;
    record(SchedEvent::Kind::Wake, -1, -1, u);
    makeUserRunnable(u);
}

void SchedModel::onArrival(int u)
{
    UT &U = m_ut[u];
    if (m_cfg.model != ThreadingModel::OneToOne) {
        // A user-level library creates the thread without the kernel.
        record(SchedEvent::Kind::Create, -1, -1, u);
        makeUserRunnable(u);
        return;
    }
    const int k = U.kt;
    setUserState(u, UserState::Ready);
    m_kt[k].state = KernelState::Ready;
    becomeRunnable(k, true);
    record(SchedEvent::Kind::Create, -1, k, u);
    if (m_cfg.trapNs > 0) {
        ++m_traps; // pthread_create is a system call (clone) under 1:1
        record(SchedEvent::Kind::Trap, -1, k, u);
    }
    enqueue(k);
    preemptIfBetter(k);
}

void SchedModel::fillIdleCpus()
{
    for (int c = 0; c < m_cfg.cpus && !readyEmpty(); ++c) {
        if (m_cpus[c].kt < 0)
            dispatch(c, pickNext());
    }
}

void SchedModel::dispatch(int c, int k)
{
    KT &K = m_kt[k];
    Cpu &C = m_cpus[c];
    K.state = KernelState::Running;
    K.cpu = c;
    C.kt = k;
    K.lastUpdateNs = m_now;
    if (C.lastKt != k) {
        // Loading another kernel thread's context: a kernel context switch.
        ++m_kernelSwitches;
        K.switchLeftNs += m_cfg.kernelSwitchNs;
    }
    C.lastKt = k;
    const std::int64_t slice = sliceFor(k);
    K.sliceEndNs = slice == kNever ? kNever : m_now + K.switchLeftNs + slice;
    K.segStartNs = m_now;
    UT &U = m_ut[K.ut];
    if (U.firstRunNs < 0)
        U.firstRunNs = m_now;
    setUserState(K.ut, UserState::Running);
    record(SchedEvent::Kind::Run, c, k, K.ut);
}

void SchedModel::deschedule(int c)
{
    const int k = m_cpus[c].kt;
    closeSegment(c);
    m_cpus[c].kt = -1;
    m_kt[k].cpu = -1;
}

void SchedModel::preemptIfBetter(int k)
{
    if (m_cfg.policy != SchedPolicy::Priority && m_cfg.policy != SchedPolicy::Cfs)
        return;
    int victimCpu = -1;
    for (int c = 0; c < m_cfg.cpus; ++c) {
        const int r = m_cpus[c].kt;
        if (r < 0)
            return; // an idle CPU takes the woken thread; nobody is preempted
        if (victimCpu < 0) {
            victimCpu = c;
            continue;
        }
        const KT &best = m_kt[m_cpus[victimCpu].kt];
        const bool worse = m_cfg.policy == SchedPolicy::Priority ? m_kt[r].nice > best.nice
                                                                 : m_kt[r].vruntime > best.vruntime;
        if (worse)
            victimCpu = c;
    }
    if (victimCpu < 0)
        return;
    const int v = m_cpus[victimCpu].kt;
    KT &V = m_kt[v];
    const KT &K = m_kt[k];
    bool preempt = false;
    if (m_cfg.policy == SchedPolicy::Priority) {
        preempt = K.nice < V.nice;
    } else {
        // check_preempt_wakeup: preempt when the woken task's vruntime is behind by
        // more than the wake-up granularity (scaled by the woken task's weight).
        const std::int64_t gran = m_cfg.wakeupGranularityNs * 1024 / K.weight;
        preempt = V.vruntime - K.vruntime > gran;
    }
    if (!preempt)
        return;
    record(SchedEvent::Kind::Preempt, victimCpu, v, V.ut);
    setUserState(V.ut, UserState::Ready);
    deschedule(victimCpu);
    V.state = KernelState::Ready;
    enqueue(v);
}

void SchedModel::setUserState(int u, UserState s)
{
    m_ut[u].state = s;
    if (m_timeline.size() < size_t(m_cfg.traceCap))
        m_timeline.push_back({m_now, u, s});
}

void SchedModel::record(SchedEvent::Kind kind, int cpu, int k, int u)
{
    const SchedEvent ev {m_now, kind, static_cast<std::int16_t>(cpu), k, u};
    m_recent[m_events % m_recent.size()] = ev;
    ++m_events;
    if (m_trace.size() < size_t(m_cfg.traceCap))
        m_trace.push_back(ev);
}

std::int64_t SchedModel::schedPeriodNs() const
{
    const int nr = std::max(1, m_nrRunnable);
    const int perCpu = (nr + m_cfg.cpus - 1) / m_cfg.cpus;
    const std::int64_t nrLatency
        = std::max<std::int64_t>(1, m_cfg.latencyNs / std::max<std::int64_t>(1, m_cfg.minGranularityNs));
    return perCpu > nrLatency ? perCpu * m_cfg.minGranularityNs : m_cfg.latencyNs;
}

std::int64_t SchedModel::sliceFor(int k) const
{
    switch (m_cfg.policy) {
    case SchedPolicy::Fcfs:
        return kNever;
    case SchedPolicy::RoundRobin:
    case SchedPolicy::Priority:
        return std::max<std::int64_t>(1, m_cfg.quantumNs);
    case SchedPolicy::Cfs:
        break;
    }
    // sched_slice(): the period shared in proportion to weight. With several CPUs
    // and one shared queue, min(nr, cpus) threads run at once.
    const int nr = std::max(1, m_nrRunnable);
    const std::int64_t w = m_kt[k].weight;
    const std::int64_t total = std::max<std::int64_t>(m_weightRunnable, w);
    const std::int64_t share = std::min(nr, m_cfg.cpus);
    return std::max<std::int64_t>(1000, schedPeriodNs() * w * share / total);
}

void SchedModel::becomeRunnable(int k, bool isNew)
{
    KT &K = m_kt[k];
    ++m_nrRunnable;
    m_weightRunnable += K.weight;
    if (m_cfg.policy != SchedPolicy::Cfs)
        return;
    updateMinVruntime();
    if (isNew) {
        // place_entity(initial): START_DEBIT, a new task starts one virtual slice
        // behind, so that forking cannot grab the CPU.
        K.vruntime = m_minVruntime + sliceFor(k) * 1024 / K.weight;
    } else {
        // place_entity(wakeup), GENTLE_FAIR_SLEEPERS: a sleeper gets at most half a
        // latency of credit, so it runs soon but cannot hog the CPU for its sleep.
        K.vruntime = std::max(K.vruntime, m_minVruntime - m_cfg.latencyNs / 2);
    }
}

void SchedModel::stopRunnable(int k)
{
    --m_nrRunnable;
    m_weightRunnable -= m_kt[k].weight;
}

void SchedModel::updateMinVruntime()
{
    std::int64_t v = kNever;
    for (const Cpu &c : m_cpus) {
        if (c.kt >= 0)
            v = std::min(v, m_kt[c.kt].vruntime);
    }
    if (m_leftmost >= 0)
        v = std::min(v, m_kt[m_leftmost].vruntime);
    if (v != kNever)
        m_minVruntime = std::max(m_minVruntime, v); // min_vruntime never goes back
}

std::int64_t SchedModel::vruntimeSpreadNs() const
{
    std::int64_t lo = kNever, hi = std::numeric_limits<std::int64_t>::min();
    for (const KT &K : m_kt) {
        if (K.state == KernelState::Ready || K.state == KernelState::Running) {
            lo = std::min(lo, K.vruntime);
            hi = std::max(hi, K.vruntime);
        }
    }
    return lo == kNever ? 0 : hi - lo;
}

std::int64_t SchedModel::cpuBusyNs() const
{
    std::int64_t total = 0;
    for (const Cpu &c : m_cpus)
        total += c.busyNs;
    return total;
}

// ---------------------------------------------------------------- ready queue

void SchedModel::enqueue(int k)
{
    m_kt[k].seq = ++m_seq;
    ++m_readyCount;
    if (m_cfg.policy == SchedPolicy::Cfs)
        rbInsert(k);
    else
        m_fifo.push_back(k); // capacity reserved for every kernel thread: no allocation
}

int SchedModel::pickNext()
{
    --m_readyCount;
    if (m_cfg.policy == SchedPolicy::Cfs) {
        const int k = m_leftmost;
        rbErase(k);
        return k;
    }
    size_t best = 0;
    if (m_cfg.policy == SchedPolicy::Priority) {
        for (size_t i = 1; i < m_fifo.size(); ++i) {
            if (m_kt[m_fifo[i]].nice < m_kt[m_fifo[best]].nice)
                best = i; // strictly better only: FIFO among equal priorities
        }
    }
    const int k = m_fifo[best];
    m_fifo.erase(m_fifo.begin() + static_cast<std::ptrdiff_t>(best));
    return k;
}

std::vector<int> SchedModel::readyQueue() const
{
    std::vector<int> out;
    if (m_cfg.policy == SchedPolicy::Cfs) {
        // In-order walk: leftmost (smallest vruntime) first.
        std::vector<int> stack;
        int n = m_root;
        while (n >= 0 || !stack.empty()) {
            while (n >= 0) {
                stack.push_back(n);
                n = m_kt[n].left;
            }
            n = stack.back();
            stack.pop_back();
            out.push_back(n);
            n = m_kt[n].right;
        }
        return out;
    }
    out = m_fifo;
    if (m_cfg.policy == SchedPolicy::Priority) {
        std::stable_sort(
            out.begin(), out.end(), [this](int a, int b) { return m_kt[a].nice < m_kt[b].nice; });
    }
    return out;
}

void SchedModel::poolPush(int u)
{
    Proc &P = m_procs[m_ut[u].proc];
    m_ut[u].poolNext = -1;
    if (P.poolTail >= 0)
        m_ut[P.poolTail].poolNext = u;
    else
        P.poolHead = u;
    P.poolTail = u;
    ++P.poolSize;
}

int SchedModel::poolPop(int p)
{
    Proc &P = m_procs[p];
    const int u = P.poolHead;
    if (u < 0)
        return -1;
    P.poolHead = m_ut[u].poolNext;
    if (P.poolHead < 0)
        P.poolTail = -1;
    m_ut[u].poolNext = -1;
    --P.poolSize;
    return u;
}

// ---------------------------------------------------------------- red-black tree

bool SchedModel::less(int a, int b) const
{
    const std::int64_t va = m_kt[a].vruntime, vb = m_kt[b].vruntime;
    return va < vb || (va == vb && a < b);
}

int SchedModel::rbMinimum(int x) const
{
    while (m_kt[x].left >= 0)
        x = m_kt[x].left;
    return x;
}

void SchedModel::rbRotateLeft(int x)
{
    const int y = m_kt[x].right;
    m_kt[x].right = m_kt[y].left;
    if (m_kt[y].left >= 0)
        m_kt[m_kt[y].left].parent = x;
    m_kt[y].parent = m_kt[x].parent;
    const int p = m_kt[x].parent;
    if (p < 0)
        m_root = y;
    else if (x == m_kt[p].left)
        m_kt[p].left = y;
    else
        m_kt[p].right = y;
    m_kt[y].left = x;
    m_kt[x].parent = y;
}

void SchedModel::rbRotateRight(int x)
{
    const int y = m_kt[x].left;
    m_kt[x].left = m_kt[y].right;
    if (m_kt[y].right >= 0)
        m_kt[m_kt[y].right].parent = x;
    m_kt[y].parent = m_kt[x].parent;
    const int p = m_kt[x].parent;
    if (p < 0)
        m_root = y;
    else if (x == m_kt[p].right)
        m_kt[p].right = y;
    else
        m_kt[p].left = y;
    m_kt[y].right = x;
    m_kt[x].parent = y;
}

void SchedModel::rbInsert(int z)
{
    int y = -1;
    int x = m_root;
    while (x >= 0) {
        y = x;
        x = less(z, x) ? m_kt[x].left : m_kt[x].right;
    }
    m_kt[z].parent = y;
    if (y < 0)
        m_root = z;
    else if (less(z, y))
        m_kt[y].left = z;
    else
        m_kt[y].right = z;
    m_kt[z].left = m_kt[z].right = -1;
    m_kt[z].red = true;
    if (m_leftmost < 0 || less(z, m_leftmost))
        m_leftmost = z;
    rbInsertFixup(z);
}

void SchedModel::rbInsertFixup(int z)
{
    auto isRed = [this](int n) { return n >= 0 && m_kt[n].red; };
    while (isRed(m_kt[z].parent)) {
        int p = m_kt[z].parent;
        int g = m_kt[p].parent;
        if (p == m_kt[g].left) {
            const int y = m_kt[g].right;
            if (isRed(y)) {
                m_kt[p].red = false;
                m_kt[y].red = false;
                m_kt[g].red = true;
                z = g;
            } else {
                if (z == m_kt[p].right) {
                    z = p;
                    rbRotateLeft(z);
                    p = m_kt[z].parent;
                    g = m_kt[p].parent;
                }
                m_kt[p].red = false;
                m_kt[g].red = true;
                rbRotateRight(g);
            }
        } else {
            const int y = m_kt[g].left;
            if (isRed(y)) {
                m_kt[p].red = false;
                m_kt[y].red = false;
                m_kt[g].red = true;
                z = g;
            } else {
                if (z == m_kt[p].left) {
                    z = p;
                    rbRotateRight(z);
                    p = m_kt[z].parent;
                    g = m_kt[p].parent;
                }
                m_kt[p].red = false;
                m_kt[g].red = true;
                rbRotateLeft(g);
            }
        }
    }
    m_kt[m_root].red = false;
}

void SchedModel::rbTransplant(int u, int v)
{
    const int p = m_kt[u].parent;
    if (p < 0)
        m_root = v;
    else if (u == m_kt[p].left)
        m_kt[p].left = v;
    else
        m_kt[p].right = v;
    if (v >= 0)
        m_kt[v].parent = p;
}

void SchedModel::rbErase(int z)
{
    if (z == m_leftmost) {
        // The leftmost node has no left child: its successor is the minimum of its
        // right subtree, or else its parent.
        m_leftmost = m_kt[z].right >= 0 ? rbMinimum(m_kt[z].right) : m_kt[z].parent;
    }
    int y = z;
    bool yRed = m_kt[y].red;
    int x = -1;
    int xParent = -1;
    if (m_kt[z].left < 0) {
        x = m_kt[z].right;
        xParent = m_kt[z].parent;
        rbTransplant(z, x);
    } else if (m_kt[z].right < 0) {
        x = m_kt[z].left;
        xParent = m_kt[z].parent;
        rbTransplant(z, x);
    } else {
        y = rbMinimum(m_kt[z].right);
        yRed = m_kt[y].red;
        x = m_kt[y].right;
        if (m_kt[y].parent == z) {
            xParent = y;
        } else {
            xParent = m_kt[y].parent;
            rbTransplant(y, x);
            m_kt[y].right = m_kt[z].right;
            m_kt[m_kt[y].right].parent = y;
        }
        rbTransplant(z, y);
        m_kt[y].left = m_kt[z].left;
        m_kt[m_kt[y].left].parent = y;
        m_kt[y].red = m_kt[z].red;
    }
    if (!yRed)
        rbEraseFixup(x, xParent);
    m_kt[z].left = m_kt[z].right = m_kt[z].parent = -1;
    m_kt[z].red = false;
}

void SchedModel::rbEraseFixup(int x, int xParent)
{
    auto isRed = [this](int n) { return n >= 0 && m_kt[n].red; };
    while (x != m_root && !isRed(x)) {
        if (x == m_kt[xParent].left) {
            int w = m_kt[xParent].right;
            if (isRed(w)) {
                m_kt[w].red = false;
                m_kt[xParent].red = true;
                rbRotateLeft(xParent);
                w = m_kt[xParent].right;
            }
            if (!isRed(m_kt[w].left) && !isRed(m_kt[w].right)) {
                m_kt[w].red = true;
                x = xParent;
                xParent = m_kt[x].parent;
            } else {
                if (!isRed(m_kt[w].right)) {
                    m_kt[m_kt[w].left].red = false;
                    m_kt[w].red = true;
                    rbRotateRight(w);
                    w = m_kt[xParent].right;
                }
                m_kt[w].red = m_kt[xParent].red;
                m_kt[xParent].red = false;
                if (m_kt[w].right >= 0)
                    m_kt[m_kt[w].right].red = false;
                rbRotateLeft(xParent);
                x = m_root;
                xParent = -1;
            }
        } else {
            int w = m_kt[xParent].left;
            if (isRed(w)) {
                m_kt[w].red = false;
                m_kt[xParent].red = true;
                rbRotateRight(xParent);
                w = m_kt[xParent].left;
            }
            if (!isRed(m_kt[w].right) && !isRed(m_kt[w].left)) {
                m_kt[w].red = true;
                x = xParent;
                xParent = m_kt[x].parent;
            } else {
                if (!isRed(m_kt[w].left)) {
                    m_kt[m_kt[w].right].red = false;
                    m_kt[w].red = true;
                    rbRotateLeft(w);
                    w = m_kt[xParent].left;
                }
                m_kt[w].red = m_kt[xParent].red;
                m_kt[xParent].red = false;
                if (m_kt[w].left >= 0)
                    m_kt[m_kt[w].left].red = false;
                rbRotateRight(xParent);
                x = m_root;
                xParent = -1;
            }
        }
    }
    if (x >= 0)
        m_kt[x].red = false;
}

int SchedModel::rbCheck(int n, int lo, int hi, QString *error) const
{
    if (n < 0)
        return 1;
    const KT &N = m_kt[n];
    if ((lo >= 0 && less(n, lo)) || (hi >= 0 && less(hi, n))) {
        *error = QStringLiteral("CFS tree out of order at kernel thread %1").arg(n);
        return -1;
    }
    if (N.red && ((N.left >= 0 && m_kt[N.left].red) || (N.right >= 0 && m_kt[N.right].red))) {
        *error = QStringLiteral("CFS tree: red node %1 has a red child").arg(n);
        return -1;
    }
    if ((N.left >= 0 && m_kt[N.left].parent != n) || (N.right >= 0 && m_kt[N.right].parent != n)) {
        *error = QStringLiteral("CFS tree: broken parent link under %1").arg(n);
        return -1;
    }
    const int l = rbCheck(N.left, lo, n, error);
    const int r = rbCheck(N.right, n, hi, error);
    if (l < 0 || r < 0)
        return -1;
    if (l != r) {
        *error = QStringLiteral("CFS tree: unequal black heights under %1").arg(n);
        return -1;
    }
    return l + (N.red ? 0 : 1);
}

// ---------------------------------------------------------------- inspection

QString SchedModel::checkInvariants() const
{
    std::vector<int> boundCount(m_ut.size(), 0);
    for (int k = 0; k < static_cast<int>(m_kt.size()); ++k) {
        const KT &K = m_kt[k];
        if (K.ut >= 0) {
            ++boundCount[K.ut];
            if (m_ut[K.ut].kt != k)
                return QStringLiteral("kernel thread %1 holds user thread %2, which names kernel thread %3")
                    .arg(k)
                    .arg(K.ut)
                    .arg(m_ut[K.ut].kt);
        }
        if (K.state == KernelState::Running) {
            if (K.cpu < 0 || m_cpus[K.cpu].kt != k)
                return QStringLiteral("running kernel thread %1 is not on its CPU").arg(k);
            if (K.ut < 0)
                return QStringLiteral("kernel thread %1 runs without a user thread").arg(k);
        } else if (K.cpu >= 0) {
            return QStringLiteral("kernel thread %1 is %2 but holds CPU %3")
                .arg(k)
                .arg(kernelStateName(K.state))
                .arg(K.cpu);
        }
        if ((K.state == KernelState::Idle || K.state == KernelState::Destroyed) && K.ut >= 0)
            return QStringLiteral("idle kernel thread %1 holds user thread %2").arg(k).arg(K.ut);
    }
    std::vector<int> runningOn(m_ut.size(), 0);
    for (int c = 0; c < m_cfg.cpus; ++c) {
        const int k = m_cpus[c].kt;
        if (k >= 0 && m_kt[k].ut >= 0)
            ++runningOn[m_kt[k].ut];
    }
    for (int u = 0; u < static_cast<int>(m_ut.size()); ++u) {
        if (boundCount[u] > 1)
            return QStringLiteral("user thread %1 is bound to %2 kernel threads").arg(u).arg(boundCount[u]);
        if (runningOn[u] > 1)
            return QStringLiteral("user thread %1 runs on %2 CPUs at once").arg(u).arg(runningOn[u]);
        if ((m_ut[u].state == UserState::Running) != (runningOn[u] == 1))
            return QStringLiteral("user thread %1 is %2 but runs on %3 CPUs")
                .arg(u)
                .arg(userStateName(m_ut[u].state))
                .arg(runningOn[u]);
    }
    int ready = 0;
    for (const KT &K : m_kt)
        ready += K.state == KernelState::Ready ? 1 : 0;
    if (ready != m_readyCount)
        return QStringLiteral("%1 kernel threads are ready but the queue holds %2")
            .arg(ready)
            .arg(m_readyCount);
    if (m_cfg.policy == SchedPolicy::Cfs) {
        QString error;
        if (m_root >= 0 && m_kt[m_root].red)
            return QStringLiteral("CFS tree: the root is red");
        if (rbCheck(m_root, -1, -1, &error) < 0)
            return error;
        if (m_leftmost != (m_root >= 0 ? rbMinimum(m_root) : -1))
            return QStringLiteral("CFS tree: cached leftmost %1 is not the minimum").arg(m_leftmost);
        const std::vector<int> inOrder = readyQueue();
        if (static_cast<int>(inOrder.size()) != m_readyCount)
            return QStringLiteral("CFS tree holds %1 nodes, %2 ready").arg(inOrder.size()).arg(m_readyCount);
        for (int k : inOrder) {
            if (m_kt[k].state != KernelState::Ready)
                return QStringLiteral("CFS tree holds kernel thread %1, which is %2")
                    .arg(k)
                    .arg(kernelStateName(m_kt[k].state));
        }
    }
    return {};
}

std::vector<UserThreadInfo> SchedModel::userThreads() const
{
    std::vector<UserThreadInfo> out;
    out.reserve(m_ut.size());
    int i = 0;
    for (const WorkProcess &p : m_workload.processes) {
        for (const WorkThread &t : p.threads) {
            const UT &U = m_ut[i++];
            UserThreadInfo info;
            info.name = t.name;
            info.process = U.proc;
            info.nice = U.nice;
            info.weight = U.weight;
            info.startNs = U.startNs;
            info.state = U.state;
            info.kernelThread = U.kt;
            info.firstRunNs = U.firstRunNs;
            info.finishNs = U.finishNs;
            info.cpuNs = U.cpuNs;
            info.overheadNs = U.overheadNs;
            info.blockedNs = U.blockedNs;
            if (U.state == UserState::BlockedSyscall || U.state == UserState::BlockedUser)
                info.blockedNs += m_now - U.blockSinceNs;
            out.push_back(info);
        }
    }
    return out;
}

std::vector<KernelThreadInfo> SchedModel::kernelThreads() const
{
    std::vector<KernelThreadInfo> out;
    out.reserve(m_kt.size());
    for (const KT &K : m_kt) {
        KernelThreadInfo info;
        info.process = K.proc;
        info.state = K.state;
        info.userThread = K.ut;
        info.cpu = K.cpu;
        info.nice = K.nice;
        info.weight = K.weight;
        info.vruntimeNs = K.vruntime;
        info.left = K.left;
        info.right = K.right;
        info.red = K.red;
        out.push_back(info);
    }
    return out;
}

std::vector<SchedEvent> SchedModel::recentEvents(int count) const
{
    const std::uint64_t n
        = std::min<std::uint64_t>(m_events, std::min<std::uint64_t>(count, m_recent.size()));
    std::vector<SchedEvent> out;
    out.reserve(n);
    for (std::uint64_t i = m_events - n; i < m_events; ++i)
        out.push_back(m_recent[i % m_recent.size()]);
    return out;
}

QString SchedModel::lastStepText() const
{
    const std::uint64_t n = m_events - m_stepFirstEvent;
    if (n == 0)
        return QStringLiteral("t = %1 ms").arg(m_now / 1e6, 0, 'f', 3);
    QStringList parts;
    std::vector<QString> names;
    for (const auto &p : m_workload.processes)
        for (const auto &t : p.threads)
            names.push_back(t.name);
    for (const SchedEvent &e : recentEvents(static_cast<int>(std::min<std::uint64_t>(n, 8)))) {
        const QString who
            = e.userThread >= 0 ? names[e.userThread] : QStringLiteral("LWP %1").arg(e.kernelThread);
        QString what;
        switch (e.kind) {
        case SchedEvent::Kind::Create:
            what = QStringLiteral("%1 is created").arg(who);
            break;
        case SchedEvent::Kind::Run:
            what = QStringLiteral("%1 runs on CPU %2").arg(who).arg(e.cpu);
            break;
        case SchedEvent::Kind::Preempt:
            what = QStringLiteral("%1 is preempted").arg(who);
            break;
        case SchedEvent::Kind::Block:
            what = QStringLiteral("%1 blocks in a system call (its kernel thread blocks)").arg(who);
            break;
        case SchedEvent::Kind::UserBlock:
            what = QStringLiteral("%1 waits at user level").arg(who);
            break;
        case SchedEvent::Kind::Wake:
            what = QStringLiteral("%1 wakes up").arg(who);
            break;
        case SchedEvent::Kind::Trap:
            what = QStringLiteral("%1 traps into the kernel").arg(who);
            break;
        case SchedEvent::Kind::UserSwitch:
            what = QStringLiteral("the thread library switches LWP %1 to %2").arg(e.kernelThread).arg(who);
            break;
        case SchedEvent::Kind::Idle:
            what = QStringLiteral("LWP %1 has nothing to run and idles").arg(e.kernelThread);
            break;
        case SchedEvent::Kind::Destroy:
            what = QStringLiteral("LWP %1 is destroyed").arg(e.kernelThread);
            break;
        case SchedEvent::Kind::Exit:
            what = QStringLiteral("%1 exits").arg(who);
            break;
        }
        parts << what;
    }
    return QStringLiteral("t = %1 ms: %2").arg(m_now / 1e6, 0, 'f', 3).arg(parts.join(QStringLiteral("; ")));
}

} // namespace proclab
