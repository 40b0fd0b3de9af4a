// Benchmark of the server designs (core/net): prints figures, asserts nothing.
//
//  1. fsm beside nginx (Debian's package, if installed): both on the same CPU, the
//     load generator on the other, keep-alive requests, the same small response,
//     alternating runs; both request rates and their ratio, median and spread.
//  2. The load generator's ceiling: the same load against a do-nothing server.
//  3. Each design's throughput and p99 at 1, 10, 100 and 1000 clients.
//  4. A new connection per request: thread against process (creation cost).
//
// Usage: bench_servers [--quick] [--runs N] [--seconds S] [--clients C] [--generator-threads T]
// [--skip-designs]

#include "net/fdlimit.h"
#include "net/httphandler.h"
#include "net/httpserver.h"
#include "net/loadgenerator.h"

#include "common/helpermode.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace proclab;

namespace {

struct Options {
    int runs = 5;
    double seconds = 3.0;
    int clients = 100;
    bool designs = true;
    int designRuns = 3;
    double designSeconds = 2.0;
};

struct Spread {
    double median = 0, low = 0, high = 0; // low/high: min and max
};

Spread spreadOf(std::vector<double> v)
{
    Spread s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.low = v.front();
    s.high = v.back();
    return s;
}

std::string readFirstLine(const std::string &path, const std::string &prefix = "")
{
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (prefix.empty() || line.rfind(prefix, 0) == 0)
            return line;
    return {};
}

void printMachine()
{
    utsname u {};
    uname(&u);
    std::string cpu = readFirstLine("/proc/cpuinfo", "model name");
    if (auto c = cpu.find(':'); c != std::string::npos)
        cpu = cpu.substr(c + 2);
    std::printf("machine: %s, %u CPUs, Linux %s, load average %s\n", cpu.c_str(),
        std::thread::hardware_concurrency(), u.release, readFirstLine("/proc/loadavg").c_str());
}

bool pinThisThread(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0; // 0: the calling thread; new threads inherit it
}

std::vector<int> allowedCpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set))
                cpus.push_back(c);
    return cpus;
}

void restoreAffinity(const std::vector<int> &cpus)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cpus)
        CPU_SET(c, &set);
    sched_setaffinity(0, sizeof set, &set);
}

bool waitForPort(std::uint16_t port, int limitMs)
{
    for (int waited = 0; waited < limitMs; waited += 20) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
        ::close(fd);
        if (ok)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // nginx is starting up
    }
    return false;
}

std::uint16_t freePort()
{
    QString error;
    std::uint16_t port = 0;
    const int fd = openListenSocket(0, &port, &error);
    ::close(fd);
    return port;
}

// ---- nginx, started with a config of its own --------------------------------------

struct Nginx {
    pid_t master = -1;
    std::uint16_t port = 0;
    std::string dir;
    std::string version;
    std::string workerCpus;

    static const char *binary() { return "/usr/sbin/nginx"; }

    bool start(int cpu, std::string *why)
    {
        if (access(binary(), X_OK) != 0) {
            *why = std::string(binary()) + " is not installed";
            return false;
        }
        char tmpl[] = "/tmp/proclab-nginx-XXXXXX";
        if (!mkdtemp(tmpl)) {
            *why = "mkdtemp failed";
            return false;
        }
        dir = tmpl;
        port = freePort();
        // worker_cpu_affinity is a bit mask, lowest CPU rightmost.
        std::string mask(std::size_t(cpu) + 1, '0');
        mask[0] = '1';
        std::string body = HttpHandler::defaultBodyText();
        body.pop_back(); // the trailing newline is written as \n in the config
        std::ofstream conf(dir + "/nginx.conf");
        conf << "daemon off;\nmaster_process on;\nworker_processes 1;\nworker_cpu_affinity " << mask
             << ";\npid " << dir << "/nginx.pid;\nerror_log " << dir << "/error.log warn;\n"
             << "events { worker_connections 4096; }\n"
             << "http {\n  access_log off;\n  keepalive_requests 10000;\n  keepalive_timeout 5s;\n"
             << "  client_body_temp_path " << dir << "/body;\n  proxy_temp_path " << dir << "/proxy;\n"
             << "  fastcgi_temp_path " << dir << "/fastcgi;\n  uwsgi_temp_path " << dir << "/uwsgi;\n"
             << "  scgi_temp_path " << dir << "/scgi;\n"
             << "  server {\n    listen 127.0.0.1:" << port << ";\n    default_type text/plain;\n"
             << "    location / { return 200 \"" << body << "\\n\"; }\n  }\n}\n";
        conf.close();
        const std::string confPath = dir + "/nginx.conf";
        const std::string errPath = dir + "/error.log";
        const char *argv[]
            = {"nginx", "-p", dir.c_str(), "-c", confPath.c_str(), "-e", errPath.c_str(), nullptr};
        if (posix_spawn(&master, binary(), nullptr, nullptr, const_cast<char **>(argv), environ) != 0) {
            *why = "posix_spawn of nginx failed";
            return false;
        }
        if (!waitForPort(port, 5000)) {
            *why = "nginx did not start listening (see " + errPath + ")";
            stop();
            return false;
        }
        // The worker is the master's child; its allowed CPUs show the pinning took.
        const std::string children = readFirstLine(
            "/proc/" + std::to_string(master) + "/task/" + std::to_string(master) + "/children");
        const int worker = std::atoi(children.c_str());
        if (worker > 0) {
            workerCpus = readFirstLine("/proc/" + std::to_string(worker) + "/status", "Cpus_allowed_list");
            if (auto t = workerCpus.find('\t'); t != std::string::npos)
                workerCpus = workerCpus.substr(t + 1);
        }
        return true;
    }

    void stop()
    {
        if (master > 0) {
            kill(master, SIGTERM); // fast shutdown: the master stops its worker and exits
            waitpid(master, nullptr, 0);
            master = -1;
        }
        if (!dir.empty()) {
            const std::string cmd = "rm -rf '" + dir + "'";
            [[maybe_unused]] const int rc = std::system(cmd.c_str());
            dir.clear();
        }
    }
    ~Nginx() { stop(); }
};

std::string nginxVersion()
{
    int out[2];
    if (pipe(out) != 0)
        return "?";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 2); // nginx -v writes to stderr
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const char *argv[] = {"nginx", "-v", nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, Nginx::binary(), &fa, nullptr, const_cast<char **>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    std::string text;
    char buf[256];
    ssize_t n;
    while (rc == 0 && (n = ::read(out[0], buf, sizeof buf)) > 0)
        text.append(buf, std::size_t(n));
    ::close(out[0]);
    if (pid > 0)
        waitpid(pid, nullptr, 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text.empty() ? "?" : text;
}

// ---- a do-nothing server: the generator's ceiling ------------------------------

// Answers every request (every blank line) with a canned response, on one thread
// with epoll and no parsing at all: as cheap as a server can be.
class NullServer {
public:
    bool start()
    {
        QString error;
        m_listen = openListenSocket(0, &m_port, &error);
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m_listen < 0 || m_epoll < 0 || m_stop < 0)
            return false;
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = m_listen;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listen, &ev);
        ev.data.fd = m_stop;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_stop, &ev);
        m_response = "HTTP/1.1 200 OK\r\nServer: null\r\nContent-Type: text/plain\r\nContent-Length: "
            + std::to_string(std::strlen(HttpHandler::defaultBodyText()))
            + "\r\nConnection: keep-alive\r\n\r\n" + HttpHandler::defaultBodyText();
        m_thread = std::thread([this] { loop(); });
        return true;
    }
    void stop()
    {
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_stop, &one, sizeof one);
        if (m_thread.joinable())
            m_thread.join();
        for (int fd : {m_listen, m_epoll, m_stop})
            if (fd >= 0)
                ::close(fd);
    }
    std::uint16_t port() const { return m_port; }

private:
    void loop()
    {
        epoll_event events[256];
        std::vector<std::string> tails(65536); // last 3 bytes seen per descriptor, for split blank lines
        std::string out;
        char buf[16384];
        for (;;) {
            const int n = epoll_wait(m_epoll, events, 256, -1);
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == m_stop) {
                    for (int c = 0; c < int(tails.size()); ++c)
                        if (!tails[c].empty())
                            ::close(c);
                    return;
                }
                if (fd == m_listen) {
                    int c;
                    while ((c = accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                        if (c >= int(tails.size())) {
                            ::close(c);
                            continue;
                        }
                        epoll_event ev {};
                        ev.events = EPOLLIN;
                        ev.data.fd = c;
                        epoll_ctl(m_epoll, EPOLL_CTL_ADD, c, &ev);
                        tails[c] = "...";
                    }
                    continue;
                }
                const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
                if (r <= 0) {
                    ::close(fd);
                    tails[fd].clear();
                    continue;
                }
                std::string seen = tails[fd] + std::string(buf, std::size_t(r));
                int requests = 0;
                for (std::size_t at = seen.find("\r\n\r\n"); at != std::string::npos;
                     at = seen.find("\r\n\r\n", at + 4))
                    ++requests;
                tails[fd] = seen.substr(seen.size() - 3);
                out.clear();
                for (int k = 0; k < requests; ++k)
                    out += m_response;
                if (!out.empty()) [[maybe_unused]]
                    const ssize_t w = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
            }
        }
    }

    int m_listen = -1, m_epoll = -1, m_stop = -1;
    std::uint16_t m_port = 0;
    std::string m_response;
    std::thread m_thread;
};

// Per-CPU time from /proc/stat (in clock ticks): what each CPU did during a run.
// Work of niced processes (other builds on a shared machine) is kept apart.
struct CpuTimes {
    long long busy = 0; // user + system + irq + softirq (not nice)
    long long nice = 0;
    long long total = 0;
};

std::vector<CpuTimes> readCpuTimes()
{
    std::vector<CpuTimes> cpus;
    std::ifstream in("/proc/stat");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("cpu", 0) != 0 || line.size() < 4
            || !std::isdigit(static_cast<unsigned char>(line[3])))
            continue;
        std::istringstream fields(line.substr(line.find(' ')));
        long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        fields >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
        cpus.push_back({user + system + irq + softirq, nice,
            user + nice + system + idle + iowait + irq + softirq + steal});
    }
    return cpus;
}

// "busy 97% (+2% niced)" of one CPU between two readings.
std::string cpuShare(const std::vector<CpuTimes> &before, const std::vector<CpuTimes> &after, int cpu)
{
    if (cpu < 0 || cpu >= int(before.size()) || cpu >= int(after.size()))
        return "?";
    const double total = double(after[cpu].total - before[cpu].total);
    if (total <= 0)
        return "?";
    char text[64];
    std::snprintf(text, sizeof text, "%.0f%% (+%.0f%% niced)",
        100.0 * double(after[cpu].busy - before[cpu].busy) / total,
        100.0 * double(after[cpu].nice - before[cpu].nice) / total);
    return text;
}

int g_generatorThreads = 0; // 0: the generator's default

LoadResult runLoad(std::uint16_t port, int clients, double seconds, bool keepAlive)
{
    LoadGenerator generator;
    LoadConfig load;
    load.port = port;
    load.clients = clients;
    load.seconds = seconds;
    load.keepAlive = keepAlive;
    load.threads = g_generatorThreads;
    load.maxSamples = 0; // percentiles come from the histogram; no raw samples needed here
    return generator.run(load);
}

void printRates(const char *name, const std::vector<double> &rps, const std::vector<double> &p99,
    const std::vector<double> &cpu)
{
    const Spread r = spreadOf(rps), l = spreadOf(p99), c = spreadOf(cpu);
    std::printf("  %-8s %9.0f req/s (min %.0f, max %.0f)   p99 %.3f ms (%.3f-%.3f)   generator CPU %.0f%%\n",
        name, r.median, r.low, r.high, l.median, l.low, l.high, c.median);
}

} // namespace

int main(int argc, char **argv)
{
    if (const int rc = runHelperModeIfRequested(argc, argv); rc >= 0)
        return rc;
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick") {
            opt.runs = 3;
            opt.seconds = 1.5;
            opt.designRuns = 1;
            opt.designSeconds = 1.0;
        } else if (a == "--runs" && i + 1 < argc) {
            opt.runs = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--seconds" && i + 1 < argc) {
            opt.seconds = std::max(0.5, std::atof(argv[++i]));
        } else if (a == "--clients" && i + 1 < argc) {
            opt.clients = std::clamp(std::atoi(argv[++i]), 1, 5000);
        } else if (a == "--generator-threads" && i + 1 < argc) {
            g_generatorThreads = std::clamp(std::atoi(argv[++i]), 0, 8);
        } else if (a == "--skip-designs") {
            opt.designs = false;
        } else {
            std::fprintf(stderr,
                "usage: %s [--quick] [--runs N] [--seconds S] [--clients C] [--generator-threads T] "
                "[--skip-designs]\n",
                argv[0]);
            return 2;
        }
    }
    std::signal(SIGPIPE, SIG_IGN);
    printMachine();
    QString error;
    if (!ensureFdLimit(2 * 1000 + 256, &error)) {
        std::printf("%s\n", qPrintable(error));
        return 1;
    }
    const std::vector<int> cpus = allowedCpus();
    const bool canPin = cpus.size() >= 2;
    const int serverCpu = canPin ? cpus.back() : -1;
    const int generatorCpu = canPin ? cpus.front() : -1;

    // ---- 1. fsm and nginx --------------------------------------------------------
    std::printf(
        "\n== fsm beside nginx: keep-alive, %d clients, %.1f s per run, %d runs each, alternating ==\n",
        opt.clients, opt.seconds, opt.runs);
    if (canPin)
        std::printf("servers pinned to CPU %d, load generator (2 threads) pinned to CPU %d\n", serverCpu,
            generatorCpu);
    else
        std::printf("one CPU only: nothing pinned\n");

    if (canPin)
        pinThisThread(serverCpu); // the servers' threads inherit this
    ServerConfig fsmConfig;
    fsmConfig.design = ServerDesign::Fsm;
    auto fsm = makeHttpServer(fsmConfig);
    if (!fsm->start(&error)) {
        std::printf("fsm: %s\n", qPrintable(error));
        return 1;
    }
    NullServer null;
    const bool nullUp = null.start();
    // nginx is started while this thread is still on the servers' CPU: its master and worker
    // inherit that CPU (worker_cpu_affinity names it as well).
    Nginx nginx;
    std::string why;
    const bool haveNginx = nginx.start(serverCpu < 0 ? 0 : serverCpu, &why);
    if (canPin)
        pinThisThread(generatorCpu);
    if (haveNginx)
        std::printf("nginx: %s, one worker, its allowed CPUs: %s\n", nginxVersion().c_str(),
            nginx.workerCpus.c_str());
    else
        std::printf("nginx: skipped (%s); nothing installed\n", why.c_str());

    // Warm-up (not counted): first connections, page faults, caches.
    runLoad(fsm->port(), opt.clients, 0.5, true);
    if (haveNginx)
        runLoad(nginx.port, opt.clients, 0.5, true);

    std::vector<double> fsmRps, fsmP99, fsmCpu, ngxRps, ngxP99, ngxCpu, ratios;
    std::string fsmServerCpu, fsmGenCpu, ngxServerCpu, ngxGenCpu;
    for (int round = 0; round < opt.runs; ++round) {
        double f = 0, g = 0;
        for (int k = 0; k < 2; ++k) {
            const bool fsmTurn = (k == 0) == (round % 2 == 0); // alternate who goes first
            if (!fsmTurn && !haveNginx)
                continue;
            const auto cpuBefore = readCpuTimes();
            const LoadResult r = runLoad(fsmTurn ? fsm->port() : nginx.port, opt.clients, opt.seconds, true);
            const auto cpuAfter = readCpuTimes();
            (fsmTurn ? fsmServerCpu : ngxServerCpu) = cpuShare(cpuBefore, cpuAfter, serverCpu);
            (fsmTurn ? fsmGenCpu : ngxGenCpu) = cpuShare(cpuBefore, cpuAfter, generatorCpu);
            if (r.errors > 0)
                std::printf("  (%s run %d: %lld errors, first: %s)\n", fsmTurn ? "fsm" : "nginx", round + 1,
                    (long long)r.errors, qPrintable(r.firstError));
            (fsmTurn ? fsmRps : ngxRps).push_back(r.throughputRps);
            (fsmTurn ? fsmP99 : ngxP99).push_back(r.latencyP99Ms);
            (fsmTurn ? fsmCpu : ngxCpu).push_back(r.generatorCpuPercent);
            (fsmTurn ? f : g) = r.throughputRps;
        }
        if (haveNginx && g > 0)
            ratios.push_back(f / g);
        std::printf("  run %d: fsm %.0f req/s%s\n", round + 1, f,
            haveNginx ? (
                ", nginx " + std::to_string(int(g)) + " req/s, ratio " + std::to_string(f / g).substr(0, 5))
                            .c_str()
                      : "");
        if (canPin)
            std::printf("         server CPU busy: fsm %s, nginx %s; generator CPU busy: %s, %s\n",
                fsmServerCpu.c_str(), ngxServerCpu.c_str(), fsmGenCpu.c_str(), ngxGenCpu.c_str());
    }
    printRates("fsm", fsmRps, fsmP99, fsmCpu);
    if (haveNginx) {
        printRates("nginx", ngxRps, ngxP99, ngxCpu);
        const Spread s = spreadOf(ratios);
        std::printf("  fsm / nginx: %.2fx (min %.2f, max %.2f over %zu alternating pairs)\n", s.median, s.low,
            s.high, ratios.size());
    }

    // ---- 2. the generator's ceiling ----------------------------------------------
    if (nullUp) {
        std::vector<double> rps, p99, cpu;
        runLoad(null.port(), opt.clients, 0.5, true);
        std::string serverShare, generatorShare;
        for (int i = 0; i < opt.runs; ++i) {
            const auto cpuBefore = readCpuTimes();
            const LoadResult r = runLoad(null.port(), opt.clients, opt.seconds, true);
            const auto cpuAfter = readCpuTimes();
            serverShare = cpuShare(cpuBefore, cpuAfter, serverCpu);
            generatorShare = cpuShare(cpuBefore, cpuAfter, generatorCpu);
            rps.push_back(r.throughputRps);
            p99.push_back(r.latencyP99Ms);
            cpu.push_back(r.generatorCpuPercent);
        }
        std::printf("\n== load generator ceiling: the same load against a do-nothing server (same CPU as the "
                    "servers) ==\n");
        printRates("null", rps, p99, cpu);
        if (canPin)
            std::printf("  (last run: server CPU busy %s, generator CPU busy %s)\n", serverShare.c_str(),
                generatorShare.c_str());
        if (!fsmRps.empty() && spreadOf(rps).median < 1.5 * spreadOf(fsmRps).median)
            std::printf("  note: the ceiling is close to the servers' rates: the generator limits what is "
                        "measured\n");
    }
    null.stop();
    nginx.stop();
    fsm->stop();
    fsm.reset();
    restoreAffinity(cpus);

    // ---- 3. every design over concurrency -----------------------------------------
    if (opt.designs) {
        std::printf("\n== every design: keep-alive, small response, cpu_us=0, disk_ms=0; %d run(s) of %.1f s "
                    "per point; "
                    "nothing pinned ==\n",
            opt.designRuns, opt.designSeconds);
        std::printf("  %-10s %7s %12s %22s %12s %8s %9s\n", "design", "clients", "req/s", "(min-max)",
            "p99 ms", "errors", "gen CPU");
        for (ServerDesign d : allServerDesigns()) {
            for (int clients : {1, 10, 100, 1000}) {
                std::vector<double> rps, p99, cpu;
                std::int64_t errors = 0;
                for (int run = 0; run < opt.designRuns; ++run) {
                    ServerConfig config;
                    config.design = d;
                    auto server = makeHttpServer(config);
                    if (!server->start(&error)) {
                        std::printf("  %s: %s\n", serverDesignName(d), qPrintable(error));
                        break;
                    }
                    const LoadResult r = runLoad(server->port(), clients, opt.designSeconds, true);
                    server->stop();
                    rps.push_back(r.throughputRps);
                    p99.push_back(r.latencyP99Ms);
                    cpu.push_back(r.generatorCpuPercent);
                    errors += r.errors;
                }
                const Spread r = spreadOf(rps), l = spreadOf(p99), c = spreadOf(cpu);
                char range[64];
                std::snprintf(range, sizeof range, "(%.0f-%.0f)", r.low, r.high);
                std::printf("  %-10s %7d %12.0f %22s %12.3f %8lld %8.0f%%\n", serverDesignName(d), clients,
                    r.median, range, l.median, (long long)errors, c.median);
                std::fflush(stdout);
            }
        }

        // ---- 4. a new connection per request: thread against process ---------------
        std::printf(
            "\n== a new connection per request, 10 clients: a thread vs a process per connection ==\n");
        for (ServerDesign d : {ServerDesign::Thread, ServerDesign::Process, ServerDesign::Fsm}) {
            std::vector<double> rps, p50;
            for (int run = 0; run < std::max(3, opt.designRuns); ++run) {
                ServerConfig config;
                config.design = d;
                auto server = makeHttpServer(config);
                if (!server->start(&error))
                    break;
                const LoadResult r = runLoad(server->port(), 10, opt.designSeconds, false);
                server->stop();
                rps.push_back(r.throughputRps);
                p50.push_back(r.latencyP50Ms);
            }
            const Spread r = spreadOf(rps), l = spreadOf(p50);
            std::printf("  %-8s %9.0f connections/s (min %.0f, max %.0f)   p50 %.3f ms\n",
                serverDesignName(d), r.median, r.low, r.high, l.median);
        }
    }
    std::printf("\nload average at the end: %s\n", readFirstLine("/proc/loadavg").c_str());
    return 0;
}
