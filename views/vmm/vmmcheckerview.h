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
    /// Whether the table's last paint abbreviated a class to fit (a legend explains them).
    bool classesAbbreviated() const;
    /// How many cells the table's last paint had to cut short ("...").
    int elidedCells() const;
    /// @brief A class as the engine names it ("privileged+control-sensitive") with each part
    /// abbreviated as the legend explains ("priv.+ctrl-sens."; @p shortest: "priv.+ctrl").
    static QString abbreviatedClass(const QString &classText, bool shortest = false);

private:
    QWidget *m_table;
    QString m_statusText; ///< the run controls show it; kept for tests
};

} // namespace proclab
