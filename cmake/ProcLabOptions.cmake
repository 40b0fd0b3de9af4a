# Warnings and sanitizers as an INTERFACE target that every ProcLab target links.
add_library(proclab_options INTERFACE)
target_compile_options(proclab_options INTERFACE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(proclab_options INTERFACE -Wshadow=local)
endif()
# LLVM's linker, where installed, links the hundred test programs against the static engine
# library three to four times faster than the default one.
option(PROCLAB_USE_LLD "Link with ld.lld when it is installed" ON)
if(PROCLAB_USE_LLD)
    find_program(PROCLAB_LLD ld.lld)
    if(PROCLAB_LLD)
        target_link_options(proclab_options INTERFACE -fuse-ld=lld)
    endif()
endif()

if(PROCLAB_WARNINGS_AS_ERRORS)
    target_compile_options(proclab_options INTERFACE -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        # GCC 12 reports out-of-bounds copies inside std::string's own operator+ (GCC bugs
        # 105329, 105651): still shown, but not errors.
        target_compile_options(proclab_options INTERFACE -Wno-error=array-bounds -Wno-error=restrict)
    endif()
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
        -fsanitize=${_proclab_sanitizers} -fno-omit-frame-pointer -g1)
    target_link_options(proclab_options INTERFACE -fsanitize=${_proclab_sanitizers})
endif()

# A unity build (PROCLAB_UNITY_BUILD) compiles a library's sources in batches, so that the
# Boost.Asio, Beast, Qt and QCustomPlot headers are parsed once per batch instead of once per
# file: a clean build takes about a quarter of the time. Files listed in the folder's
# unity-skip.txt define a file-local name that another file of the library defines too, and
# are compiled on their own. Call after every source has been added to the target.
function(proclab_unity_build target)
    if(NOT PROCLAB_UNITY_BUILD)
        return()
    endif()
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 12)
    set(_skip_file ${CMAKE_CURRENT_SOURCE_DIR}/unity-skip.txt)
    if(EXISTS ${_skip_file})
        file(STRINGS ${_skip_file} _skip REGEX "^[^#]")
        list(TRANSFORM _skip PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
        set_source_files_properties(${_skip} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
endfunction()
