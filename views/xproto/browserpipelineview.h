#pragma once

#include "common/stepview.h"

#include "xproto/browserpipelineengine.h"

class QLabel;

namespace proclab {

class BrowserPipelineDiagram;

/**
 * @brief C3: the browser's pipeline as the slides draw it (resource loader and web server,
 * parsing into the DOM, styling, layout, painting, compositing, scripts and the user),
 * with the stage at work highlighted and, for a thin client, the network moved in front
 * of the display.
 */
class BrowserPipelineView : public StepView {
    Q_OBJECT

public:
    explicit BrowserPipelineView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QString captionText() const;
    QWidget *diagram() const;

private:
    BrowserPipelineDiagram *m_diagram;
    QLabel *m_caption;
};

} // namespace proclab
