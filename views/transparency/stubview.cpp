#include "stubview.h"

#include "xproto/diagrampainter.h"

#include <QFontDatabase>
#include <QFontMetricsF>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace proclab {

/// Paints the code panels, the stages and the bytes.
class StubDiagram : public QWidget {
public:
    explicit StubDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(560, 340);
    }

    std::shared_ptr<const StubCallSnapshot> snap;
    Theme theme = Theme::byId(QStringLiteral("light"));

protected:
    QFont mono(double pt) const
    {
        QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        f.setPointSizeF(pt * theme.fontScale);
        return f;
    }

    void codePanel(QPainter &p, const QRectF &r, const QString &title, const QStringList &lines, int first,
        int last, bool active)
    {
        DiagramPainter d(&p, theme);
        d.fittedText(
            QRectF(r.left(), r.top(), r.width(), 24), title, 11, true, Qt::AlignLeft | Qt::AlignVCenter);
        const QRectF body = r.adjusted(0, 26, 0, 0);
        p.setPen(QPen(theme.axis, 1));
        p.setBrush(theme.window);
        p.drawRect(body);
        // The largest monospace size at which the longest line fits.
        int longest = 1;
        for (const QString &l : lines)
            longest = std::max(longest, int(l.size()));
        double pt = 11;
        QFont f = mono(pt);
        while (pt > 6
            && (QFontMetricsF(f).horizontalAdvance(QString(longest, QLatin1Char('m'))) > body.width() - 12
                || QFontMetricsF(f).lineSpacing() * lines.size() > body.height() - 8)) {
            pt -= 0.5;
            f = mono(pt);
        }
        p.setFont(f);
        const double lh = QFontMetricsF(f).lineSpacing();
        for (int i = 0; i < lines.size(); ++i) {
            const QRectF line(body.left() + 2, body.top() + 4 + i * lh, body.width() - 4, lh);
            if (active && i >= first && i <= last) {
                QColor hl = theme.warn;
                hl.setAlpha(110);
                p.fillRect(line, hl);
            }
            p.setPen(theme.text);
            p.drawText(line.adjusted(6, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, lines[i]);
        }
    }

    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        DiagramPainter d(&p, theme);
        const double w = width(), h = height();
        if (!snap || snap->calls.empty()) {
            d.fittedText(rect(),
                QObject::tr("Press Run (F5) or Step: the application calls greet(), mean() and add() of a "
                            "remote calculator through its stub."),
                12, true, Qt::AlignCenter | Qt::TextWordWrap, theme.accent);
            return;
        }
        const StubCallView &c = snap->calls.back();
        const int phase = snap->phase;
        using S = StubCallSnapshot;
        // Stages across the middle.
        const QStringList stages {QObject::tr("application calls"), QObject::tr("stub marshals"),
            QObject::tr("on the wire"), QObject::tr("skeleton unmarshals"), QObject::tr("object runs"),
            QObject::tr("skeleton marshals reply"), QObject::tr("stub unmarshals"),
            QObject::tr("application gets result")};
        const double codeH = h * 0.36;
        const double stageY = 8 + codeH + 10, stageH = std::min(58.0, h * 0.11);
        const double sw = (w - 16 - 7 * 10) / 8;
        for (int i = 0; i < S::kPhases; ++i) {
            const bool server = i >= S::SkeletonUnmarshals && i <= S::SkeletonReplies;
            QColor fill = server ? theme.seriesColor(1).lighter(175) : theme.seriesColor(0).lighter(180);
            if (i > phase)
                fill = theme.window;
            const QRectF r(8 + i * (sw + 10), stageY, sw, stageH);
            d.box(r, stages[i], fill, i == phase, 10);
            if (i > 0)
                d.arrow(QPointF(r.left() - 9, r.center().y()), QPointF(r.left() - 1, r.center().y()),
                    theme.axis, QString(), 2);
        }
        d.fittedText(
            QRectF(8, stageY + stageH + 2, 3 * (sw + 10), 22), QObject::tr("client process"), 10, true);
        d.fittedText(QRectF(8 + 3 * (sw + 10), stageY + stageH + 2, 3 * (sw + 10) - 10, 22),
            QObject::tr("server process (127.0.0.1:%1)").arg(snap->port), 10, true);
        // Code: the stub on the left, the skeleton on the right.
        const GeneratedMethodCode &code = c.code;
        int sFirst = -1, sLast = -1, kFirst = -1, kLast = -1;
        switch (phase) {
        case S::AppCalls:
            sFirst = sLast = code.stubSignature;
            break;
        case S::StubMarshals:
            sFirst = code.stubMarshalFirst;
            sLast = code.stubMarshalLast;
            break;
        case S::OnTheWire:
            sFirst = sLast = code.stubExchange;
            break;
        case S::SkeletonUnmarshals:
            kFirst = code.skeletonUnmarshalFirst;
            kLast = code.skeletonUnmarshalLast;
            break;
        case S::ObjectRuns:
            kFirst = kLast = code.skeletonCall;
            break;
        case S::SkeletonReplies:
            kFirst = kLast = code.skeletonReply;
            break;
        default:
            sFirst = sLast = code.stubUnmarshal;
            break;
        }
        const double half = (w - 24) / 2;
        codePanel(p, QRectF(8, 8, half, codeH), QObject::tr("Client stub (generated) for %1").arg(c.callText),
            code.stubLines, sFirst, sLast, sFirst >= 0);
        codePanel(p, QRectF(16 + half, 8, half, codeH), QObject::tr("Server skeleton (generated)"),
            code.skeletonLines, kFirst, kLast, kFirst >= 0);
        // Bytes: the request while it is built and sent, the reply on its way back.
        const bool reply = phase >= S::SkeletonReplies;
        const bool bytes = phase >= S::StubMarshals && phase != S::ObjectRuns;
        const double bytesTop = stageY + stageH + 30;
        const QRectF area(8, bytesTop, w - 16, h - bytesTop - 8);
        if (!bytes) {
            d.fittedText(area,
                phase == S::AppCalls
                    ? QObject::tr("To the application this is a local call: %1").arg(c.callText)
                    : QObject::tr("The object computes %1 as an ordinary local procedure (it saw %2).")
                          .arg(c.method, c.serverSaw),
                12, true, Qt::AlignCenter | Qt::TextWordWrap, theme.text);
            return;
        }
        const RpcBytes &data = reply ? c.reply : c.request;
        const std::vector<MarshalField> &fields = reply ? c.replyFields : c.requestFields;
        d.fittedText(QRectF(area.left(), area.top(), area.width(), 24),
            reply ? QObject::tr("The reply: %1 bytes (result %2)").arg(data.size()).arg(c.resultText)
                  : QObject::tr("The request the stub marshalled: %1 bytes").arg(data.size()),
            11.5, true, Qt::AlignLeft | Qt::AlignVCenter);
        // Fields as boxes: hex bytes above, meaning below; wrapped onto rows.
        const QFont hexFont = mono(10.5);
        const QFontMetricsF hm(hexFont);
        const double rowH = hm.lineSpacing() * 2 + 34;
        double x = area.left(), y = area.top() + 28;
        int colour = 0;
        for (const MarshalField &fld : fields) {
            QString hex;
            for (int i = 0; i < fld.length && fld.offset + i < int(data.size()); ++i) {
                if (i == 12) {
                    hex += QStringLiteral("\u2026");
                    break;
                }
                hex += QStringLiteral("%1 ").arg(data[std::size_t(fld.offset + i)], 2, 16, QLatin1Char('0'));
            }
            hex = hex.trimmed();
            const double fw = std::max(hm.horizontalAdvance(hex) + 14,
                std::min(180.0, QFontMetricsF(theme.font(9.5)).horizontalAdvance(fld.label) + 12));
            if (x + fw > area.right() && x > area.left()) {
                x = area.left();
                y += rowH + 6;
            }
            if (y + rowH > area.bottom())
                break;
            const bool payload = fld.offset >= RpcMessage::kHeaderBytes;
            QColor fill = payload ? theme.seriesColor(2 + colour % 3).lighter(175) : theme.window;
            const QRectF r(x, y, fw, rowH);
            p.setPen(QPen(theme.axis, 1));
            p.setBrush(fill);
            p.drawRect(r);
            p.setFont(hexFont);
            p.setPen(Qt::black);
            p.drawText(r.adjusted(4, 2, -4, -rowH / 2), Qt::AlignCenter, hex);
            d.fittedText(r.adjusted(3, rowH / 2 - 4, -3, -2), fld.label, 9.5, false,
                Qt::AlignCenter | Qt::TextWordWrap, Qt::black);
            x += fw + 4;
            if (payload)
                ++colour;
        }
    }
};

StubView::StubView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new StubDiagram(this))
    , m_status(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram, 1);
    layout->addWidget(m_status);
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *StubView::diagram() const
{
    return m_diagram;
}

QString StubView::statusText() const
{
    return m_status->text();
}

void StubView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    m_diagram->snap = std::dynamic_pointer_cast<const StubCallSnapshot>(snapshot);
    const auto &s = m_diagram->snap;
    QString text = s ? s->status : tr("A real server runs on 127.0.0.1; the stub talks to it over TCP.");
    if (s && s->timedCalls > 0)
        text = tr("%1 timed calls of add() through stub, socket and skeleton: median %2 \u00b5s per call "
                  "(measured on this "
                  "machine).")
                   .arg(s->timedCalls)
                   .arg(s->callUsMedian, 0, 'f', 1);
    m_status->setText(text);
    m_diagram->update();
}

void StubView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_status->setFont(theme.font(12));
    m_diagram->update();
}

} // namespace proclab
