#pragma once

#include "engine.h"

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
        Factory create;
    };

    /// Adds an engine; creates one instance to read its info and schema.
    void add(Factory factory);
    const Entry *find(const QString &id) const;
    std::unique_ptr<Engine> create(const QString &id) const;
    const std::vector<Entry> &entries() const { return m_entries; }

    /// The registry of every engine built into ProcLab (see builtin.cpp).
    static const EngineRegistry &builtin();

private:
    std::vector<Entry> m_entries;
};

} // namespace proclab
