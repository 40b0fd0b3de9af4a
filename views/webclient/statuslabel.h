#pragma once

#include <QLabel>

namespace proclab {

/// @brief The status line under a webclient-family chart: wraps, and its text can be selected and copied.
inline QLabel *statusLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

} // namespace proclab
