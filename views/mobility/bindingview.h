#pragma once

#include "bindingtablewidget.h"

#include "common/stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief The binding engine's view (M4): the table with the chosen cell, what
 * the action means, and what was done to a real resource of this machine.
 */
class BindingView : public StepView {
    Q_OBJECT

public:
    explicit BindingView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    BindingTableWidget *table() const { return m_table; }
    QString answerText() const;
    QString demoText() const;

private:
    BindingTableWidget *m_table;
    QLabel *m_answer;
    QLabel *m_demo;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
