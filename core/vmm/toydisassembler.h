#pragma once

#include "toyisa.h"

#include <QString>

#include <cstdint>
#include <functional>

namespace proclab {

/**
 * @brief Turns instruction words back into assembly text for the views.
 *
 * Output is valid input for ToyAssembler (targets as numbers, or as labels when a
 * symbol lookup is given). Words that are not instructions come out as `.word`.
 */
class ToyDisassembler {
public:
    /// Returns the label for an address, or an empty string.
    using LabelLookup = std::function<QString(std::uint32_t address)>;

    /// @brief Assembly text of @p word; jump targets named through @p labels when it is set.
    static QString disassemble(std::uint32_t word, const LabelLookup &labels = {});
};

} // namespace proclab
