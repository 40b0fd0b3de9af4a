#pragma once

#include "common/stepview.h"

#include "xproto/xprotoengine.h"

namespace proclab {

class XArchitectureDiagram;

/**
 * @brief C2 as the slides draw it: the application and the window manager use Xlib on the
 * application server; the X kernel, the X server, runs on the user's terminal. Below, the
 * pixel alternative: the whole drawing happens on the application server and a VNC server
 * sends pixels. The current frame's messages and bytes are written on the links.
 */
class XArchitectureView : public StepView {
    Q_OBJECT

public:
    explicit XArchitectureView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QWidget *diagram() const;

private:
    XArchitectureDiagram *m_diagram;
};

} // namespace proclab
