#pragma once

#include "common/stepview.h"

#include "transparency/rebindengine.h"

class QLabel;

namespace proclab {

class RebindSequenceDiagram;

/**
 * @brief C4, location and migration transparency: a sequence diagram of the client code,
 * its stub, the name server, the mover and every server process, one arrow per message,
 * the latest at the bottom; failed attempts in red. The client code is shown beside it.
 */
class SequenceView : public StepView {
    Q_OBJECT

public:
    explicit SequenceView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QString statusText() const;
    QWidget *diagram() const;
    /// For tests: how many arrows the diagram drew last time.
    int arrowsDrawn() const;

private:
    RebindSequenceDiagram *m_diagram;
    QLabel *m_code;
    QLabel *m_status;
};

} // namespace proclab
