#pragma once

#include "common/theme.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

namespace proclab {

/**
 * @brief The steps of a context switch on a user/kernel timeline (T2, T3).
 *
 * User A runs; S1 traps into the kernel; A's context is saved; for a process
 * switch the MMU register (page-table root) is loaded with B's; B's context is
 * restored; S3 returns to user space in B. The context fields are listed with
 * what the CPU holds at each step. When measured medians are known, segment
 * widths follow them (S1 + S3 = one system call, the whole = one switch).
 */
class SwitchDiagram : public QWidget {
    Q_OBJECT

public:
    explicit SwitchDiagram(QWidget *parent = nullptr);

    void setProcessSwitch(bool process);
    bool processSwitch() const { return m_process; }
    /// Measured medians (ns) that scale the segments; 0 = unknown (equal widths).
    void setMeasured(double syscallNs, double threadSwitchNs, double processSwitchNs);
    void setTheme(const Theme &theme);

    int stepCount() const;
    int step() const { return m_step; }
    void setStep(int step);
    /// Title of step @p i ("S1: trap into the kernel").
    QString stepTitle(int i) const;
    /// Context field names shown for the current mode (PC, SP, ..., page-table root).
    QStringList fieldNames() const;

    QSize sizeHint() const override { return {640, 330}; }

Q_SIGNALS:
    void stepChanged(int step);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Segment {
        QString title;
        QString detail;
        bool kernel;
        int owner; // 0 = A, 1 = B, -1 = kernel work
        double weight;
    };
    std::vector<Segment> segments() const;

    bool m_process = true;
    int m_step = 0;
    double m_syscallNs = 0;
    double m_threadNs = 0;
    double m_processNs = 0;
    Theme m_theme;
};

/// @brief A time for the diagram's captions: "310 ns", "4.2 us", "85 us"; "?" when unknown (0).
QString switchTimeText(double ns);

} // namespace proclab
