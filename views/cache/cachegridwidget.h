#pragma once

#include "common/theme.h"

#include "cache/cachesnapshot.h"

#include <QWidget>

#include <memory>

namespace proclab {

/**
 * @brief The cache as a grid of sets x ways, each line coloured by its owner.
 *
 * Drawn into a QImage (a cache can have thousands of lines). The line the
 * current access touched has a thick border: green on a hit, red on a miss; a
 * corner triangle marks a dirty line (to be written back on eviction).
 */
class CacheGridWidget : public QWidget {
    Q_OBJECT

public:
    explicit CacheGridWidget(QWidget *parent = nullptr);
    void setSnapshot(std::shared_ptr<const CacheSnapshot> snapshot);
    void setTheme(const Theme &theme);
    /// The rectangle of line (set, way) in widget coordinates (for tests and tooltips).
    QRect cellRect(int set, int way) const;
    /// The colour a line of @p owner is filled with.
    QColor ownerColor(int owner) const;
    QSize sizeHint() const override { return {420, 360}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Layout {
        int left = 0, top = 0, cellW = 0, cellH = 0, sets = 0, ways = 0;
    };
    Layout layout() const;

    std::shared_ptr<const CacheSnapshot> m_snap;
    Theme m_theme;
};

} // namespace proclab
