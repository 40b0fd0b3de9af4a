# The engine families and lessons built into ProcLab: adding one is one line here.
#
# For each module <m> CMake adds, where they exist, core/<m>/ (engines, sources added to
# proclab_core), views/<m>/ (views, added to proclab_views), tests/<m>/ and tests/bench/<m>/.
# A core/<m>/register.cpp defines PROCLAB_REGISTER_ENGINES(<m>) and a views/<m>/register.cpp
# PROCLAB_REGISTER_VIEWS(<m>); the calls to both are generated from this list, in its order
# (the order `proclab list` shows). Module names are lowercase C identifiers.
set(PROCLAB_MODULES
    sharedvar    # T6
    ctxswitch    # T2, T3, T5
    cache        # T5
    sched        # T1, T7-T10
    threadslive  # T4, T10
    migration    # M6, M7
    mobility     # M1-M5
    webclient    # T11, C4
    tlp          # T12
    servers      # T13, T14, S1
    serverparts  # S2, S3, S4
    objectadapter # S5
    apache       # S6
    cluster      # S7
    dispatch     # S8, S9
    containers   # V7, V8, V9 (PlanetLab, cloud service models)
    neighbour    # V9 (noisy neighbours)
    vmm          # V1-V6, T2
    xproto       # C1, C2, C3
    transparency # C4
)

# Lesson folders under lessons/ (each lists its files in its own CMakeLists.txt).
set(PROCLAB_LESSONS
    t6-shared-variable
    t2-t5-context-switch
    t7-t10-scheduling
    t11-t12-clients
    m6-m7-live-migration
    code-mobility
    t13-t14-s1-server-designs
    s2-s4-server-parts
    s5-s9-objects-clusters
    v7-v9-containers-clouds
    virtualization
    c1-c4-clients
)

foreach(_proclab_module IN LISTS PROCLAB_MODULES)
    if(NOT _proclab_module MATCHES "^[a-z][a-z0-9]*$")
        message(FATAL_ERROR "ProcLab module '${_proclab_module}': use a lowercase C identifier")
    endif()
endforeach()

# Writes a C++ file that declares and calls the register function of every module that has
# <folder>/<m>/register.cpp. kind is "Engines" or "Views".
function(proclab_generate_registration kind registry_type folder output)
    set(_decls "")
    set(_calls "")
    foreach(_m IN LISTS PROCLAB_MODULES)
        if(EXISTS "${folder}/${_m}/register.cpp")
            string(APPEND _decls "void proclabRegister${kind}_${_m}(${registry_type} &registry);\n")
            string(APPEND _calls "    proclabRegister${kind}_${_m}(registry);\n")
        endif()
    endforeach()
    set(PROCLAB_REGISTER_DECLS "${_decls}")
    set(PROCLAB_REGISTER_CALLS "${_calls}")
    configure_file("${PROJECT_SOURCE_DIR}/cmake/register${kind}.cpp.in" "${output}" @ONLY)
endfunction()
