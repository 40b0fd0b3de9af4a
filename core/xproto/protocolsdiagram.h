#pragma once

#include <QString>
#include <QStringList>

#include <array>
#include <vector>

namespace proclab {

/**
 * @brief One frame of the C1 diagram: where the message is on each side.
 */
struct ProtocolsFrame {
    /// Layers of each machine, top to bottom.
    enum Layer { Application = 0, Middleware = 1, LocalOs = 2, Network = 3 };
    struct Side {
        int machine = -1; ///< 0 client, 1 server, -1 no message in flight
        int layer = -1; ///< a Layer
        QString message; ///< what the message looks like at that point
        bool reply = false;
    };
    QString caption;
    std::array<Side, 2> sides; ///< [0] application-specific protocol, [1] middleware protocol
    int applicationsShown = 1; ///< applications drawn on each side (the last frame adds more)
};

/**
 * @brief C1 as frames: the same request sent with an application-specific protocol and with
 * an application-independent (middleware) protocol, then the cost of adding applications.
 */
class ProtocolsDiagram {
public:
    /// @param applications applications that share the machines in the last frame (1..6)
    explicit ProtocolsDiagram(int applications);
    const std::vector<ProtocolsFrame> &frames() const { return m_frames; }
    int applications() const { return m_applications; }
    /// Protocols to design and implement at both ends: one per application without middleware.
    int protocolsAppSpecific() const { return m_applications; }
    /// With middleware, every application uses the one middleware protocol.
    int protocolsMiddleware() const { return 1; }

private:
    int m_applications;
    std::vector<ProtocolsFrame> m_frames;
};

} // namespace proclab
