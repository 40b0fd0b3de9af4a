#pragma once

#include "lesson/lesson.h"

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTextDocument;

namespace proclab {

class QuestionWidget;
struct Theme;

/**
 * @brief The left-hand side of a lesson step: the Markdown narrative, the
 * question, the explanation after a run, and the step navigation.
 */
class StepPage : public QWidget {
    Q_OBJECT

public:
    explicit StepPage(QWidget *parent = nullptr);

    void setStep(const Lesson &lesson, int index, int previousTries, bool previouslyCorrect);
    void clear(const QString &message);
    /// Shows the step's "explain" text (after a run).
    void showExplanation(bool show);
    /// The run's result: placeholders in the text show the student's own figures from it.
    void setResult(const QJsonObject &result);
    QuestionWidget *question() const { return m_question; }
    QString narrative() const;
    void applyTheme(const Theme &theme);

Q_SIGNALS:
    void previousRequested();
    void nextRequested();

private:
    void render();
    static void tameHeadings(QTextDocument *doc);

    QLabel *m_header;
    QTextBrowser *m_text;
    QuestionWidget *m_question;
    QPushButton *m_prev;
    QPushButton *m_next;
    QLabel *m_position;
    QString m_markdown;
    QString m_explain;
    QJsonObject m_result; ///< the last run's result, for the placeholders
    bool m_showExplain = false;
};

} // namespace proclab
