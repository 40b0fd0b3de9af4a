// The label views use for text that changes every frame: it draws what it was given, its
// height follows the lines the text needs, and a change that keeps the height asks its
// parent layout for nothing.
#include "common/livetextlabel.h"

#include <QApplication>
#include <QEvent>
#include <QFontMetrics>
#include <QTest>
#include <QVBoxLayout>

using namespace proclab;

namespace {

/// Counts the layout requests a widget receives (what a label's updateGeometry() causes).
class LayoutRequestCounter : public QObject {
public:
    int count = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::LayoutRequest)
            ++count;
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

class TestLiveTextLabel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void heightFollowsTheLines();
    void sameHeightNeedsNoLayout();
    void drawsTheText();
    void minimumWidthKeepsWordsWhole();
};

void TestLiveTextLabel::heightFollowsTheLines()
{
    LiveTextLabel label;
    label.setTextFormat(Qt::RichText);
    label.resize(300, 10);
    label.setText(QStringLiteral("one line"));
    const int one = label.heightForWidth(300);
    QVERIFY(one > 0);
    label.setText(QStringLiteral("one<br>two<br>three"));
    QCOMPARE(label.text(), QStringLiteral("one<br>two<br>three")); // as given
    const int three = label.heightForWidth(300);
    QVERIFY2(three >= 2 * one, qPrintable(QStringLiteral("%1 vs %2").arg(three).arg(one)));
    // A long line wraps: narrower needs more height, and asking does not change the text shown.
    label.setText(QString(QStringLiteral("word ")).repeated(40));
    const int wide = label.heightForWidth(300);
    QVERIFY(label.heightForWidth(120) > wide);
    QCOMPARE(label.heightForWidth(300), wide);
    QCOMPARE(label.sizeHint().height(), wide);
    label.setText(QString());
    QCOMPARE(label.heightForWidth(300), 0);
}

void TestLiveTextLabel::sameHeightNeedsNoLayout()
{
    QWidget parent;
    auto *layout = new QVBoxLayout(&parent);
    auto *label = new LiveTextLabel(&parent);
    label->setTextFormat(Qt::RichText);
    layout->addWidget(label);
    layout->addStretch(1);
    parent.resize(400, 300);
    label->setText(QStringLiteral("Pages sent: <b>1</b>"));
    parent.show();
    QVERIFY(QTest::qWaitForWindowExposed(&parent));
    QApplication::processEvents();
    const int before = label->height();
    QVERIFY(before > 0);
    LayoutRequestCounter counter;
    parent.installEventFilter(&counter);
    // A new figure on the same line: no layout request.
    for (int i = 2; i < 50; ++i) {
        label->setText(QStringLiteral("Pages sent: <b>%1</b>").arg(i));
        QApplication::processEvents();
    }
    QCOMPARE(counter.count, 0);
    QCOMPARE(label->height(), before);
    // A line more: the layout gives it the room.
    label->setText(QStringLiteral("Pages sent: <b>50</b><br>Downtime: <b>3 ms</b>"));
    QApplication::processEvents();
    QVERIFY(counter.count > 0);
    QVERIFY(label->height() > before);
}

void TestLiveTextLabel::drawsTheText()
{
    LiveTextLabel label;
    label.resize(200, 40);
    QPalette pal = label.palette();
    pal.setColor(QPalette::Window, Qt::white);
    pal.setColor(QPalette::WindowText, Qt::black);
    label.setPalette(pal);
    label.setAutoFillBackground(true);
    QImage empty = label.grab().toImage();
    label.setText(QStringLiteral("MMMM"));
    QImage drawn = label.grab().toImage();
    QVERIFY(empty != drawn);
    int dark = 0;
    for (int y = 0; y < drawn.height(); ++y)
        for (int x = 0; x < drawn.width(); ++x)
            dark += qGray(drawn.pixel(x, y)) < 100 ? 1 : 0;
    QVERIFY(dark > 10); // the text in the label's text colour
}

void TestLiveTextLabel::minimumWidthKeepsWordsWhole()
{
    LiveTextLabel label;
    const QFontMetrics fm(label.font());
    // A word wider than the 80 px floor: the label asks for at least that word's width.
    const QString word = QStringLiteral("blocking_calls_per_request");
    label.setText(QStringLiteral("a %1 b").arg(word));
    QVERIFY2(label.minimumSizeHint().width() >= fm.horizontalAdvance(word),
        qPrintable(
            QStringLiteral("%1 < %2").arg(label.minimumSizeHint().width()).arg(fm.horizontalAdvance(word))));
    QVERIFY(label.sizeHint().width() >= label.minimumSizeHint().width());
    // A rich-text table: no narrower than its columns' longest words side by side.
    label.setTextFormat(Qt::RichText);
    label.setText(QStringLiteral("<table><tr><td>parallel?</td><td>blocking?</td></tr></table>"));
    QVERIFY(label.minimumSizeHint().width() >= fm.horizontalAdvance(QStringLiteral("parallel?"))
            + fm.horizontalAdvance(QStringLiteral("blocking?")));
    // Short words: the floor. One endless word: the cap, so it never widens the window.
    label.setText(QStringLiteral("a b c"));
    QCOMPARE(label.minimumSizeHint().width(), 80);
    label.setText(QString(400, QLatin1Char('x')));
    QCOMPARE(label.minimumSizeHint().width(), LiveTextLabel::kMaxMinimumWidth);
}

QTEST_MAIN(TestLiveTextLabel)
#include "tst_livetextlabel.moc"
