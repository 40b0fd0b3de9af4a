#include "xservermodel.h"

#include <algorithm>

namespace proclab {

XServerModel::XServerModel(int width, int height, std::uint32_t rootColour)
    : m_width(width)
    , m_height(height)
    , m_rootColour(rootColour)
{
}

XServerModel::Window *XServerModel::findWindow(std::uint32_t id)
{
    for (Window &w : m_windows) {
        if (w.id == id)
            return &w;
    }
    return nullptr;
}

XServerModel::Gc *XServerModel::findGc(std::uint32_t id)
{
    const auto it = m_gcs.find(id);
    return it == m_gcs.end() ? nullptr : &it->second;
}

PixelRect XServerModel::windowRect(std::uint32_t id) const
{
    for (const Window &w : m_windows) {
        if (w.id == id)
            return w.rect;
    }
    return {};
}

std::uint16_t XServerModel::sequence(int client) const
{
    const auto it = m_sequence.find(client);
    return it == m_sequence.end() ? 0 : it->second;
}

QString XServerModel::applyGcValues(
    Gc *gc, std::uint32_t mask, const X11Reader &r, std::size_t at, std::size_t end)
{
    // Values follow in the order of the mask bits, four bytes each.
    for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
        if (!(mask & bit))
            continue;
        if (at + 4 > end)
            return QStringLiteral("the value list is shorter than the value-mask says");
        const std::uint32_t v = r.u32(at);
        at += 4;
        if (bit == x11::GCForeground)
            gc->foreground = v & 0xffffff;
        else if (bit == x11::GCBackground)
            gc->background = v & 0xffffff;
        else if (bit == x11::GCGraphicsExposures)
            gc->graphicsExposures = v != 0;
    }
    return {};
}

QString XServerModel::execute(int client, const WireBytes &request, std::vector<X11ServerPacket> *out)
{
    const X11Reader r(request);
    if (request.size() < 4 || request.size() % 4 != 0)
        return QStringLiteral("a request is a multiple of 4 bytes, at least 4: got %1").arg(request.size());
    const std::size_t declared = std::size_t(r.u16(2)) * 4;
    if (declared != request.size())
        return QStringLiteral("request length field says %1 bytes, the request has %2")
            .arg(declared)
            .arg(request.size());
    const std::uint16_t seq = ++m_sequence[client];
    const std::uint8_t opcode = r.u8(0);
    const auto needAtLeast = [&](std::size_t n) -> QString {
        return request.size() < n ? QStringLiteral("%1 needs at least %2 bytes, got %3")
                                        .arg(X11Encoder::requestName(opcode))
                                        .arg(n)
                                        .arg(request.size())
                                  : QString();
    };
    const auto drawable = [&](std::size_t at, Window **w) -> QString {
        *w = findWindow(r.u32(at));
        return *w ? QString() : QStringLiteral("bad drawable 0x%1").arg(r.u32(at), 0, 16);
    };
    switch (opcode) {
    case x11::CreateWindow: {
        if (QString e = needAtLeast(32); !e.isEmpty())
            return e;
        Window w;
        w.id = r.u32(4);
        if (findWindow(w.id) || w.id == kRootWindow)
            return QStringLiteral("window id 0x%1 is already in use").arg(w.id, 0, 16);
        if (r.u32(8) != kRootWindow)
            return QStringLiteral("only children of the root window are modelled");
        w.client = client;
        w.rect = {r.i16(12), r.i16(14), r.u16(16), r.u16(18)};
        if (w.rect.isEmpty())
            return QStringLiteral("a window needs a width and a height");
        const std::uint32_t mask = r.u32(28);
        std::size_t at = 32;
        for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
            if (!(mask & bit))
                continue;
            if (at + 4 > request.size())
                return QStringLiteral("the value list is shorter than the value-mask says");
            const std::uint32_t v = r.u32(at);
            at += 4;
            if (bit == x11::CWBackPixel)
                w.background = v & 0xffffff;
            else if (bit == x11::CWBackingStore)
                w.backingStore = v == x11::BackingStoreAlways;
            else if (bit == x11::CWEventMask)
                w.eventMask = v;
        }
        w.content = Framebuffer(w.rect.w, w.rect.h, w.background);
        m_windows.push_back(std::move(w));
        return {};
    }
    case x11::MapWindow: {
        Window *w = nullptr;
        if (QString e = drawable(4, &w); !e.isEmpty())
            return e;
        if (!w->mapped) {
            w->mapped = true;
            // The server paints the background; the client draws the rest when told.
            w->content.fillRect(w->content.bounds(), w->background);
            if ((w->eventMask & x11::ExposureMask) && out) {
                const X11Rectangle all {0, 0, std::uint16_t(w->rect.w), std::uint16_t(w->rect.h)};
                out->push_back({w->client, X11Encoder::exposeEvent(sequence(w->client), w->id, all, 0)});
            }
        }
        return {};
    }
    case x11::ConfigureWindow: {
        if (QString e = needAtLeast(12); !e.isEmpty())
            return e;
        Window *w = nullptr;
        if (QString e = drawable(4, &w); !e.isEmpty())
            return e;
        const std::uint16_t mask = r.u16(8);
        if (mask & ~(x11::ConfigX | x11::ConfigY))
            return QStringLiteral("only moves (x, y) are modelled");
        std::size_t at = 12;
        int x = w->rect.x, y = w->rect.y;
        if (mask & x11::ConfigX) {
            x = std::int16_t(r.u32(at) & 0xffff);
            at += 4;
        }
        if (mask & x11::ConfigY) {
            y = std::int16_t(r.u32(at) & 0xffff);
            at += 4;
        }
        if (at > request.size())
            return QStringLiteral("the value list is shorter than the value-mask says");
        moveWindow(w, x, y, out);
        return {};
    }
    case x11::GetInputFocus:
        if (out)
            out->push_back({client, X11Encoder::getInputFocusReply(seq, kRootWindow)});
        return {};
    case x11::CreateGC: {
        if (QString e = needAtLeast(16); !e.isEmpty())
            return e;
        const std::uint32_t id = r.u32(4);
        if (findGc(id))
            return QStringLiteral("GC id 0x%1 is already in use").arg(id, 0, 16);
        Gc gc;
        if (QString e = applyGcValues(&gc, r.u32(12), r, 16, request.size()); !e.isEmpty())
            return e;
        m_gcs[id] = gc;
        return {};
    }
    case x11::ChangeGC: {
        if (QString e = needAtLeast(12); !e.isEmpty())
            return e;
        Gc *gc = findGc(r.u32(4));
        if (!gc)
            return QStringLiteral("bad GC 0x%1").arg(r.u32(4), 0, 16);
        return applyGcValues(gc, r.u32(8), r, 12, request.size());
    }
    case x11::ClearArea: {
        if (QString e = needAtLeast(16); !e.isEmpty())
            return e;
        Window *w = nullptr;
        if (QString e = drawable(4, &w); !e.isEmpty())
            return e;
        PixelRect a {r.i16(8), r.i16(10), r.u16(12), r.u16(14)};
        // A width or height of 0 means: up to the window's edge.
        if (a.w == 0)
            a.w = w->rect.w - a.x;
        if (a.h == 0)
            a.h = w->rect.h - a.y;
        w->content.fillRect(a, w->background);
        return {};
    }
    case x11::CopyArea: {
        if (QString e = needAtLeast(28); !e.isEmpty())
            return e;
        Window *src = nullptr;
        if (QString e = drawable(4, &src); !e.isEmpty())
            return e;
        if (r.u32(8) != src->id)
            return QStringLiteral("only copies inside one window are modelled");
        if (!findGc(r.u32(12)))
            return QStringLiteral("bad GC 0x%1").arg(r.u32(12), 0, 16);
        src->content.copyArea({r.i16(16), r.i16(18), r.u16(24), r.u16(26)}, r.i16(20), r.i16(22));
        return {};
    }
    case x11::PolyLine:
    case x11::PolySegment:
    case x11::PolyFillRectangle:
    case x11::ImageText8: {
        if (QString e = needAtLeast(opcode == x11::ImageText8 ? 16 : 12); !e.isEmpty())
            return e;
        Window *w = nullptr;
        if (QString e = drawable(4, &w); !e.isEmpty())
            return e;
        const Gc *gc = findGc(r.u32(8));
        if (!gc)
            return QStringLiteral("bad GC 0x%1").arg(r.u32(8), 0, 16);
        Framebuffer &fb = w->content;
        if (opcode == x11::PolyLine) {
            const bool relative = r.u8(1) == 1; // coordinate-mode Previous
            int px = 0, py = 0;
            for (std::size_t at = 12; at + 4 <= request.size(); at += 4) {
                int x = r.i16(at), y = r.i16(at + 2);
                if (relative && at > 12) {
                    x += px;
                    y += py;
                }
                if (at > 12)
                    fb.drawLine(px, py, x, y, gc->foreground);
                else
                    fb.setPixel(x, y, gc->foreground);
                px = x;
                py = y;
            }
        } else if (opcode == x11::PolySegment) {
            for (std::size_t at = 12; at + 8 <= request.size(); at += 8)
                fb.drawLine(r.i16(at), r.i16(at + 2), r.i16(at + 4), r.i16(at + 6), gc->foreground);
        } else if (opcode == x11::PolyFillRectangle) {
            for (std::size_t at = 12; at + 8 <= request.size(); at += 8)
                fb.fillRect({r.i16(at), r.i16(at + 2), r.u16(at + 4), r.u16(at + 6)}, gc->foreground);
        } else {
            const std::size_t n = r.u8(1);
            if (16 + n > request.size())
                return QStringLiteral("ImageText8 string runs past the request");
            fb.drawImageText(r.i16(12), r.i16(14),
                std::string(reinterpret_cast<const char *>(request.data()) + 16, n), gc->foreground,
                gc->background);
        }
        return {};
    }
    default:
        return QStringLiteral("request opcode %1 is not modelled").arg(opcode);
    }
}

void XServerModel::moveWindow(Window *w, int x, int y, std::vector<X11ServerPacket> *out)
{
    const PixelRect before = w->rect;
    w->rect.x = x;
    w->rect.y = y;
    if (!out || before == w->rect)
        return;
    if (w->eventMask & x11::StructureNotifyMask) {
        out->push_back({w->client,
            X11Encoder::configureNotifyEvent(sequence(w->client), w->id, std::int16_t(x), std::int16_t(y),
                std::uint16_t(w->rect.w), std::uint16_t(w->rect.h))});
    }
    if (!w->mapped)
        return;
    // Newly visible parts of the windows below: the old area minus the new one, minus what
    // the windows above each of them still cover. Only windows without backing store and
    // with Exposure selected hear about it; the root's background the server paints itself.
    const std::vector<PixelRect> uncovered = subtractRect(before, w->rect);
    const auto self
        = std::find_if(m_windows.begin(), m_windows.end(), [&](const Window &o) { return o.id == w->id; });
    for (auto below = m_windows.begin(); below != self; ++below) {
        if (!below->mapped || below->backingStore || !(below->eventMask & x11::ExposureMask))
            continue;
        std::vector<PixelRect> parts;
        for (const PixelRect &u : uncovered) {
            const PixelRect inside = u.intersected(below->rect);
            if (!inside.isEmpty())
                parts.push_back(inside);
        }
        for (auto above = below + 1; above != m_windows.end(); ++above) {
            if (!above->mapped)
                continue;
            std::vector<PixelRect> next;
            for (const PixelRect &p : parts) {
                for (const PixelRect &q : subtractRect(p, above->rect))
                    next.push_back(q);
            }
            parts = std::move(next);
        }
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const PixelRect &p = parts[i];
            const X11Rectangle local {std::int16_t(p.x - below->rect.x), std::int16_t(p.y - below->rect.y),
                std::uint16_t(p.w), std::uint16_t(p.h)};
            out->push_back({below->client,
                X11Encoder::exposeEvent(
                    sequence(below->client), below->id, local, std::uint16_t(parts.size() - 1 - i))});
        }
    }
}

void XServerModel::pointerMoved(int listener, int x, int y, std::vector<X11ServerPacket> *out)
{
    m_time += 16; // milliseconds: one frame at 60 Hz
    if (out) {
        out->push_back({listener,
            X11Encoder::motionNotifyEvent(
                sequence(listener), m_time, kRootWindow, std::int16_t(x), std::int16_t(y))});
    }
}

Framebuffer XServerModel::screen() const
{
    Framebuffer fb(m_width, m_height, m_rootColour);
    for (const Window &w : m_windows) {
        if (w.mapped)
            fb.blit(w.content, w.rect.x, w.rect.y);
    }
    return fb;
}

} // namespace proclab
