#pragma once

#include "engine.h"

#include "common/helpermode.h"

#include <functional>
#include <memory>
#include <vector>

namespace proclab {

/**
 * @brief The engines ProcLab knows, by id, with their info and parameter schema.
 */
class EngineRegistry {
public:
    using Factory = std::function<std::unique_ptr<Engine>()>;

    struct Entry {
        EngineInfo info;
        ParamSchema schema;
        std::vector<OutputSpec> outputs; ///< the summary keys its results can hold
        Factory create;
    };

    /// Adds an engine; creates one instance to read its info and schema.
    void add(Factory factory);
    /// Adds engine class @p E, created with makeEngine<E>().
    template<class E> void add()
    {
        add([] { return std::unique_ptr<Engine>(makeEngine<E>()); });
    }
    const Entry *find(const QString &id) const;
    /// Adds a helper mode (see HelperMode): a module's entry point for a process of its own.
    void addHelper(HelperMode helper);
    const std::vector<HelperMode> &helpers() const { return m_helpers; }
    std::unique_ptr<Engine> create(const QString &id) const;
    const std::vector<Entry> &entries() const { return m_entries; }

    /// The registry of every engine built into ProcLab (see builtin.cpp).
    static const EngineRegistry &builtin();

private:
    std::vector<Entry> m_entries;
    std::vector<HelperMode> m_helpers;
};

/**
 * @brief Defines the register function of the module @p module (a name in
 * cmake/ProcLabModules.cmake) in its core/<module>/register.cpp. The body adds the module's
 * engines to `registry`; the call is generated from the module list.
 */
#define PROCLAB_REGISTER_ENGINES(module) void proclabRegisterEngines_##module(EngineRegistry &registry)

} // namespace proclab
