#pragma once

#include <QTextDocument>
#include <QWidget>

#include <memory>

namespace proclab {

/**
 * @brief A word-wrapped label for text that changes with every frame of a run (a status
 * line, a view's figures).
 *
 * A QLabel given new text asks its parent layout for room every time, and that layout asks
 * the word-wrapped label for its height at several widths, laying the text out again for
 * each: several text layouts and a layout pass of the whole view per frame. This label lays
 * its text out once per change, at its own width, and asks the layout for room only when
 * the height that text needs changed (a line more or less), so a frame that only changes a
 * figure costs one text layout and a repaint.
 */
class LiveTextLabel : public QWidget {
    Q_OBJECT

public:
    explicit LiveTextLabel(QWidget *parent = nullptr);

    /// Rich text (a subset of HTML, as QLabel takes) or plain text, as set by setTextFormat().
    void setText(const QString &text);
    /// The text last given to setText(), as given.
    QString text() const { return m_text; }
    /// No text (as QLabel::clear()).
    void clear() { setText(QString()); }
    /// Qt::RichText or Qt::PlainText (the default); Qt::AutoText is read as rich text.
    void setTextFormat(Qt::TextFormat format);
    /// Where the text sits in a label taller than it: at the top (the default) or, when
    /// asked, in the middle; the text itself is always laid out from the left.
    void setVerticalCentre(bool centre);

    /// The most minimumSizeHint() asks for, however long the text's longest word.
    static constexpr int kMaxMinimumWidth = 480;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    /// Sets the document's text; asks for room when the height at the current width changed.
    void relayout();
    /// The document's height in whole pixels at its current text width.
    int documentHeight() const;
    /// A copy of the document laid out at @p width (the shown one untouched).
    std::unique_ptr<QTextDocument> copyAt(int width) const;

    QString m_text;
    Qt::TextFormat m_format = Qt::PlainText;
    bool m_centre = false;
    QTextDocument m_doc;
    int m_height = 0; ///< the height last reported to the layout (at the label's width)
    mutable int m_minWidth = -1; ///< the widest word or table column's least width; -1: not known
};

} // namespace proclab
