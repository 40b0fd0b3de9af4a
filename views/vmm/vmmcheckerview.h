#pragma once

#include "common/stepview.h"

#include "vmm/vmmengine.h"

namespace proclab {

/**
 * @brief The Popek-Goldberg checker (V4, V5): every instruction's classification, the
 * sensitive but unprivileged ones marked, and the verdict in large type.
 */
class VmmCheckerView : public StepView {
    Q_OBJECT

public:
    explicit VmmCheckerView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;

    /// For tests: the painted table.
    QWidget *table() const { return m_table; }

private:
    QWidget *m_table;
    QString m_statusText; ///< the run controls show it; kept for tests
};

} // namespace proclab
