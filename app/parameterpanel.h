#pragma once

#include "engine/parameter.h"

#include <QWidget>

#include <vector>

class QLabel;
class QGridLayout;
class QLineEdit;
class QSlider;
class QToolButton;

namespace proclab {

struct Theme;

/**
 * @brief Editors generated from an engine's parameter schema: a line edit and a
 * slider for numbers (log scale for sizes and rates), a check box for flags, a
 * combo box for choices. Each shows its unit, range and help as a tooltip.
 *
 * Only the parameters the lesson step opens to the student have editors in
 * view; the others (fixed by the step) are listed with their values behind an
 * "All parameters" expander, so that they do not take the room of the view.
 * Every typed value goes through ParamSchema::validate(); a refused one is put
 * back to the last good value and the reason is shown under the editors.
 */
class ParameterPanel : public QWidget {
    Q_OBJECT

public:
    explicit ParameterPanel(QWidget *parent = nullptr);

    /// Builds the editors. @p editable empty with @p allEditable false locks everything.
    void setSchema(const ParamSchema &schema, const QVariantMap &preset, const QStringList &editable);
    /// The typed values: preset overlaid with the student's edits.
    QVariantMap values() const { return m_values; }
    /// Puts every parameter back to the step's preset.
    void resetToPreset();
    /// Tries @p text for parameter @p name as if typed; false (and the message shown) if refused.
    bool setValueText(const QString &name, const QString &text);
    QString lastMessage() const;
    void setLocked(bool locked);
    /// Every parameter of the schema (editable or fixed).
    int editorCount() const { return static_cast<int>(m_rows.size()); }
    /// The parameters the step lets the student change.
    int editableCount() const;
    /// Whether the fixed parameters are shown (the "All parameters" expander is open).
    bool allParametersShown() const;
    void setAllParametersShown(bool shown);
    /// Shows or folds away the editable parameters (the presenter layout folds them).
    void setEditorsShown(bool shown);
    bool editorsShown() const { return m_editorsShown; }
    /// The expander's button (for keyboard focus and tests).
    QToolButton *allParametersButton() const { return m_allToggle; }
    /// Follows the theme's font scale (labels, editors, values).
    void applyTheme(const Theme &theme);

Q_SIGNALS:
    void valuesChanged();
    void refused(const QString &message);

private:
    struct Row {
        ParamSpec spec;
        bool editable = false;
        QWidget *editor = nullptr;
        QLineEdit *line = nullptr;
        QLabel *value = nullptr; ///< fixed parameters: their value as text
        QSlider *slider = nullptr;
    };
    void rebuild();
    void showValue(Row &row);
    void accept(Row &row, const QVariant &value);
    double toSlider(const ParamSpec &spec, double value) const;
    double fromSlider(const ParamSpec &spec, int position) const;
    Row *row(const QString &name);

    ParamSchema m_schema;
    QVariantMap m_preset;
    QVariantMap m_values;
    QStringList m_editable;
    std::vector<Row> m_rows;
    QGridLayout *m_grid; ///< the editable parameters
    bool m_editorsShown = true;
    QToolButton *m_allToggle; ///< "All parameters": opens the fixed ones
    QWidget *m_fixedHolder;
    QGridLayout *m_fixedGrid; ///< the parameters fixed by the step, with their values
    QLabel *m_message;
    bool m_locked = false;
};

} // namespace proclab
