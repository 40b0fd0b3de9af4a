#pragma once

#include "vmmstatepanel.h"

#include "common/stepview.h"

namespace proclab {

/**
 * @brief The CPU panel with the guest kernel's process table (T2), or with the translated
 * block beside its guest code (V6), filling the view.
 */
class VmmStateView : public StepView {
    Q_OBJECT

public:
    explicit VmmStateView(VmmStatePanel::Content content, QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;

    VmmStatePanel *panel() const { return m_panel; }

private:
    VmmStatePanel *m_panel;
    QString m_statusText; ///< the run controls show it; kept for tests
};

} // namespace proclab
