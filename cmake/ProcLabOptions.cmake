# Warnings and sanitizers as an INTERFACE target that every ProcLab target links.
add_library(proclab_options INTERFACE)
target_compile_options(proclab_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
if(PROCLAB_WARNINGS_AS_ERRORS)
    target_compile_options(proclab_options INTERFACE -Werror)
endif()

if(PROCLAB_SANITIZE)
    if("thread" IN_LIST PROCLAB_SANITIZE AND ("address" IN_LIST PROCLAB_SANITIZE))
        message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer")
    endif()
    string(REPLACE ";" "," _proclab_sanitizers "${PROCLAB_SANITIZE}")
    target_compile_options(proclab_options INTERFACE
        -fsanitize=${_proclab_sanitizers} -fno-omit-frame-pointer -g)
    target_link_options(proclab_options INTERFACE -fsanitize=${_proclab_sanitizers})
endif()
