#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;

namespace proclab {

struct Theme;

/**
 * @brief The keys of the window, drawn over it (F1 or ?): readable from the back
 * of a room, gone with any key or a click.
 *
 * It covers its parent and follows its size, so it never opens a second window
 * a presenter would have to find and close on the projector.
 */
class ShortcutOverlay : public QWidget {
    Q_OBJECT

public:
    explicit ShortcutOverlay(QWidget *parent);

    /// Shows it over the whole parent and takes the keyboard focus.
    void open();
    void applyTheme(const Theme &theme);
    /// The text shown (for tests): one line per key.
    QString text() const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    /// Hides the overlay and gives the keyboard back to the widget that had it.
    void dismiss();
    QPointer<QWidget> m_previousFocus;
    QLabel *m_table;
    QColor m_panel;
    QColor m_border;
};

} // namespace proclab
