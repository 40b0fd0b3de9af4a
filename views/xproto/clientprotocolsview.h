#pragma once

#include "common/stepview.h"

#include "xproto/clientprotocolsengine.h"

class QLabel;

namespace proclab {

class ClientProtocolsDiagram;

/**
 * @brief C1: the same request through an application-specific protocol (left) and through
 * middleware (right), frame by frame, with the caption of each frame below.
 */
class ClientProtocolsView : public StepView {
    Q_OBJECT

public:
    explicit ClientProtocolsView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QString captionText() const;
    QWidget *diagram() const;

private:
    ClientProtocolsDiagram *m_diagram;
    QLabel *m_caption;
};

} // namespace proclab
