#pragma once

#include "timeline.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief One arrow (or, with from == to, one local action) of a sequence diagram.
 */
struct SequenceMessage {
    int from = 0; ///< lane index of the sender
    int to = 0; ///< lane index of the receiver (== from: something a lane does on its own)
    QString label; ///< what travels or happens: "LOOKUP echo", "posix_spawn", ...
    QString note; ///< one sentence of why, for the caption under the diagram
    std::int64_t timeNs = -1; ///< measured time since the sequence's first message; -1 before a run
};

/**
 * @brief The steps of one way of reaching a service, as a sequence diagram.
 *
 * Built from the events of a measured run (one connection of that way), or, before any
 * run, the same steps without times so that the diagram can be stepped through first.
 */
struct ServerSequence {
    QString title;
    QStringList lanes; ///< left to right
    std::vector<SequenceMessage> messages;
    bool measured = false; ///< times come from a run on this machine
    int createdLane = -1; ///< a lane whose process exists only for one connection (-1: none)
    int createdAt = -1; ///< the message that starts that process
    int endedAt = -1; ///< the message with which it ends
};

/**
 * @brief Turns the events of an S2 run into the two sequence diagrams the view animates.
 */
class ServerSequenceBuilder {
public:
    /// @brief The end-point daemon way: the service registers, the client looks up, then connects.
    /// @param events the run's events, sorted by time; empty gives the unmeasured steps
    /// @param service the service whose first connection is shown ("echo")
    static ServerSequence daemonWay(const std::vector<TimelineEvent> &events, const QString &service);
    /// @brief The superserver way: connect, accept, posix_spawn a handler, greeting, exit, waitpid.
    static ServerSequence superServerWay(const std::vector<TimelineEvent> &events, const QString &service);
};

} // namespace proclab
