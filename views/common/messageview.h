#pragma once

#include "stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief A view that shows one message instead of a chart: what went wrong when a step's view
 * cannot be shown (an unknown view id, say).
 */
class MessageView : public StepView {
    Q_OBJECT

public:
    explicit MessageView(const QString &message, QWidget *parent = nullptr);

    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    QString message() const;

private:
    QLabel *m_label;
};

} // namespace proclab
