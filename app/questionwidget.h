#pragma once

#include "lesson/lesson.h"

#include <QJsonObject>
#include <QWidget>

#include <optional>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QPushButton;
class QVBoxLayout;

namespace proclab {

struct Theme;

/**
 * @brief A step's self-check question: multiple choice or a number, checked on the spot.
 *
 * A first wrong answer earns a hint, not the answer; the second shows the
 * answer and the explanation. Where the answer is a measurement
 * (answerFrom), it is read from the run's result, so the step must be run first.
 */
class QuestionWidget : public QWidget {
    Q_OBJECT

public:
    explicit QuestionWidget(QWidget *parent = nullptr);

    void setQuestion(const std::optional<Question> &question, int previousTries, bool previouslyCorrect);
    /// The result of the last finished run, for answerFrom questions.
    void setResult(const QJsonObject &resultJson);
    /// Picks a choice or types a number (what the student does), then checks.
    bool answerChoice(int index);
    bool answerNumber(const QString &text);
    QString feedback() const;
    /// What the student last gave: the choice's text or the number typed (empty before).
    QString lastAnswer() const { return m_lastAnswer; }
    /// Whether the last checked answer was right.
    bool lastCorrect() const { return m_lastCorrect; }
    /// Puts the keyboard focus on the answer: the number box or the first choice.
    void focusAnswer();
    /// Follows the theme's font scale (prompt, choices, answer box, feedback).
    void applyTheme(const Theme &theme);

protected:
    /// Enter on a choice checks the answer (Ctrl+Enter does anywhere in the window).
    void keyPressEvent(QKeyEvent *event) override;

Q_SIGNALS:
    void answered(bool correct);

private:
    void check();
    void showFeedback(const QString &html, const QColor &colour);
    /// The explanation with the run's figures in its placeholders.
    QString explanationText() const;

    std::optional<Question> m_question;
    QJsonObject m_result;
    int m_tries = 0;
    QString m_lastAnswer;
    bool m_lastCorrect = false;
    QVBoxLayout *m_choicesLayout;
    QButtonGroup *m_group;
    QLabel *m_prompt;
    QLineEdit *m_number;
    QLabel *m_unit;
    QPushButton *m_check;
    QLabel *m_feedback;
    QLabel *m_title;
    QFont m_font; ///< the theme's, for choices created later
};

} // namespace proclab
