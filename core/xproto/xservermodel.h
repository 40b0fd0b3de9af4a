#pragma once

#include "framebuffer.h"
#include "x11encoder.h"

#include <QString>

#include <cstdint>
#include <map>
#include <vector>

namespace proclab {

/**
 * @brief A packet the model X server sends to one of its clients (an event or a reply).
 */
struct X11ServerPacket {
    int client = 0;
    WireBytes bytes; ///< always 32 bytes in the core protocol
};

/**
 * @brief The X kernel of the slides, reduced to what the C2 drawing needs: it decodes the
 * encoded requests and executes them into pixels, and produces the events an X server sends.
 *
 * Windows are children of the root, stacked in creation order, with border width 0. Each
 * window keeps its own pixels (as with backing store), so a move never loses content; the
 * backing-store attribute decides only whether uncovered parts produce Expose events for
 * the window's client to redraw, which is what changes the traffic. The screen is the root
 * background with the mapped windows composited on top.
 */
class XServerModel {
public:
    static constexpr std::uint32_t kRootWindow = 0x100; ///< id of the root window

    XServerModel(int width, int height, std::uint32_t rootColour);

    /**
     * @brief Executes one request from @p client.
     * @param out events and replies it produces are appended here
     * @return empty, or one line saying why the request was refused (malformed, unknown id)
     */
    QString execute(int client, const WireBytes &request, std::vector<X11ServerPacket> *out);
    /// @brief The pointer moved to (x, y) with a button held: MotionNotify to @p listener.
    void pointerMoved(int listener, int x, int y, std::vector<X11ServerPacket> *out);

    /// @brief The screen as it looks now (root background and mapped windows).
    Framebuffer screen() const;
    /// @brief Where window @p id is on the screen (empty when unknown).
    PixelRect windowRect(std::uint32_t id) const;
    /// @brief Requests executed so far for @p client (the sequence number of the last one).
    std::uint16_t sequence(int client) const;

private:
    struct Window {
        std::uint32_t id = 0;
        int client = 0;
        PixelRect rect;
        std::uint32_t background = 0;
        std::uint32_t eventMask = 0;
        bool backingStore = false;
        bool mapped = false;
        Framebuffer content;
    };
    struct Gc {
        std::uint32_t foreground = 0;
        std::uint32_t background = 0xffffff;
        bool graphicsExposures = true;
    };

    Window *findWindow(std::uint32_t id);
    Gc *findGc(std::uint32_t id);
    QString applyGcValues(Gc *gc, std::uint32_t mask, const X11Reader &r, std::size_t at, std::size_t end);
    void moveWindow(Window *w, int x, int y, std::vector<X11ServerPacket> *out);

    int m_width;
    int m_height;
    std::uint32_t m_rootColour;
    std::vector<Window> m_windows; // stacking order, bottom first
    std::map<std::uint32_t, Gc> m_gcs;
    std::map<int, std::uint16_t> m_sequence;
    std::uint32_t m_time = 1000;
};

} // namespace proclab
