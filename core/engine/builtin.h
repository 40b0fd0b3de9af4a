#pragma once

namespace proclab {

class EngineRegistry;

/// Adds every built-in engine to @p registry, in the order `proclab list` shows them.
void registerBuiltinEngines(EngineRegistry &registry);

// One registration function per engine folder of core/.
void registerSharedVarEngines(EngineRegistry &registry);   // core/sharedvar  (T6)
void registerCtxSwitchEngines(EngineRegistry &registry);   // core/ctxswitch  (T2, T3, T5)
void registerCacheEngines(EngineRegistry &registry);       // core/cache      (T5)
void registerSchedEngines(EngineRegistry &registry);       // core/sched      (T7-T10)
void registerThreadsLiveEngines(EngineRegistry &registry); // core/threadslive (T4, T10)
void registerMigrationEngines(EngineRegistry &registry);   // core/migration  (M6, M7)
void registerWebClientEngines(EngineRegistry &registry);   // core/webclient  (T11, C4)
void registerTlpEngines(EngineRegistry &registry);         // core/tlp        (T12)

} // namespace proclab
