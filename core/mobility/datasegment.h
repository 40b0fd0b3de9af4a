#pragma once

#include "machinelimits.h"
#include "value.h"

#include <QString>

#include <optional>
#include <vector>

namespace proclab::mobility {

/**
 * @brief The data segment of a computation: named globals and the bounded heap.
 *
 * The heap is an array area of values addressed by index; the program grows it
 * with `alloc` up to MachineLimits::maxHeapCells. Any contents are valid; the
 * sizes are checked against the limits by check() and by the interpreter.
 */
struct DataSegment {
    std::vector<QString> globalNames; ///< one per global, for inspectors (may be empty strings)
    std::vector<Value> globals;
    std::vector<Value> heap;

    /// @brief Index of the global called @p name, or -1.
    int globalIndex(const QString &name) const;
    /// @brief Sets the global called @p name; false when there is none.
    bool setGlobal(const QString &name, Value value);
    /// @brief Whether the sizes fit @p limits; a one-line @p error when not.
    bool check(const MachineLimits &limits, QString *error) const;

    bool operator==(const DataSegment &) const = default;
};

} // namespace proclab::mobility
