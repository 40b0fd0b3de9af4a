#include "requestloop.h"

#include "common/clock.h"
#include "common/helperprocess.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <sys/prctl.h>

namespace proclab {

namespace {

constexpr int kReplyTimeoutMs = 2000;
constexpr std::uint64_t kMaxServiceNs = 10'000'000'000ULL;

} // namespace

bool RequestLoop::parseReply(
    const QByteArray &bytes, std::uint64_t expected, NeighbourHelpers::Reply *reply, QString *error)
{
    if (bytes.size() != NeighbourHelpers::kReplyBytes) {
        *error = QStringLiteral("malformed answer from the service: %1 bytes instead of %2")
                     .arg(bytes.size())
                     .arg(NeighbourHelpers::kReplyBytes);
        return false;
    }
    std::memcpy(&reply->sequence, bytes.constData(), 8);
    std::memcpy(&reply->serviceNs, bytes.constData() + 8, 8);
    if (reply->sequence != expected) {
        *error
            = QStringLiteral("malformed answer from the service: it answers request %1, the client sent %2")
                  .arg(reply->sequence)
                  .arg(expected);
        return false;
    }
    if (reply->serviceNs > kMaxServiceNs) {
        *error = QStringLiteral("malformed answer from the service: a service time of %1 ns")
                     .arg(reply->serviceNs);
        return false;
    }
    return true;
}

RequestLoop::End RequestLoop::run(HelperProcess *service, int intervalUs, int durationMs, int maxRequests,
    const std::function<bool(const std::vector<Sample> &)> &tick, std::vector<Sample> *out, QString *error)
{
    out->clear();
    // Tight wake-ups: the default 50 us timer slack would blur the interval.
    const int oldSlack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    const std::int64_t startNs = monotonicNs();
    const std::int64_t endNs = startNs + std::int64_t(durationMs) * 1000000;
    const std::int64_t intervalNs = std::int64_t(intervalUs) * 1000;
    std::int64_t nextNs = startNs;
    std::int64_t lastTickNs = startNs;
    End end = End::Done;
    for (std::uint64_t sequence = 1; int(out->size()) < maxRequests; ++sequence) {
        const std::int64_t now = monotonicNs();
        if (now >= endNs)
            break;
        if (now - lastTickNs >= 100000000) {
            lastTickNs = now;
            if (!tick(*out)) {
                end = End::Stopped;
                break;
            }
        }
        // Absolute send times; after a stall longer than an interval, start again from now.
        nextNs += intervalNs;
        if (now - nextNs > intervalNs)
            nextNs = now;
        const timespec at {time_t(nextNs / 1000000000), long(nextNs % 1000000000)};
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) { }

        const std::int64_t t0 = monotonicNs();
        QByteArray request(NeighbourHelpers::kRequestBytes, '\0');
        std::memcpy(request.data(), &sequence, sizeof sequence);
        if (!service->write(request, kReplyTimeoutMs, error)) {
            end = End::Failed;
            break;
        }
        QByteArray answer;
        const HelperProcess::Read read
            = service->readExactly(NeighbourHelpers::kReplyBytes, kReplyTimeoutMs, &answer, error);
        const std::int64_t t1 = monotonicNs();
        if (read != HelperProcess::Read::Data) {
            if (read == HelperProcess::Read::Timeout)
                *error = QStringLiteral("the service did not answer request %1 within %2 ms")
                             .arg(sequence)
                             .arg(kReplyTimeoutMs);
            else if (read == HelperProcess::Read::Closed)
                *error = QStringLiteral("the service ended (%1)").arg(service->exitText());
            end = End::Failed;
            break;
        }
        NeighbourHelpers::Reply reply;
        if (!parseReply(answer, sequence, &reply, error)) {
            end = End::Failed;
            break;
        }
        out->push_back({(t0 - startNs) / 1e9, (t1 - t0) / 1e3, reply.serviceNs / 1e3});
    }
    ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(oldSlack > 0 ? oldSlack : 50000), 0, 0, 0);
    return end;
}

} // namespace proclab
