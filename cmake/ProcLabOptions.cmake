# Warnings and sanitizers as an INTERFACE target that every ProcLab target links.
add_library(proclab_options INTERFACE)
target_compile_options(proclab_options INTERFACE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(proclab_options INTERFACE -Wshadow=local)
endif()
if(PROCLAB_WARNINGS_AS_ERRORS)
    target_compile_options(proclab_options INTERFACE -Werror)
endif()

if(PROCLAB_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "PROCLAB_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
    endif()
    # Coverage feedback for the fuzzers in every ProcLab target; only fuzz_* link the fuzzer's main.
    target_compile_options(proclab_options INTERFACE -fsanitize=fuzzer-no-link)
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
