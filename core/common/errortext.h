#pragma once

#include <QString>

namespace proclab {

/// @brief The system's text for an errno value ("Connection refused"), for one-line error messages.
QString errnoText(int err);

/// @brief errnoText() of the current errno.
QString lastErrorText();

} // namespace proclab
