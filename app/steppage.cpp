#include "steppage.h"

#include "questionwidget.h"

#include "common/theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QVBoxLayout>

namespace proclab {

StepPage::StepPage(QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel(this))
    , m_text(new QTextBrowser(this))
    , m_question(new QuestionWidget(this))
    , m_prev(new QPushButton(tr("< Previous"), this))
    , m_next(new QPushButton(tr("Next >"), this))
    , m_position(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_header->setWordWrap(true);
    layout->addWidget(m_header);
    m_text->setOpenExternalLinks(true);
    m_text->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_text, 3);
    layout->addWidget(m_question, 0);
    auto *nav = new QHBoxLayout;
    m_prev->setToolTip(tr("Previous step (Page Up)"));
    m_next->setToolTip(tr("Next step (Page Down)"));
    nav->addWidget(m_prev);
    nav->addStretch(1);
    nav->addWidget(m_position);
    nav->addStretch(1);
    nav->addWidget(m_next);
    layout->addLayout(nav);
    connect(m_prev, &QPushButton::clicked, this, &StepPage::previousRequested);
    connect(m_next, &QPushButton::clicked, this, &StepPage::nextRequested);
    clear(tr("Choose a lesson on the left."));
}

void StepPage::clear(const QString &message)
{
    m_header->setText(QString());
    m_markdown = message;
    m_explain.clear();
    m_question->setQuestion(std::nullopt, 0, false);
    m_prev->setEnabled(false);
    m_next->setEnabled(false);
    m_position->clear();
    render();
}

void StepPage::setStep(const Lesson &lesson, int index, int previousTries, bool previouslyCorrect)
{
    const LessonStep &step = lesson.steps[static_cast<size_t>(index)];
    const int count = static_cast<int>(lesson.steps.size());
    m_header->setText(QStringLiteral("<span style='font-size:small'>%1 &middot; %2</span><br><b>%3</b>")
                          .arg(lesson.title.toHtmlEscaped(), lesson.syllabus.join(QStringLiteral(", ")),
                              step.title.toHtmlEscaped()));
    m_position->setText(tr("Step %1 of %2").arg(index + 1).arg(count));
    m_prev->setEnabled(index > 0);
    m_next->setEnabled(index + 1 < count);
    // The header already names the step: a first heading that repeats it would only push the
    // text down (room matters on a 1280x800 projector).
    m_markdown = withoutRepeatedTitle(step.markdown, step.title);
    m_explain = step.explainMarkdown;
    m_result = {};
    m_showExplain = false;
    m_question->setQuestion(step.question, previousTries, previouslyCorrect);
    render();
}

void StepPage::showExplanation(bool show)
{
    m_showExplain = show;
    render();
}

QString StepPage::narrative() const
{
    return m_text->toPlainText();
}

void StepPage::setResult(const QJsonObject &result)
{
    m_result = result;
    render();
}

void StepPage::render()
{
    QString md = m_markdown;
    if (m_showExplain && !m_explain.isEmpty())
        md += QStringLiteral("\n\n---\n\n") + m_explain;
    // Before a run the student's figures are not known: say so where they will appear.
    m_text->setMarkdown(fillPlaceholders(md, m_result, tr("*(your figure, after the run)*")));
    tameHeadings(m_text->document());
}

void StepPage::tameHeadings(QTextDocument *doc)
{
    // Markdown headings come out at up to twice the text's size: on a projector that costs
    // lines of the step's text. They stay bold and a little larger, and follow the font scale.
    const double base = doc->defaultFont().pointSizeF();
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        const int level = b.blockFormat().headingLevel();
        if (level <= 0)
            continue;
        QTextCharFormat f;
        f.setFontPointSize(base * (level == 1 ? 1.3 : level == 2 ? 1.18 : 1.08));
        f.setFontWeight(QFont::Bold);
        f.setProperty(QTextFormat::FontSizeAdjustment, 0);
        QTextCursor c(b);
        c.select(QTextCursor::BlockUnderCursor);
        c.mergeCharFormat(f);
        QTextBlockFormat bf = b.blockFormat();
        bf.setTopMargin(base * 0.6);
        bf.setBottomMargin(base * 0.3);
        c.setBlockFormat(bf);
    }
}

void StepPage::applyTheme(const Theme &theme)
{
    QFont f = theme.font(12);
    m_text->document()->setDefaultFont(f);
    m_header->setFont(theme.font(13));
    m_question->applyTheme(theme);
    for (QWidget *w :
        {static_cast<QWidget *>(m_prev), static_cast<QWidget *>(m_next), static_cast<QWidget *>(m_position)})
        w->setFont(theme.font(11));
    render();
}

} // namespace proclab
