#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

/// The bytes of one protocol message.
using WireBytes = std::vector<std::uint8_t>;

/**
 * @brief Numbers of the X11 core protocol used by the C2 model.
 *
 * Source: "X Window System Protocol, X Consortium Standard, X Version 11", Appendix B
 * (Protocol Encoding): the opcodes, event codes, mask bits and the fixed layout of each
 * request. Everything is encoded in the client's byte order, here LSB first ('l').
 */
namespace x11 {
enum Opcode : std::uint8_t {
    CreateWindow = 1,
    MapWindow = 8,
    ConfigureWindow = 12,
    GetInputFocus = 43,
    CreateGC = 55,
    ChangeGC = 56,
    ClearArea = 61,
    CopyArea = 62,
    PolyLine = 65,
    PolySegment = 66,
    PolyFillRectangle = 70,
    ImageText8 = 76,
};
enum EventCode : std::uint8_t { MotionNotify = 6, Expose = 12, ConfigureNotify = 22 };
/// Reply packets start with 1 (errors with 0).
inline constexpr std::uint8_t kReply = 1;

// CreateWindow / ChangeWindowAttributes value-mask bits.
inline constexpr std::uint32_t CWBackPixel = 0x00000002;
inline constexpr std::uint32_t CWBackingStore = 0x00000040;
inline constexpr std::uint32_t CWEventMask = 0x00000800;
// ConfigureWindow value-mask bits.
inline constexpr std::uint16_t ConfigX = 0x0001;
inline constexpr std::uint16_t ConfigY = 0x0002;
// GC value-mask bits.
inline constexpr std::uint32_t GCForeground = 0x00000004;
inline constexpr std::uint32_t GCBackground = 0x00000008;
inline constexpr std::uint32_t GCGraphicsExposures = 0x00010000;
// Event masks.
inline constexpr std::uint32_t PointerMotionMask = 0x00000040;
inline constexpr std::uint32_t ExposureMask = 0x00008000;
inline constexpr std::uint32_t StructureNotifyMask = 0x00020000;
/// backing-store attribute value Always.
inline constexpr std::uint32_t BackingStoreAlways = 2;
} // namespace x11

struct X11Point {
    std::int16_t x = 0;
    std::int16_t y = 0;
};

struct X11Segment {
    std::int16_t x1 = 0;
    std::int16_t y1 = 0;
    std::int16_t x2 = 0;
    std::int16_t y2 = 0;
};

struct X11Rectangle {
    std::int16_t x = 0;
    std::int16_t y = 0;
    std::uint16_t width = 0;
    std::uint16_t height = 0;
};

/**
 * @brief Encodes X11 requests, replies and events byte for byte as they travel on the wire.
 *
 * Each request starts with its opcode, one byte of data and its length in 4-byte units, so
 * the length of an encoded request is exactly what the protocol sends. Values are written
 * LSB first, as for a client that opened the connection with byte-order 'l'.
 */
class X11Encoder {
public:
    static WireBytes createWindow(std::uint32_t window, std::uint32_t parent, std::int16_t x, std::int16_t y,
        std::uint16_t width, std::uint16_t height, std::uint32_t valueMask,
        const std::vector<std::uint32_t> &values);
    static WireBytes mapWindow(std::uint32_t window);
    /// @brief ConfigureWindow with x and y only (a move).
    static WireBytes configureWindowPosition(std::uint32_t window, std::int16_t x, std::int16_t y);
    static WireBytes getInputFocus();
    static WireBytes createGC(std::uint32_t gc, std::uint32_t drawable, std::uint32_t valueMask,
        const std::vector<std::uint32_t> &values);
    static WireBytes changeGC(
        std::uint32_t gc, std::uint32_t valueMask, const std::vector<std::uint32_t> &values);
    static WireBytes clearArea(std::uint32_t window, std::int16_t x, std::int16_t y, std::uint16_t width,
        std::uint16_t height, bool exposures);
    static WireBytes copyArea(std::uint32_t src, std::uint32_t dst, std::uint32_t gc, std::int16_t srcX,
        std::int16_t srcY, std::int16_t dstX, std::int16_t dstY, std::uint16_t width, std::uint16_t height);
    static WireBytes polyLine(std::uint32_t drawable, std::uint32_t gc, const std::vector<X11Point> &points);
    static WireBytes polySegment(
        std::uint32_t drawable, std::uint32_t gc, const std::vector<X11Segment> &segments);
    static WireBytes polyFillRectangle(
        std::uint32_t drawable, std::uint32_t gc, const std::vector<X11Rectangle> &rectangles);
    /// @brief ImageText8 of at most 255 characters (longer text is cut: the length is one byte).
    static WireBytes imageText8(
        std::uint32_t drawable, std::uint32_t gc, std::int16_t x, std::int16_t y, const std::string &text);

    static WireBytes getInputFocusReply(std::uint16_t sequence, std::uint32_t focus);
    static WireBytes exposeEvent(
        std::uint16_t sequence, std::uint32_t window, const X11Rectangle &area, std::uint16_t count);
    static WireBytes motionNotifyEvent(std::uint16_t sequence, std::uint32_t time, std::uint32_t root,
        std::int16_t rootX, std::int16_t rootY);
    static WireBytes configureNotifyEvent(std::uint16_t sequence, std::uint32_t window, std::int16_t x,
        std::int16_t y, std::uint16_t width, std::uint16_t height);

    /// @brief "PolyLine", "Expose", "reply to GetInputFocus", ... from a request's opcode.
    static QString requestName(std::uint8_t opcode);
    /// @brief The name of an event or reply packet (32 bytes from the server).
    static QString serverPacketName(const WireBytes &packet);
};

/// Reads little-endian values from a message, with bounds checks (0 past the end).
class X11Reader {
public:
    explicit X11Reader(const WireBytes &bytes)
        : m_bytes(bytes)
    {
    }
    std::uint8_t u8(std::size_t at) const { return at < m_bytes.size() ? m_bytes[at] : 0; }
    std::uint16_t u16(std::size_t at) const { return std::uint16_t(u8(at) | (u8(at + 1) << 8)); }
    std::int16_t i16(std::size_t at) const { return std::int16_t(u16(at)); }
    std::uint32_t u32(std::size_t at) const
    {
        return std::uint32_t(u16(at)) | (std::uint32_t(u16(at + 2)) << 16);
    }
    std::size_t size() const { return m_bytes.size(); }

private:
    const WireBytes &m_bytes;
};

} // namespace proclab
