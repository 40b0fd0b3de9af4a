#pragma once

#include "schedworkload.h"

#include <QString>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace proclab {

/// How user threads map onto what the kernel schedules.
enum class ThreadingModel : std::uint8_t {
    ManyToOne, ///< N:1 user-level threads: one kernel thread per process (T7)
    OneToOne, ///< 1:1 kernel threads: every thread operation is a trap (T8)
    ManyToMany ///< M:N two-level threads on lightweight processes (T9)
};

/// The kernel's scheduling policy for its kernel threads.
enum class SchedPolicy : std::uint8_t { Fcfs, RoundRobin, Priority, Cfs };

/// Linux's nice-to-weight table (kernel/sched/core.c, sched_prio_to_weight): nice 0 is 1024.
int niceToWeight(int nice);

/**
 * @brief Parameters of one model run. Times in nanoseconds of simulated time.
 */
struct SchedConfig {
    ThreadingModel model = ThreadingModel::OneToOne;
    SchedPolicy policy = SchedPolicy::Cfs;
    int cpus = 1;
    std::int64_t quantumNs = 4000000; ///< RR and priority time slice
    std::int64_t trapNs = 5000; ///< CPU time of one trap into the kernel
    std::int64_t kernelSwitchNs = 5000; ///< a CPU switching kernel threads
    std::int64_t userSwitchNs = 200; ///< a thread library switching user threads
    int lwpsPerProcess = 2; ///< M:N: lightweight processes per process
    bool destroyIdleLwps = false; ///< M:N: an LWP with nothing to run is destroyed
    std::int64_t latencyNs = 6000000; ///< CFS targeted latency (sysctl_sched_latency)
    std::int64_t minGranularityNs = 750000; ///< CFS minimum granularity
    std::int64_t wakeupGranularityNs = 1000000; ///< CFS wake-up preemption granularity
    std::int64_t maxTimeNs = 1000000000; ///< the run stops at this simulated time
    int traceCap = 5000; ///< trace, Gantt and timeline records kept (each)
};

/// What a user thread is doing, as the views colour it.
enum class UserState : std::uint8_t {
    NotStarted,
    Ready, ///< runnable, waiting for a CPU (or for its kernel thread to get one)
    Running,
    BlockedSyscall, ///< in a blocking system call: its kernel thread is blocked too
    BlockedUser, ///< in a user-level blocking operation: its kernel thread may run others
    Done
};

/// What a kernel thread (LWP) is doing.
enum class KernelState : std::uint8_t { NotCreated, Ready, Running, Blocked, Idle, Destroyed };

QString userStateName(UserState s);
QString kernelStateName(KernelState s);

/// One line of the event trace.
struct SchedEvent {
    enum class Kind : std::uint8_t {
        Create, ///< a user thread (and under 1:1 its kernel thread) was created
        Run, ///< a CPU started running a kernel thread
        Preempt, ///< the kernel took the CPU away (slice over, or a better thread woke)
        Block, ///< a blocking system call: the kernel thread blocks
        UserBlock, ///< a blocking user-level operation: only the user thread waits
        Wake, ///< a blocked thread became runnable
        Trap, ///< a trap into the kernel (system call or, under 1:1, a thread operation)
        UserSwitch, ///< the thread library switched user threads on one kernel thread
        Idle, ///< a kernel thread has no user thread to run
        Destroy, ///< an idle LWP was destroyed
        Exit ///< a user thread finished
    };
    std::int64_t timeNs = 0;
    Kind kind = Kind::Run;
    std::int16_t cpu = -1;
    std::int32_t kernelThread = -1;
    std::int32_t userThread = -1;
};

QString schedEventName(SchedEvent::Kind k);

/// One bar of the Gantt chart: a CPU ran a user thread on a kernel thread from start to end.
struct GanttSegment {
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::int16_t cpu = -1;
    std::int32_t kernelThread = -1;
    std::int32_t userThread = -1;
};

/// A user thread entered a state at a time (per-thread state timelines).
struct StateChange {
    std::int64_t timeNs = 0;
    std::int32_t userThread = -1;
    UserState state = UserState::NotStarted;
};

/// Public view of one user thread.
struct UserThreadInfo {
    QString name;
    int process = 0;
    int nice = 0;
    int weight = 1024;
    std::int64_t startNs = 0;
    UserState state = UserState::NotStarted;
    int kernelThread = -1; ///< bound kernel thread or -1
    std::int64_t firstRunNs = -1;
    std::int64_t finishNs = -1;
    std::int64_t cpuNs = 0; ///< useful computation
    std::int64_t overheadNs = 0; ///< traps and user-level switches executed by this thread
    std::int64_t blockedNs = 0;
};

/// Public view of one kernel thread.
struct KernelThreadInfo {
    int process = 0;
    KernelState state = KernelState::NotCreated;
    int userThread = -1;
    int cpu = -1;
    int nice = 0;
    int weight = 1024;
    std::int64_t vruntimeNs = 0;
    // CFS red-black tree links (indices of kernel threads, -1 none); valid while Ready under CFS.
    int left = -1;
    int right = -1;
    bool red = false;
};

/**
 * @brief A deterministic discrete-event model of a hypothetical OS scheduler.
 *
 * Kernel threads are what the kernel schedules on its CPUs with the chosen
 * policy; user threads are the workload's threads. N:1 gives each process one
 * kernel thread and a user-level library that switches user threads only when
 * one waits at user level or exits; 1:1 gives every user thread its own kernel
 * thread and turns every thread operation into a trap; M:N gives each process
 * a pool of LWPs and follows the four rules of the two-level model.
 *
 * CFS keeps the ready kernel threads in an intrusive red-black tree keyed by
 * (vruntime, index), so the hot loop never allocates. All CPUs share one run
 * queue (Linux keeps one per CPU and balances them; with one CPU it is the same).
 *
 * step() processes one event (the earliest; ties by CPU, then thread index)
 * and the dispatches it causes; the same workload and configuration always
 * give the same trace.
 */
class SchedModel {
public:
    SchedModel(const Workload &workload, const SchedConfig &config);

    /// @brief Processes the next event. Returns false once the run is over.
    bool step();
    /// @brief Runs to the end (every thread done, or the time limit).
    void runToEnd();
    bool finished() const { return m_finished; }

    std::int64_t nowNs() const { return m_now; }
    const SchedConfig &config() const { return m_cfg; }
    const Workload &workload() const { return m_workload; }

    std::uint64_t eventCount() const { return m_events; } ///< trace records produced (kept or not)
    std::uint64_t stepCount() const { return m_steps; }
    std::uint64_t kernelSwitches() const { return m_kernelSwitches; }
    std::uint64_t userSwitches() const { return m_userSwitches; }
    std::uint64_t traps() const { return m_traps; }
    std::int64_t cpuBusyNs() const; ///< all CPUs, useful work plus overheads
    std::int64_t kernelSwitchNs() const { return m_kernelSwitchTimeNs; }

    int cpuCount() const { return m_cfg.cpus; }
    int cpuKernelThread(int cpu) const { return m_cpus[cpu].kt; }
    int processCount() const { return static_cast<int>(m_workload.processes.size()); }
    QString processName(int p) const { return m_workload.processes[p].name; }

    std::vector<UserThreadInfo> userThreads() const;
    std::vector<KernelThreadInfo> kernelThreads() const;
    /// The kernel's ready queue in the order the policy will pick (CFS: in-order tree walk).
    std::vector<int> readyQueue() const;
    /// Root of the CFS tree (-1 when empty or not CFS).
    int cfsRoot() const { return m_root; }
    std::int64_t minVruntimeNs() const { return m_minVruntime; }
    /// CFS scheduling period for the current number of runnable kernel threads.
    std::int64_t schedPeriodNs() const;
    /// Largest minus smallest vruntime over runnable (ready or running) kernel threads.
    std::int64_t vruntimeSpreadNs() const;

    const std::vector<SchedEvent> &trace() const { return m_trace; }
    const std::vector<GanttSegment> &gantt() const { return m_gantt; }
    const std::vector<StateChange> &timeline() const { return m_timeline; }
    /// The last events, oldest first (kept even beyond the trace cap).
    std::vector<SchedEvent> recentEvents(int count) const;
    /// What the last step did, in words.
    QString lastStepText() const;

    /**
     * @brief Checks the model's structural invariants; empty when they hold.
     *
     * A user thread is bound to at most one kernel thread and runs on at most one
     * CPU; CPU and kernel-thread links agree; under CFS the red-black tree is a
     * valid red-black tree holding exactly the ready kernel threads.
     */
    QString checkInvariants() const;

private:
    enum class OpKind : std::uint8_t { Cpu, Trap, KBlock, UBlock };
    struct Op {
        OpKind kind;
        std::int64_t ns;
    };
    struct UT {
        int proc = 0;
        int nice = 0;
        int weight = 1024;
        std::int64_t startNs = 0;
        int opBegin = 0, opEnd = 0, opIdx = 0;
        int loopsLeft = 1; // -1 forever
        std::int64_t remNs = 0;
        UserState state = UserState::NotStarted;
        int kt = -1;
        std::int64_t wakeNs = 0;
        std::int64_t blockSinceNs = 0;
        std::int64_t firstRunNs = -1, finishNs = -1;
        std::int64_t cpuNs = 0, overheadNs = 0, blockedNs = 0;
        int poolNext = -1;
        bool exiting = false; // 1:1: executing the exit trap
    };
    struct KT {
        int proc = 0;
        int ut = -1;
        KernelState state = KernelState::NotCreated;
        int cpu = -1;
        int nice = 0;
        int weight = 1024;
        std::int64_t vruntime = 0;
        std::int64_t wakeNs = 0;
        std::int64_t sliceEndNs = 0;
        std::int64_t switchLeftNs = 0; // overhead to burn before the thread progresses
        std::int64_t lastUpdateNs = 0;
        std::int64_t segStartNs = 0;
        int left = -1, right = -1, parent = -1;
        bool red = false;
        std::uint64_t seq = 0; // FIFO order for FCFS/RR/priority
    };
    struct Cpu {
        int kt = -1;
        int lastKt = -1;
        std::int64_t busyNs = 0;
    };
    struct Proc {
        int poolHead = -1, poolTail = -1; // runnable user threads not bound to a kernel thread
        int poolSize = 0;
        int firstKt = 0, ktCount = 0; // its kernel threads (M:N, N:1)
        int liveLwps = 0;
    };

    static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

    // Event handling.
    void accountAll();
    void account(int k);
    void onCpuEvent(int c);
    void onKernelWake(int k);
    void onUserWake(int u);
    void onArrival(int u);
    void continueThread(int c); // the current op of the UT on CPU c completed
    void bindFromPoolOrIdle(int c, int k);
    void makeUserRunnable(int u);
    void fillIdleCpus();
    void dispatch(int c, int k);
    void deschedule(int c);
    void closeSegment(int c); // ends the Gantt bar of CPU c now and starts the next
    void preemptIfBetter(int k);
    void setUserState(int u, UserState s);
    void record(SchedEvent::Kind kind, int cpu, int k, int u);
    bool advanceOp(int u); // moves to the next op; false when the thread is done
    std::int64_t sliceFor(int k) const;
    void becomeRunnable(int k, bool isNew);
    void stopRunnable(int k);
    void updateMinVruntime();

    // Ready queue (policy-specific).
    void enqueue(int k);
    int pickNext();
    void removeReady(int k);
    bool readyEmpty() const { return m_readyCount == 0; }

    // Intrusive red-black tree over kernel threads, keyed by (vruntime, index).
    bool less(int a, int b) const;
    void rbInsert(int k);
    void rbErase(int k);
    void rbRotateLeft(int x);
    void rbRotateRight(int x);
    void rbInsertFixup(int z);
    void rbEraseFixup(int x, int xParent);
    void rbTransplant(int u, int v);
    int rbMinimum(int x) const;
    int rbCheck(int n, int lo, int hi, QString *error) const;

    // Pool of runnable unbound user threads per process.
    void poolPush(int u);
    int poolPop(int p);

    Workload m_workload;
    SchedConfig m_cfg;
    std::vector<Op> m_ops;
    std::vector<UT> m_ut;
    std::vector<KT> m_kt;
    std::vector<Cpu> m_cpus;
    std::vector<Proc> m_procs;
    std::vector<int> m_fifo; // FCFS/RR/priority ready list (small; kept in arrival order)
    int m_readyCount = 0;
    int m_root = -1;
    int m_leftmost = -1; // cached like Linux's rb_root_cached: the next task to run
    std::uint64_t m_seq = 0;
    std::int64_t m_now = 0;
    std::int64_t m_minVruntime = 0;
    int m_nrRunnable = 0;
    std::int64_t m_weightRunnable = 0;
    bool m_finished = false;
    int m_doneThreads = 0;

    std::uint64_t m_events = 0, m_steps = 0, m_kernelSwitches = 0, m_userSwitches = 0, m_traps = 0;
    std::int64_t m_kernelSwitchTimeNs = 0;

    std::vector<SchedEvent> m_trace;
    std::vector<GanttSegment> m_gantt;
    std::vector<StateChange> m_timeline;
    std::array<SchedEvent, 64> m_recent {};
    std::uint64_t m_stepFirstEvent = 0;
};

} // namespace proclab
