#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief The native-process view (M5): the address landmarks of two runs of the
 * same program side by side, the descriptors and the kernel's part of the
 * context, each with why it does not survive a move to another host.
 */
class NativeView : public StepView {
    Q_OBJECT

public:
    explicit NativeView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QString regionsText() const;
    QString descriptorsText() const;

private:
    QLabel *m_headline;
    QLabel *m_regions;
    QLabel *m_descriptors;
    QLabel *m_kernel;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
