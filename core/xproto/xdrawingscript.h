#pragma once

#include "framebuffer.h"
#include "x11encoder.h"
#include "xservermodel.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace proclab {

/**
 * @brief What the C2 drawing consists of: the screen, the editor's text, the chart, the
 * scrolling and the drag.
 */
struct XDrawingConfig {
    int width = 800; ///< screen width in pixels
    int height = 600; ///< screen height in pixels
    int textLines = 14; ///< lines of text in the editor window
    int chartPoints = 80; ///< points of the chart's curve (one PolyLine)
    int scrollLines = 3; ///< frames in which the editor scrolls by one line
    int dragFrames = 12; ///< frames in which the chart window is dragged
    int dragStepPx = 10; ///< how far the window moves per drag frame (right; half that down)
    bool synchronous = false; ///< a round trip after every request (XSynchronize)
    bool backingStore = false; ///< windows ask for backing store: no Expose when uncovered
};

/**
 * @brief One X11 message crossing the link between the application server and the
 * user's terminal.
 */
struct X11Message {
    bool toTerminal = true; ///< a request from an application (else an event or reply from the X server)
    int client = 0; ///< XDrawingScript::Client
    QString name; ///< "PolyLine", "Expose", "reply"
    WireBytes bytes; ///< the encoded message
};

/**
 * @brief One frame of the drawing: what changed and what the X protocol sent for it.
 */
struct XFrame {
    QString title; ///< "the editor scrolls by one line"
    std::vector<X11Message> messages; ///< in the order they were sent
    int roundTrips = 0; ///< times an application waited for the X server
    std::int64_t bytesToTerminal = 0; ///< requests
    std::int64_t bytesToApplication = 0; ///< events and replies
    int requests = 0;
    int serverPackets = 0; ///< events and replies
};

/**
 * @brief The three X clients of the C2 drawing (an editor, a chart, a window manager)
 * talking to the model X server, frame by frame.
 *
 * Frame 0 maps the editor and draws its text; then the editor scrolls (CopyArea, ClearArea,
 * one new line); then the chart window appears and is drawn (PolySegment, PolyLine, text);
 * then the window manager drags the chart over the editor (MotionNotify in, ConfigureWindow
 * out; the editor redraws what the move uncovers unless it has backing store). Clients wait
 * for the Expose after mapping, each drag step needs the pointer event before the move,
 * and the drawing ends with an XSync: those are the round trips. With @c synchronous every
 * request is followed by a GetInputFocus round trip, as Xlib does after XSynchronize().
 */
class XDrawingScript {
public:
    enum Client { Editor = 0, Chart = 1, WindowManager = 2 };

    explicit XDrawingScript(const XDrawingConfig &config);

    int frameCount() const;
    /// @brief Runs the next frame against the server and returns its messages.
    XFrame runNextFrame();
    bool finished() const { return m_next >= frameCount(); }
    /// @brief The screen after the frames run so far.
    Framebuffer screen() const { return m_server.screen(); }
    /// @brief The first request the server refused, empty when none (refusals would be bugs).
    QString error() const { return m_error; }
    /// @brief "editor", "chart", "window manager".
    static QString clientName(int client);

private:
    struct GcState {
        bool created = false;
        std::uint32_t foreground = 0;
        std::uint32_t background = 0;
    };

    std::uint32_t windowId(int client) const { return 0x00200000u * std::uint32_t(client + 1) + 1; }
    std::uint32_t gcId(int client) const { return 0x00200000u * std::uint32_t(client + 1) + 2; }
    void send(XFrame *frame, int client, WireBytes request);
    void setColours(XFrame *frame, int client, std::uint32_t foreground, std::uint32_t background);
    void createAndMap(
        XFrame *frame, int client, const PixelRect &rect, std::uint32_t background, std::uint32_t eventMask);
    void drawEditor(XFrame *frame, const std::vector<PixelRect> &areas);
    void drawChart(XFrame *frame);
    std::string editorLine(int visibleIndex) const;
    void addPacket(XFrame *frame, const X11ServerPacket &packet);

    XDrawingConfig m_config;
    XServerModel m_server;
    PixelRect m_editorRect;
    PixelRect m_chartRect;
    int m_visibleLines = 0;
    int m_scrolled = 0;
    int m_next = 0;
    int m_pointerX = 0;
    int m_pointerY = 0;
    GcState m_gc[3];
    std::vector<PixelRect> m_editorExposures; // window coordinates, from Expose events
    QString m_error;
};

} // namespace proclab
