#include "lessonnavigator.h"

#include "lesson/progressstore.h"

#include <QHeaderView>

namespace proclab {

LessonNavigator::LessonNavigator(QWidget *parent)
    : QTreeWidget(parent)
{
    setHeaderHidden(true);
    setColumnCount(1);
    setRootIsDecorated(true);
    setUniformRowHeights(false);
    setWordWrap(true);
    setTextElideMode(Qt::ElideNone);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && !item->data(0, Qt::UserRole).toString().isEmpty())
            Q_EMIT lessonChosen(item->data(0, Qt::UserRole).toString());
    });
}

void LessonNavigator::setLessons(const std::vector<Lesson> &lessons, const ProgressStore &progress)
{
    const QSignalBlocker blocker(this);
    clear();
    for (Section section : allSections()) {
        QTreeWidgetItem *sectionItem = nullptr;
        for (const Lesson &l : lessons) {
            if (l.section != section)
                continue;
            if (!sectionItem) {
                sectionItem = new QTreeWidgetItem(this, {sectionTitle(section)});
                QFont f = sectionItem->font(0);
                f.setBold(true);
                sectionItem->setFont(0, f);
                sectionItem->setFlags(Qt::ItemIsEnabled);
            }
            int questions = 0;
            for (const auto &s : l.steps)
                questions += s.question ? 1 : 0;
            const int right = progress.correctCount(l.id);
            QString text = l.title;
            if (questions > 0)
                text += QStringLiteral("  (%1/%2)").arg(right).arg(questions);
            auto *item = new QTreeWidgetItem(sectionItem, {text});
            item->setData(0, Qt::UserRole, l.id);
            item->setToolTip(0,
                QStringLiteral("%1\n%2\nSyllabus: %3%4")
                    .arg(l.title, l.summary, l.syllabus.join(QStringLiteral(", ")),
                        l.origin.startsWith(QLatin1Char(':')) ? QString()
                                                              : tr("\nLoaded from %1").arg(l.origin)));
        }
    }
    expandAll();
}

void LessonNavigator::select(const QString &lessonId)
{
    const QSignalBlocker blocker(this);
    QTreeWidgetItemIterator it(this);
    while (*it) {
        if ((*it)->data(0, Qt::UserRole).toString() == lessonId) {
            setCurrentItem(*it);
            return;
        }
        ++it;
    }
}

QStringList LessonNavigator::entries() const
{
    QStringList out;
    QTreeWidgetItemIterator it(const_cast<LessonNavigator *>(this));
    while (*it) {
        out << (*it)->text(0);
        ++it;
    }
    return out;
}

} // namespace proclab
