#pragma once

namespace proclab {

/**
 * @brief The counter object's server as a process of its own: the helper mode
 * "transparency-counter".
 *
 * Arguments: name server port, object name, initial value, lifetime in seconds. It serves
 * the Counter interface on an OS-chosen port of 127.0.0.1, binds its name at the name
 * server, and exits when retire() was answered (handing its value to whoever moves it),
 * when the parent dies, or when its lifetime ends.
 * @return 0 after retire(), 2 on bad arguments, 3 when it cannot serve or bind, 4 at the end of its lifetime
 */
class CounterHelper {
public:
    static constexpr const char *kName = "transparency-counter";
    static int main(int argc, char **argv);
};

} // namespace proclab
