#include "syllabusmap.h"

#include "common/theme.h"
#include "lesson/progressstore.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace proclab {

namespace {

constexpr int kLessonRole = Qt::UserRole;
constexpr int kStepRole = Qt::UserRole + 1;

struct ConceptRow {
    const char *id;
    Section section;
    const char *name;
};

// The ids are the syllabus's; the names are short reminders of what each covers.
constexpr ConceptRow kConcepts[] = {
    {"T1", Section::Threads,
        QT_TRANSLATE_NOOP("SyllabusMap", "Processors, threads and processes as virtual processors")},
    {"T2", Section::Threads,
        QT_TRANSLATE_NOOP("SyllabusMap", "What a processor, thread and process context holds")},
    {"T3", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Thread vs process switch and creation cost")},
    {"T4", Section::Threads,
        QT_TRANSLATE_NOOP("SyllabusMap", "Why threads, and what a shared address space costs")},
    {"T5", Section::Threads,
        QT_TRANSLATE_NOOP("SyllabusMap", "Direct and indirect cost of a context switch")},
    {"T6", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "A shared variable in processes and threads")},
    {"T7", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "User-level threads and a blocking call")},
    {"T8", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Kernel threads")},
    {"T9", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Two-level threads: user threads on LWPs")},
    {"T10", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Linux tasks, CFS and pthreads")},
    {"T11", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Multithreaded clients hide network latency")},
    {"T12", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Thread-level parallelism (TLP)")},
    {"T13", Section::Threads, QT_TRANSLATE_NOOP("SyllabusMap", "Threads in servers")},
    {"T14", Section::Threads,
        QT_TRANSLATE_NOOP("SyllabusMap", "Dispatcher/worker, single-threaded and state-machine servers")},
    {"V1", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "Why virtualize: one interface on top of another")},
    {"V2", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "Interfaces at three levels: ISA, system calls, libraries")},
    {"V3", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "Process VM, native VMM and hosted VMM")},
    {"V4", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "Privileged and sensitive instructions")},
    {"V5", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "The Popek-Goldberg condition and its remedies")},
    {"V6", Section::Virtualization, QT_TRANSLATE_NOOP("SyllabusMap", "Binary translation in a VMM on an OS")},
    {"V7", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "Containers: namespaces, layers, control groups")},
    {"V8", Section::Virtualization, QT_TRANSLATE_NOOP("SyllabusMap", "PlanetLab: vservers and slices")},
    {"V9", Section::Virtualization,
        QT_TRANSLATE_NOOP("SyllabusMap", "Cloud service models; isolation without performance isolation")},
    {"C1", Section::Clients,
        QT_TRANSLATE_NOOP("SyllabusMap", "Application-specific and middleware protocols")},
    {"C2", Section::Clients,
        QT_TRANSLATE_NOOP("SyllabusMap", "X Window System; pixel-level vs high-level remote display")},
    {"C3", Section::Clients, QT_TRANSLATE_NOOP("SyllabusMap", "Thin clients and the parts of a web browser")},
    {"C4", Section::Clients, QT_TRANSLATE_NOOP("SyllabusMap", "Distribution transparency at the client")},
    {"S1", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Iterative and concurrent servers")},
    {"S2", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "End points, daemons and superservers")},
    {"S3", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Out-of-band data")},
    {"S4", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Stateless and stateful servers")},
    {"S5", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Object servers and activation policies")},
    {"S6", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Apache: core, hooks and modules")},
    {"S7", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Server clusters and request dispatching")},
    {"S8", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Distributed servers: Mobile IPv6, CDNs")},
    {"S9", Section::Servers, QT_TRANSLATE_NOOP("SyllabusMap", "Wide-area dispatching through DNS")},
    {"M1", Section::Migration, QT_TRANSLATE_NOOP("SyllabusMap", "Reasons to migrate code")},
    {"M2", Section::Migration,
        QT_TRANSLATE_NOOP("SyllabusMap", "Paradigms: remote evaluation, code on demand, mobile agents")},
    {"M3", Section::Migration, QT_TRANSLATE_NOOP("SyllabusMap", "Weak and strong mobility")},
    {"M4", Section::Migration,
        QT_TRANSLATE_NOOP("SyllabusMap", "Local resources and how code is bound to them")},
    {"M5", Section::Migration, QT_TRANSLATE_NOOP("SyllabusMap", "Migration in heterogeneous systems")},
    {"M6", Section::Migration,
        QT_TRANSLATE_NOOP("SyllabusMap", "VM migration: pre-copy, stop-and-copy, post-copy")},
    {"M7", Section::Migration,
        QT_TRANSLATE_NOOP("SyllabusMap", "Migration performance: total time, downtime, response time")},
};

} // namespace

const std::vector<SyllabusConcept> &syllabusConcepts()
{
    static const std::vector<SyllabusConcept> all = [] {
        std::vector<SyllabusConcept> out;
        for (const ConceptRow &c : kConcepts)
            out.push_back(
                {QString::fromLatin1(c.id), c.section, QCoreApplication::translate("SyllabusMap", c.name)});
        return out;
    }();
    return all;
}

QString SyllabusMap::progressText(Progress p)
{
    switch (p) {
    case Progress::NotCovered:
        return tr("not covered yet");
    case Progress::NotSeen:
        return tr("not seen");
    case Progress::Seen:
        return tr("seen");
    case Progress::Answered:
        return tr("answered");
    case Progress::AnsweredRight:
        return tr("answered right");
    }
    return QString();
}

SyllabusMap::SyllabusMap(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Concept"), tr("Taught in"), tr("Your progress")});
    m_tree->setWordWrap(true);
    m_tree->setUniformRowHeights(false);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) { activate(item); });
    connect(m_tree, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) { activate(item); });
}

void SyllabusMap::activate(QTreeWidgetItem *item)
{
    if (!item)
        return;
    const QString lesson = item->data(0, kLessonRole).toString();
    if (!lesson.isEmpty())
        Q_EMIT stepChosen(lesson, item->data(0, kStepRole).toInt());
}

void SyllabusMap::setLessons(const std::vector<Lesson> &lessons, const ProgressStore &progress)
{
    m_tree->clear();
    m_progress.clear();
    m_steps.clear();
    m_covered = 0;
    const int total = static_cast<int>(syllabusConcepts().size());
    for (Section section : allSections()) {
        auto *sectionItem = new QTreeWidgetItem(m_tree, {sectionTitle(section)});
        QFont bold = m_tree->font();
        bold.setBold(true);
        sectionItem->setFont(0, bold);
        sectionItem->setFirstColumnSpanned(true);
        for (const SyllabusConcept &c : syllabusConcepts()) {
            if (c.section != section)
                continue;
            auto *conceptItem = new QTreeWidgetItem(sectionItem, {c.id + QStringLiteral("  ") + c.name});
            conceptItem->setToolTip(0, c.name);
            QStringList taughtIn;
            int questions = 0, answered = 0, right = 0, seen = 0;
            for (const Lesson &l : lessons) {
                if (!l.syllabus.contains(c.id))
                    continue;
                taughtIn << l.title;
                const ProgressStore::LessonProgress *p = progress.find(l.id);
                for (int i = 0; i < static_cast<int>(l.steps.size()); ++i) {
                    const LessonStep &step = l.steps[static_cast<size_t>(i)];
                    const bool visited = p && p->visited.count(i) && p->visited.at(i);
                    const ProgressStore::Answer *answer = nullptr;
                    if (p && p->answers.count(i))
                        answer = &p->answers.at(i);
                    const bool hasAnswer = answer && answer->tries > 0;
                    const bool isRight = hasAnswer && answer->correct;
                    seen += visited ? 1 : 0;
                    if (step.question) {
                        ++questions;
                        answered += hasAnswer ? 1 : 0;
                        right += isRight ? 1 : 0;
                    }
                    QString state = !step.question ? (visited ? tr("seen") : tr("not seen"))
                        : isRight                  ? tr("answered right")
                        : hasAnswer                ? tr("answered")
                        : visited                  ? tr("seen")
                                                   : tr("not seen");
                    auto *stepItem = new QTreeWidgetItem(
                        conceptItem, {tr("Step %1: %2").arg(i + 1).arg(step.title), l.title, state});
                    stepItem->setData(0, kLessonRole, l.id);
                    stepItem->setData(0, kStepRole, i);
                    stepItem->setToolTip(0, tr("Open this step"));
                    m_steps[c.id] << QStringLiteral("%1:%2").arg(l.id).arg(i + 1);
                }
            }
            Progress p = Progress::NotCovered;
            if (!taughtIn.isEmpty()) {
                ++m_covered;
                p = questions > 0 && right == questions ? Progress::AnsweredRight
                    : answered > 0                      ? Progress::Answered
                    : seen > 0                          ? Progress::Seen
                                                        : Progress::NotSeen;
                // The concept's own row opens the first step of the first lesson that teaches it.
                QTreeWidgetItem *first = conceptItem->child(0);
                conceptItem->setData(0, kLessonRole, first->data(0, kLessonRole));
                conceptItem->setData(0, kStepRole, first->data(0, kStepRole));
            }
            m_progress[c.id] = p;
            QString progressText = SyllabusMap::progressText(p);
            if (questions > 0)
                progressText += tr(" (%1 of %2 right)").arg(right).arg(questions);
            conceptItem->setText(1, taughtIn.isEmpty() ? tr("-") : taughtIn.join(QStringLiteral("; ")));
            conceptItem->setText(2, progressText);
            if (taughtIn.isEmpty())
                conceptItem->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
        }
    }
    m_tree->expandToDepth(0);
    m_summary->setText(tr("ProcLab's lessons cover %1 of the chapter's %2 concepts. Open a concept to "
                          "see its steps; click a step (or press Enter on it) to go there.")
                           .arg(m_covered)
                           .arg(total));
}

void SyllabusMap::applyTheme(const Theme &theme)
{
    m_tree->setFont(theme.font(11));
    m_summary->setFont(theme.font(11));
}

SyllabusMap::Progress SyllabusMap::progress(const QString &id) const
{
    const auto it = m_progress.find(id);
    return it == m_progress.end() ? Progress::NotCovered : it->second;
}

QStringList SyllabusMap::stepsOf(const QString &id) const
{
    const auto it = m_steps.find(id);
    return it == m_steps.end() ? QStringList() : it->second;
}

} // namespace proclab
