#pragma once

#include "common/stepview.h"

#include "transparency/stubcallengine.h"

class QLabel;

namespace proclab {

class StubDiagram;

/**
 * @brief C4, access transparency: the generated stub and skeleton code with the lines of
 * the current stage highlighted, the eight stages of a call, and the bytes of the request or
 * reply split into their fields.
 */
class StubView : public StepView {
    Q_OBJECT

public:
    explicit StubView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QString statusText() const;
    QWidget *diagram() const;

private:
    StubDiagram *m_diagram;
    QLabel *m_status;
};

} // namespace proclab
