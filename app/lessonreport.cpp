#include "lessonreport.h"

#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

namespace proclab {

namespace {

/// Markdown to an HTML fragment (the body only), through Qt's own Markdown reader.
QString markdownHtml(const QString &markdown)
{
    QTextDocument md;
    md.setMarkdown(markdown);
    QString html = md.toHtml();
    const qsizetype body = html.indexOf(QLatin1String("<body"));
    const qsizetype open = body < 0 ? -1 : html.indexOf(QLatin1Char('>'), body);
    const qsizetype close = html.lastIndexOf(QLatin1String("</body>"));
    if (open < 0 || close < open)
        return markdown.toHtmlEscaped();
    return html.mid(open + 1, close - open - 1);
}

QString questionHtml(const ReportStep &step)
{
    const Question &q = *step.question;
    QString out
        = QStringLiteral("<p><b>%1</b> %2</p>").arg(QObject::tr("Question:"), q.prompt.toHtmlEscaped());
    if (q.kind == Question::Kind::Choice) {
        out += QStringLiteral("<ul>");
        for (const QString &c : q.choices)
            out += QStringLiteral("<li>%1</li>").arg(c.toHtmlEscaped());
        out += QStringLiteral("</ul>");
    }
    QString verdict;
    if (step.correct.has_value())
        verdict = *step.correct
            ? QStringLiteral("<span style='color:#007000'><b>%1</b></span>").arg(QObject::tr("right"))
            : QStringLiteral("<span style='color:#b00000'><b>%1</b></span>").arg(QObject::tr("not right"));
    if (!step.answer.isEmpty()) {
        out += QStringLiteral("<p><b>%1</b> %2 &mdash; %3</p>")
                   .arg(QObject::tr("Answer given:"), step.answer.toHtmlEscaped(),
                       verdict.isEmpty() ? QObject::tr("not checked") : verdict);
    } else if (step.correct.has_value()) {
        out += QStringLiteral("<p><b>%1</b> %2</p>")
                   .arg(QObject::tr("Answer:"),
                       *step.correct ? QObject::tr("answered right in an earlier session")
                                     : QObject::tr("answered, not right yet, in an earlier session"));
    } else {
        out += QStringLiteral("<p><b>%1</b> %2</p>").arg(QObject::tr("Answer given:"), QObject::tr("none"));
    }
    if (step.ran) {
        const QString expl = fillPlaceholders(q.explanation, step.result, QObject::tr("(no figure)"));
        if (!expl.isEmpty())
            out += QStringLiteral("<p><i>%1</i></p>").arg(expl.toHtmlEscaped());
    }
    return out;
}

} // namespace

void buildReportDocument(const LessonReport &report, QTextDocument *doc)
{
    QString html = QStringLiteral("<h1>%1</h1><p>%2</p>")
                       .arg(report.lessonTitle.toHtmlEscaped(),
                           QObject::tr("ProcLab lesson report &middot; syllabus %1 &middot; %2 &middot; "
                                       "figures from %3")
                               .arg(report.syllabus.join(QStringLiteral(", ")).toHtmlEscaped(),
                                   report.created.toString(Qt::ISODate), report.source.toHtmlEscaped()));
    for (size_t i = 0; i < report.steps.size(); ++i) {
        const ReportStep &s = report.steps[i];
        html += QStringLiteral("<h2>%1</h2>")
                    .arg(QObject::tr("Step %1: %2").arg(i + 1).arg(s.title).toHtmlEscaped());
        // The heading above already names the step.
        const QString text = withoutRepeatedTitle(s.markdown, s.title);
        html += markdownHtml(fillPlaceholders(text, s.result, QObject::tr("*(no figure)*")));
        if (s.question)
            html += questionHtml(s);
        if (s.ran && !s.explainMarkdown.isEmpty())
            html += markdownHtml(fillPlaceholders(s.explainMarkdown, s.result, QObject::tr("*(no figure)*")));
        if (s.ran && !s.picture.isNull()) {
            const QString name = QStringLiteral("proclab-report://step%1.png").arg(i + 1);
            doc->addResource(QTextDocument::ImageResource, QUrl(name), s.picture);
            // 600 px wide at the document's 96 dpi fits an A4 page inside its margins.
            const int width = std::min(600, s.picture.width());
            html += QStringLiteral("<p><img src='%1' width='%2'></p>").arg(name).arg(width);
            html += QStringLiteral("<p><small>%1</small></p>")
                        .arg(QObject::tr("Figure of step %1, %2.")
                                 .arg(i + 1)
                                 .arg(s.provenance)
                                 .toHtmlEscaped());
        } else if (s.hasEngine) {
            html += QStringLiteral("<p><small>%1</small></p>")
                        .arg((s.runError.isEmpty() ? QObject::tr("Not run in this session: no figure.")
                                                   : QObject::tr("The run failed: %1").arg(s.runError))
                                 .toHtmlEscaped());
        }
    }
    doc->setHtml(html);
}

QString writeLessonReport(const LessonReport &report, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("cannot write '%1': %2").arg(path, file.errorString());
    QTextDocument doc;
    buildReportDocument(report, &doc);
    {
        QPdfWriter writer(&file);
        writer.setCreator(QStringLiteral("ProcLab"));
        writer.setTitle(report.lessonTitle);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        doc.print(&writer); // paginates; the PDF is complete when the writer's painter ends
    }
    if (file.size() == 0) {
        file.cancelWriting();
        file.commit();
        return QObject::tr("cannot render the report for '%1'").arg(path);
    }
    if (!file.commit())
        return QObject::tr("cannot write '%1': %2").arg(path, file.errorString());
    return {};
}

} // namespace proclab
