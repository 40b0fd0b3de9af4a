#include "x11encoder.h"

#include <algorithm>

namespace proclab {

namespace {

/// Appends little-endian values; finish() pads to 4 bytes and writes the length field.
class Writer {
public:
    explicit Writer(std::uint8_t opcode, std::uint8_t data = 0)
    {
        u8(opcode);
        u8(data);
        u16(0); // request length, filled by finish()
    }
    Writer() = default;
    void u8(std::uint8_t v) { m_bytes.push_back(v); }
    void u16(std::uint16_t v)
    {
        u8(std::uint8_t(v & 0xff));
        u8(std::uint8_t(v >> 8));
    }
    void i16(std::int16_t v) { u16(std::uint16_t(v)); }
    void u32(std::uint32_t v)
    {
        u16(std::uint16_t(v & 0xffff));
        u16(std::uint16_t(v >> 16));
    }
    void pad(std::size_t n) { m_bytes.insert(m_bytes.end(), n, 0); }
    /// A request: padded to a multiple of 4, its length in 4-byte units in bytes 2-3.
    WireBytes finish()
    {
        pad((4 - m_bytes.size() % 4) % 4);
        const std::size_t units = m_bytes.size() / 4;
        m_bytes[2] = std::uint8_t(units & 0xff);
        m_bytes[3] = std::uint8_t(units >> 8);
        return std::move(m_bytes);
    }
    /// A server packet: exactly 32 bytes.
    WireBytes finish32()
    {
        m_bytes.resize(32, 0);
        return std::move(m_bytes);
    }

private:
    WireBytes m_bytes;
};

} // namespace

WireBytes X11Encoder::createWindow(std::uint32_t window, std::uint32_t parent, std::int16_t x, std::int16_t y,
    std::uint16_t width, std::uint16_t height, std::uint32_t valueMask,
    const std::vector<std::uint32_t> &values)
{
    Writer w(x11::CreateWindow, 0); // depth 0: copy from parent
    w.u32(window);
    w.u32(parent);
    w.i16(x);
    w.i16(y);
    w.u16(width);
    w.u16(height);
    w.u16(0); // border-width
    w.u16(1); // class InputOutput
    w.u32(0); // visual CopyFromParent
    w.u32(valueMask);
    for (std::uint32_t v : values)
        w.u32(v);
    return w.finish();
}

WireBytes X11Encoder::mapWindow(std::uint32_t window)
{
    Writer w(x11::MapWindow);
    w.u32(window);
    return w.finish();
}

WireBytes X11Encoder::configureWindowPosition(std::uint32_t window, std::int16_t x, std::int16_t y)
{
    Writer w(x11::ConfigureWindow);
    w.u32(window);
    w.u16(x11::ConfigX | x11::ConfigY);
    w.u16(0);
    // Each value occupies four bytes, sign-extended for INT16.
    w.u32(std::uint32_t(std::int32_t(x)));
    w.u32(std::uint32_t(std::int32_t(y)));
    return w.finish();
}

WireBytes X11Encoder::getInputFocus()
{
    Writer w(x11::GetInputFocus);
    return w.finish();
}

WireBytes X11Encoder::createGC(std::uint32_t gc, std::uint32_t drawable, std::uint32_t valueMask,
    const std::vector<std::uint32_t> &values)
{
    Writer w(x11::CreateGC);
    w.u32(gc);
    w.u32(drawable);
    w.u32(valueMask);
    for (std::uint32_t v : values)
        w.u32(v);
    return w.finish();
}

WireBytes X11Encoder::changeGC(
    std::uint32_t gc, std::uint32_t valueMask, const std::vector<std::uint32_t> &values)
{
    Writer w(x11::ChangeGC);
    w.u32(gc);
    w.u32(valueMask);
    for (std::uint32_t v : values)
        w.u32(v);
    return w.finish();
}

WireBytes X11Encoder::clearArea(std::uint32_t window, std::int16_t x, std::int16_t y, std::uint16_t width,
    std::uint16_t height, bool exposures)
{
    Writer w(x11::ClearArea, exposures ? 1 : 0);
    w.u32(window);
    w.i16(x);
    w.i16(y);
    w.u16(width);
    w.u16(height);
    return w.finish();
}

WireBytes X11Encoder::copyArea(std::uint32_t src, std::uint32_t dst, std::uint32_t gc, std::int16_t srcX,
    std::int16_t srcY, std::int16_t dstX, std::int16_t dstY, std::uint16_t width, std::uint16_t height)
{
    Writer w(x11::CopyArea);
    w.u32(src);
    w.u32(dst);
    w.u32(gc);
    w.i16(srcX);
    w.i16(srcY);
    w.i16(dstX);
    w.i16(dstY);
    w.u16(width);
    w.u16(height);
    return w.finish();
}

WireBytes X11Encoder::polyLine(std::uint32_t drawable, std::uint32_t gc, const std::vector<X11Point> &points)
{
    Writer w(x11::PolyLine, 0); // coordinate-mode Origin
    w.u32(drawable);
    w.u32(gc);
    for (const X11Point &p : points) {
        w.i16(p.x);
        w.i16(p.y);
    }
    return w.finish();
}

WireBytes X11Encoder::polySegment(
    std::uint32_t drawable, std::uint32_t gc, const std::vector<X11Segment> &segments)
{
    Writer w(x11::PolySegment);
    w.u32(drawable);
    w.u32(gc);
    for (const X11Segment &s : segments) {
        w.i16(s.x1);
        w.i16(s.y1);
        w.i16(s.x2);
        w.i16(s.y2);
    }
    return w.finish();
}

WireBytes X11Encoder::polyFillRectangle(
    std::uint32_t drawable, std::uint32_t gc, const std::vector<X11Rectangle> &rectangles)
{
    Writer w(x11::PolyFillRectangle);
    w.u32(drawable);
    w.u32(gc);
    for (const X11Rectangle &r : rectangles) {
        w.i16(r.x);
        w.i16(r.y);
        w.u16(r.width);
        w.u16(r.height);
    }
    return w.finish();
}

WireBytes X11Encoder::imageText8(
    std::uint32_t drawable, std::uint32_t gc, std::int16_t x, std::int16_t y, const std::string &text)
{
    const std::size_t n = std::min<std::size_t>(text.size(), 255);
    Writer w(x11::ImageText8, std::uint8_t(n));
    w.u32(drawable);
    w.u32(gc);
    w.i16(x);
    w.i16(y);
    for (std::size_t i = 0; i < n; ++i)
        w.u8(std::uint8_t(text[i]));
    return w.finish();
}

WireBytes X11Encoder::getInputFocusReply(std::uint16_t sequence, std::uint32_t focus)
{
    Writer w;
    w.u8(x11::kReply);
    w.u8(1); // revert-to PointerRoot
    w.u16(sequence);
    w.u32(0); // reply length: no additional 4-byte units
    w.u32(focus);
    return w.finish32();
}

WireBytes X11Encoder::exposeEvent(
    std::uint16_t sequence, std::uint32_t window, const X11Rectangle &area, std::uint16_t count)
{
    Writer w;
    w.u8(x11::Expose);
    w.u8(0);
    w.u16(sequence);
    w.u32(window);
    w.u16(std::uint16_t(area.x));
    w.u16(std::uint16_t(area.y));
    w.u16(area.width);
    w.u16(area.height);
    w.u16(count);
    return w.finish32();
}

WireBytes X11Encoder::motionNotifyEvent(
    std::uint16_t sequence, std::uint32_t time, std::uint32_t root, std::int16_t rootX, std::int16_t rootY)
{
    Writer w;
    w.u8(x11::MotionNotify);
    w.u8(0); // detail Normal
    w.u16(sequence);
    w.u32(time);
    w.u32(root); // root
    w.u32(root); // event window: the root, where the window manager listens
    w.u32(0); // child
    w.i16(rootX);
    w.i16(rootY);
    w.i16(rootX); // event-x
    w.i16(rootY); // event-y
    w.u16(0x100); // state: Button1 held (a drag)
    w.u8(1); // same-screen
    return w.finish32();
}

WireBytes X11Encoder::configureNotifyEvent(std::uint16_t sequence, std::uint32_t window, std::int16_t x,
    std::int16_t y, std::uint16_t width, std::uint16_t height)
{
    Writer w;
    w.u8(x11::ConfigureNotify);
    w.u8(0);
    w.u16(sequence);
    w.u32(window); // event
    w.u32(window); // window
    w.u32(0); // above-sibling
    w.i16(x);
    w.i16(y);
    w.u16(width);
    w.u16(height);
    w.u16(0); // border-width
    w.u8(0); // override-redirect
    return w.finish32();
}

QString X11Encoder::requestName(std::uint8_t opcode)
{
    switch (opcode) {
    case x11::CreateWindow:
        return QStringLiteral("CreateWindow");
    case x11::MapWindow:
        return QStringLiteral("MapWindow");
    case x11::ConfigureWindow:
        return QStringLiteral("ConfigureWindow");
    case x11::GetInputFocus:
        return QStringLiteral("GetInputFocus");
    case x11::CreateGC:
        return QStringLiteral("CreateGC");
    case x11::ChangeGC:
        return QStringLiteral("ChangeGC");
    case x11::ClearArea:
        return QStringLiteral("ClearArea");
    case x11::CopyArea:
        return QStringLiteral("CopyArea");
    case x11::PolyLine:
        return QStringLiteral("PolyLine");
    case x11::PolySegment:
        return QStringLiteral("PolySegment");
    case x11::PolyFillRectangle:
        return QStringLiteral("PolyFillRectangle");
    case x11::ImageText8:
        return QStringLiteral("ImageText8");
    default:
        return QStringLiteral("request %1").arg(opcode);
    }
}

QString X11Encoder::serverPacketName(const WireBytes &packet)
{
    if (packet.empty())
        return QStringLiteral("empty");
    switch (packet[0] & 0x7f) {
    case x11::kReply:
        return QStringLiteral("reply");
    case x11::MotionNotify:
        return QStringLiteral("MotionNotify");
    case x11::Expose:
        return QStringLiteral("Expose");
    case x11::ConfigureNotify:
        return QStringLiteral("ConfigureNotify");
    case 0:
        return QStringLiteral("error");
    default:
        return QStringLiteral("event %1").arg(packet[0] & 0x7f);
    }
}

} // namespace proclab
