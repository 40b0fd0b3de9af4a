#include "questionwidget.h"

#include "wrappingradiobutton.h"

#include "common/theme.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include <cmath>

namespace proclab {

QuestionWidget::QuestionWidget(QWidget *parent)
    : QWidget(parent)
    , m_choicesLayout(new QVBoxLayout)
    , m_group(new QButtonGroup(this))
    , m_prompt(new QLabel(this))
    , m_number(new QLineEdit(this))
    , m_unit(new QLabel(this))
    , m_check(new QPushButton(tr("Check my answer"), this))
    , m_feedback(new QLabel(this))
    , m_title(new QLabel(tr("Predict"), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4); // tight: the step's text above needs the lines more
    m_choicesLayout->setSpacing(1);
    layout->addWidget(m_title);
    m_prompt->setWordWrap(true);
    layout->addWidget(m_prompt);
    layout->addLayout(m_choicesLayout);
    auto *numberRow = new QHBoxLayout;
    numberRow->addWidget(m_number);
    numberRow->addWidget(m_unit);
    numberRow->addStretch(1);
    layout->addLayout(numberRow);
    m_number->setPlaceholderText(tr("your answer"));
    m_number->setMaximumWidth(200);
    auto *checkRow = new QHBoxLayout;
    checkRow->addWidget(m_check);
    checkRow->addStretch(1);
    layout->addLayout(checkRow);
    m_check->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_check->setToolTip(tr("Check (Ctrl+Enter)"));
    m_feedback->setWordWrap(true);
    m_feedback->setTextFormat(Qt::RichText);
    layout->addWidget(m_feedback);
    connect(m_check, &QPushButton::clicked, this, &QuestionWidget::check);
    // Enter in the answer box reaches keyPressEvent() (QLineEdit passes it on): one check per press.
    setVisible(false);
}

void QuestionWidget::setQuestion(
    const std::optional<Question> &question, int previousTries, bool previouslyCorrect)
{
    m_question = question;
    m_tries = previousTries;
    m_result = {};
    for (QAbstractButton *b : m_group->buttons()) {
        m_group->removeButton(b);
        delete b;
    }
    m_feedback->clear();
    m_feedback->setProperty("correct", QVariant());
    m_number->clear();
    m_lastAnswer.clear();
    m_lastCorrect = previouslyCorrect;
    setVisible(question.has_value());
    if (!question)
        return;
    m_prompt->setText(question->prompt);
    const bool choice = question->kind == Question::Kind::Choice;
    m_number->setVisible(!choice);
    m_unit->setVisible(!choice);
    m_unit->setText(question->unit);
    if (choice) {
        for (int i = 0; i < question->choices.size(); ++i) {
            auto *b = new WrappingRadioButton(question->choices[i], this);
            b->setFocusPolicy(Qt::StrongFocus);
            b->setFont(m_font);
            m_group->addButton(b, i);
            m_choicesLayout->addWidget(b);
        }
    }
    if (previouslyCorrect)
        showFeedback(tr("You answered this one right before. %1").arg(question->explanation.toHtmlEscaped()),
            QColor(0x2e, 0x9e, 0x4f));
}

void QuestionWidget::setResult(const QJsonObject &resultJson)
{
    m_result = resultJson;
}

bool QuestionWidget::answerChoice(int index)
{
    if (QAbstractButton *b = m_group->button(index))
        b->setChecked(true);
    check();
    return m_feedback->property("correct").toBool();
}

bool QuestionWidget::answerNumber(const QString &text)
{
    m_number->setText(text);
    check();
    return m_feedback->property("correct").toBool();
}

QString QuestionWidget::feedback() const
{
    return m_feedback->text();
}

void QuestionWidget::showFeedback(const QString &html, const QColor &colour)
{
    m_feedback->setText(QStringLiteral("<span style='color:%1'>%2</span>").arg(colour.name(), html));
}

void QuestionWidget::check()
{
    if (!m_question)
        return;
    const Question &q = *m_question;
    const QColor good(0x2e, 0x9e, 0x4f);
    const QColor bad(0xd6, 0x3b, 0x3b);
    const QColor info(0x1f, 0x6f, 0xd1);
    bool correct = false;
    QString rightAnswer;
    if (q.kind == Question::Kind::Choice) {
        const int picked = m_group->checkedId();
        if (picked < 0) {
            showFeedback(tr("Pick one of the answers first."), info);
            return;
        }
        const auto right = q.expectedAnswer(m_result);
        if (!right) {
            showFeedback(tr("Run the step first (F5): which answer is right depends on your own run."), info);
            return;
        }
        const int rightIndex = int(*right);
        correct = picked == rightIndex;
        rightAnswer = q.choices.value(rightIndex);
        if (!q.answerFrom.isEmpty())
            rightAnswer += tr(" (from this run)");
    } else {
        bool ok = false;
        const double value
            = m_number->text().trimmed().replace(QLatin1Char(','), QLatin1Char('.')).toDouble(&ok);
        if (!ok) {
            showFeedback(tr("'%1' is not a number.").arg(m_number->text().toHtmlEscaped()), bad);
            return;
        }
        double expected = q.answer;
        if (!q.answerFrom.isEmpty()) {
            const auto measured = lookupNumber(m_result, q.answerFrom);
            if (!measured) {
                showFeedback(
                    tr("Run the step first (F5): the right answer comes from your own measurement."), info);
                return;
            }
            expected = *measured;
        }
        correct = q.accepts(value, expected);
        rightAnswer = QString::number(expected, 'g', 4)
            + (q.unit.isEmpty() ? QString() : QStringLiteral(" ") + q.unit);
        if (!q.answerFrom.isEmpty())
            rightAnswer += tr(" (from this run)");
    }
    ++m_tries;
    m_feedback->setProperty("correct", correct);
    m_lastAnswer = q.kind == Question::Kind::Choice
        ? q.choices.value(m_group->checkedId())
        : m_number->text().trimmed() + (q.unit.isEmpty() ? QString() : QStringLiteral(" ") + q.unit);
    m_lastCorrect = correct;
    if (correct) {
        showFeedback(tr("<b>Right.</b> %1").arg(explanationText().toHtmlEscaped()), good);
    } else if (m_tries == 1 && !q.hint.isEmpty()) {
        showFeedback(tr("<b>Not quite.</b> Hint: %1").arg(q.hint.toHtmlEscaped()), bad);
    } else {
        showFeedback(tr("<b>Not quite.</b> The answer is %1. %2")
                         .arg(rightAnswer.toHtmlEscaped(), explanationText().toHtmlEscaped()),
            bad);
    }
    Q_EMIT answered(correct);
}

void QuestionWidget::focusAnswer()
{
    if (!m_question)
        return;
    if (m_question->kind == Question::Kind::Numeric) {
        m_number->setFocus(Qt::OtherFocusReason);
        return;
    }
    QAbstractButton *first = m_group->checkedButton() ? m_group->checkedButton() : m_group->button(0);
    if (first)
        first->setFocus(Qt::OtherFocusReason);
}

void QuestionWidget::applyTheme(const Theme &theme)
{
    // Set on each child: with the projector's style sheet a parent's font does not reach them.
    m_font = theme.font(11.5);
    setFont(m_font);
    for (QWidget *w : findChildren<QWidget *>())
        w->setFont(m_font);
    m_title->setFont(theme.font(12, true));
    m_number->setMaximumWidth(static_cast<int>(200 * theme.fontScale));
}

void QuestionWidget::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && m_question) {
        check();
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

QString QuestionWidget::explanationText() const
{
    if (!m_question)
        return QString();
    return fillPlaceholders(m_question->explanation, m_result, tr("(your figure, after the run)"));
}

} // namespace proclab
