#include "registry.h"

#include "builtin.h"

namespace proclab {

void EngineRegistry::add(Factory factory)
{
    const std::unique_ptr<Engine> probe = factory();
    Q_ASSERT_X(!find(probe->info().id), "EngineRegistry::add", "engine id registered twice");
    m_entries.push_back(Entry {probe->info(), probe->schema(), probe->outputs(), std::move(factory)});
}

void EngineRegistry::addHelper(HelperMode helper)
{
    m_helpers.push_back(std::move(helper));
}

const EngineRegistry::Entry *EngineRegistry::find(const QString &id) const
{
    for (const auto &e : m_entries) {
        if (e.info.id == id)
            return &e;
    }
    return nullptr;
}

std::unique_ptr<Engine> EngineRegistry::create(const QString &id) const
{
    const Entry *e = find(id);
    return e ? e->create() : nullptr;
}

const EngineRegistry &EngineRegistry::builtin()
{
    static const EngineRegistry registry = [] {
        EngineRegistry r;
        registerBuiltinEngines(r);
        return r;
    }();
    return registry;
}

} // namespace proclab
