#include "vmmcheckerview.h"

#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace proclab {

namespace {

/// Paints the verdict and the classification table.
class CheckerTable : public QWidget {
public:
    explicit CheckerTable(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(400, 240);
    }
    void setSnapshot(std::shared_ptr<const VmmSnapshot> s)
    {
        m_snap = std::move(s);
        update();
    }
    void setTheme(const Theme &t)
    {
        m_theme = t;
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), m_theme.base);
        if (!m_snap || m_snap->mode != VmmMode::Check) {
            p.setPen(m_theme.muted);
            p.setFont(m_theme.font(12));
            p.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
                m_snap ? tr("The checker runs with mode = check.")
                       : tr("Press Run to check the instruction set."));
            return;
        }
        const VmmSnapshot &s = *m_snap;
        const QRectF area = rect().adjusted(10, 8, -10, -8);
        // The verdict, large.
        const QString verdict = s.verdict.virtualizable
            ? tr("ISA %1: virtualizable by trap-and-emulate").arg(ToyIsa::isaName(s.isa))
            : tr("ISA %1: NOT virtualizable by trap-and-emulate (%2)")
                  .arg(ToyIsa::isaName(s.isa), s.verdict.offending.join(QStringLiteral(", ")));
        // As large as the width allows: the verdict is never cut off.
        QFont head = m_theme.font(14, true);
        for (double pt = 13.5; pt >= 8 && QFontMetricsF(head).horizontalAdvance(verdict) > area.width();
             pt -= 0.5)
            head = m_theme.font(pt, true);
        p.setFont(head);
        p.setPen(s.verdict.virtualizable ? m_theme.good : m_theme.bad);
        const double headH = QFontMetricsF(head).height() * 1.3;
        p.drawText(
            QRectF(area.left(), area.top(), area.width(), headH), Qt::AlignLeft | Qt::AlignVCenter, verdict);
        double y = area.top() + headH + 4;
        // Table: sensitive instructions first would hide the ISA's order; keep it, two columns.
        const QFont cell = m_theme.font(9.5);
        const QFont cellBold = m_theme.font(9.5, true);
        const double lineH = QFontMetricsF(cell).height() * 1.2;
        const int n = int(s.table.size());
        // Room for the heads and, under the rows, the legend of abbreviated classes.
        const int perColumn = std::max(1, int((area.bottom() - y - 3 * lineH) / lineH));
        const int columns = n > perColumn ? 2 : 1;
        const int rows = (n + columns - 1) / columns;
        const double colW = area.width() / columns;
        const QStringList heads {tr("instr."), tr("priv."), tr("ctrl"), tr("behav."), tr("class")};
        // Columns as wide as their contents need (the yes/- columns no wider than their heads);
        // the class, the longest, gets the rest of the table column.
        const QFontMetricsF boldFm(cellBold);
        const double pad = 10;
        double widths[5];
        widths[0] = boldFm.horizontalAdvance(heads[0]);
        for (const SensitivityEntry &e : s.table)
            widths[0] = std::max(widths[0], boldFm.horizontalAdvance(e.mnemonic.toUpper()));
        for (int k = 1; k < 4; ++k)
            widths[k] = std::max(boldFm.horizontalAdvance(heads[k]), boldFm.horizontalAdvance(tr("yes")));
        double fixed = 0;
        for (int k = 0; k < 4; ++k) {
            widths[k] += pad;
            fixed += widths[k];
        }
        if (fixed > colW * 0.6) {
            // Too narrow for that: shares of the column, as before.
            const double weights[] = {0.22, 0.11, 0.1, 0.16, 0.41};
            for (int k = 0; k < 5; ++k)
                widths[k] = colW * weights[k];
        } else {
            widths[4] = colW - fixed - 8; // the row's highlight ends 8 px before the next column
        }
        for (int c = 0; c < columns; ++c) {
            double x = area.left() + c * colW;
            p.setPen(m_theme.muted);
            p.setFont(cellBold);
            for (int k = 0; k < heads.size(); ++k) {
                p.drawText(QRectF(x, y, widths[k], lineH), Qt::AlignLeft | Qt::AlignVCenter, heads[k]);
                x += widths[k];
            }
        }
        y += lineH;
        m_abbreviated = false;
        m_elided = 0;
        for (int i = 0; i < n; ++i) {
            const SensitivityEntry &e = s.table[std::size_t(i)];
            const int c = i / rows;
            const double rowY = y + (i % rows) * lineH;
            double x = area.left() + c * colW;
            const bool offending = e.sensitive() && !e.privileged;
            if (offending) {
                p.setPen(Qt::NoPen);
                p.setBrush(m_theme.bad.lighter(175));
                p.drawRect(QRectF(x, rowY, colW - 8, lineH));
            }
            p.setPen(offending ? m_theme.bad : m_theme.text);
            const QStringList cells {e.mnemonic.toUpper(), e.privileged ? tr("yes") : QStringLiteral("-"),
                e.controlSensitive ? tr("yes") : QStringLiteral("-"),
                e.behaviourSensitive ? tr("yes") : QStringLiteral("-"), e.classText()};
            for (int k = 0; k < cells.size(); ++k) {
                p.setFont(k == 0 || offending ? cellBold : cell);
                const QFontMetricsF fm(p.font());
                const double w = widths[k];
                QString text = cells[k];
                // "privileged+control-sensitive" is wider than a class cell at 1280x800:
                // abbreviated (shorter still if need be), with the legend under the table.
                for (int level = 1; k == 4 && level <= 2 && fm.horizontalAdvance(text) > w - 2; ++level) {
                    text = VmmCheckerView::abbreviatedClass(cells[k], level == 2);
                    m_abbreviated = true;
                }
                if (fm.horizontalAdvance(text) > w - 2) {
                    text = fm.elidedText(text, Qt::ElideRight, w - 2);
                    ++m_elided;
                }
                p.drawText(QRectF(x, rowY, w, lineH), Qt::AlignLeft | Qt::AlignVCenter, text);
                x += w;
            }
        }
        if (m_abbreviated) {
            p.setPen(m_theme.muted);
            p.setFont(cell);
            const QRectF legend(area.left(), y + rows * lineH + lineH * 0.3, area.width(), area.bottom() - y);
            p.drawText(legend, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                tr("priv. = privileged, ctrl(-sens.) = control-sensitive, behav(-sens.) = "
                   "behaviour-sensitive"));
        }
    }

public:
    bool m_abbreviated = false; ///< the last paint abbreviated a class (and drew the legend)
    int m_elided = 0; ///< cells the last paint had to cut short

private:
    std::shared_ptr<const VmmSnapshot> m_snap;
    Theme m_theme;
};

} // namespace

QString VmmCheckerView::abbreviatedClass(const QString &classText, bool shortest)
{
    QStringList words = classText.split(QLatin1Char('+'));
    for (QString &w : words) {
        if (w == QLatin1String("privileged"))
            w = tr("priv.");
        else if (w == QLatin1String("control-sensitive"))
            w = shortest ? tr("ctrl") : tr("ctrl-sens.");
        else if (w == QLatin1String("behaviour-sensitive"))
            w = shortest ? tr("behav") : tr("behav-sens.");
    }
    return words.join(QLatin1Char('+'));
}

bool VmmCheckerView::classesAbbreviated() const
{
    return static_cast<CheckerTable *>(m_table)->m_abbreviated;
}

int VmmCheckerView::elidedCells() const
{
    return static_cast<CheckerTable *>(m_table)->m_elided;
}

VmmCheckerView::VmmCheckerView(QWidget *parent)
    : StepView(parent)
    , m_table(new CheckerTable(this))
{
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(m_table, 1);
}

void VmmCheckerView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    auto s = std::dynamic_pointer_cast<const VmmSnapshot>(snapshot);
    static_cast<CheckerTable *>(m_table)->setSnapshot(s);
    m_statusText = s ? s->status : QString();
}

void VmmCheckerView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    static_cast<CheckerTable *>(m_table)->setTheme(theme);
}

} // namespace proclab
