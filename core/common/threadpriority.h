#pragma once

namespace proclab {

/// @brief How many nice steps an engine's load threads give way to the window's thread.
inline constexpr int kLoadNiceSteps = 10;

/**
 * @brief Lowers the calling thread's scheduling priority by @p steps nice steps (never past 19).
 *
 * For the threads and helper processes of an engine that keeps every core busy with load
 * (closed-loop clients, servers under test): the window's thread stays at nice 0 and gets a
 * core first when it wakes to draw, so the view keeps its frame rate while the load runs. The
 * load threads keep their priorities relative to each other, and the CPU they get in total is
 * the same; only who waits when the window wants a core changes. On Linux nice is per thread.
 * @return false when the priority could not be read or changed (the thread runs on unchanged).
 */
bool giveWayToWindow(int steps = kLoadNiceSteps);

} // namespace proclab
