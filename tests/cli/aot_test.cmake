# tests/cli/aot_test.cmake -- `myrt compile`, `myrt run X.cwasm` (--allow-precompiled; refused when truncated, damaged,
# made for CPU features this process does not use) and the code cache of `myrt run` (concurrent writers, a damaged
# entry rewritten, --no-cache, the size threshold). Invoked by CTest from the source directory as
#   cmake -DMYRT=<exe> -DDIR=<scratch dir> -P aot_test.cmake
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
set(failures 0)
# t(<name> <expected rc> <regex the merged output must match> <command...>)
function(t name rc regex)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE got)
  if(NOT "${got}" STREQUAL "${rc}" OR NOT "${out}" MATCHES "${regex}")
    message(SEND_ERROR "${name}: expected rc ${rc} and /${regex}/, got rc ${got}:\n${out}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
endfunction()
set(env ${CMAKE_COMMAND} -E env MYRT_CACHE_DIR=${DIR}/cache)
set(cw "${DIR}/hello.cwasm")

t(compile 0 "^$" ${env} ${MYRT} compile examples/hello.wat -o ${cw})
t(refused-without-flag 1 "^myrt: [^\n]*hello.cwasm: a precompiled module \\(native code\\): run it with --allow-precompiled if you trust it\n$"
  ${env} ${MYRT} run ${cw})
t(run 0 "^myrt: [^\n]*hello.cwasm: running on tier jit\nmyrt: [^\n]*: 2 functions installed from precompiled machine code in [0-9.]+ ms\nHello, world!\n.*JIT: 2 functions compiled, 0 left in the interpreter\n$"
  ${env} ${MYRT} run --allow-precompiled -v ${cw})
t(invoke 0 "^42\n$" ${env} ${MYRT} run --allow-precompiled --invoke add ${cw} 40 2)
t(interp-tier 0 "^Hello, world!\n$" ${env} ${MYRT} run --allow-precompiled --tier=interp ${cw})
# the default output name: the extension replaced
configure_file(examples/hello.wat "${DIR}/h.wat" COPYONLY)
t(compile-default-name 0 "^$" ${MYRT} compile ${DIR}/h.wat)
if(NOT EXISTS "${DIR}/h.cwasm")
  message(SEND_ERROR "compile-default-name: ${DIR}/h.cwasm not written")
endif()
t(compile-twice 1 "^myrt: compile: [^\n]*h.cwasm is precompiled already\n$" ${MYRT} compile ${DIR}/h.cwasm)

# truncated, damaged (one byte in the code, in the wasm section, in the header's checksummed part)
execute_process(COMMAND head -c 3000 ${cw} OUTPUT_FILE ${DIR}/trunc.cwasm)
t(truncated 1 "^myrt: [^\n]*trunc.cwasm: truncated precompiled module \\(3000 of [0-9]+ bytes\\)\n$"
  ${MYRT} run --allow-precompiled ${DIR}/trunc.cwasm)
foreach(at 40 300 65600)
  configure_file(${cw} ${DIR}/bad${at}.cwasm COPYONLY)
  execute_process(COMMAND printf "\\125" COMMAND dd of=${DIR}/bad${at}.cwasm bs=1 seek=${at} conv=notrunc ERROR_QUIET)
  t(damaged-${at} 1 "^myrt: [^\n]*bad${at}.cwasm: corrupt precompiled module \\(checksum mismatch\\)\n$"
    ${MYRT} run --allow-precompiled ${DIR}/bad${at}.cwasm)
endforeach()
# CPU features: code compiled with AVX (on an AVX machine) does not run where the JIT may not use AVX
file(STRINGS /proc/cpuinfo flags REGEX "^flags" LIMIT_COUNT 1)
if(flags MATCHES " avx( |$)")
  t(cpu-features 1 "^myrt: [^\n]*hello.cwasm: precompiled for CPU features this CPU lacks \\(or MYRT_JIT_NO_AVX turned off\\): AVX"
    ${CMAKE_COMMAND} -E env MYRT_JIT_NO_AVX=1 ${MYRT} run --allow-precompiled ${cw})
else()  # no AVX here: the code uses none, so it runs either way
  t(cpu-features 0 "Hello, world!" ${CMAKE_COMMAND} -E env MYRT_JIT_NO_AVX=1 ${MYRT} run --allow-precompiled ${cw})
endif()
t(not-a-module 1 "^myrt: " ${MYRT} run --allow-precompiled ${DIR}/missing.cwasm)

# the code cache: small modules are not cached ...
t(cache-small 0 "^myrt: [^\n]*running on tier jit\nmyrt: [^\n]*compiled 2 functions[^\n]*\nHello, world!\n" ${env} ${MYRT} run --tier=jit -v examples/hello.wat)
file(GLOB entries "${DIR}/cache/*")
if(entries)
  message(SEND_ERROR "cache-small: a module below the size threshold was cached: ${entries}")
endif()
# ... unless the threshold says so: four writers at once (a pipeline runs them concurrently), one whole entry
set(env0 ${env} MYRT_CACHE_MIN_BYTES=0)
execute_process(COMMAND ${env0} ${MYRT} run --tier=jit examples/hello.wat COMMAND ${env0} ${MYRT} run --tier=jit examples/hello.wat
                COMMAND ${env0} ${MYRT} run --tier=jit examples/hello.wat COMMAND ${env0} ${MYRT} run --tier=jit examples/hello.wat
                RESULTS_VARIABLE rcs OUTPUT_QUIET ERROR_QUIET)
if(NOT rcs STREQUAL "0;0;0;0")
  message(SEND_ERROR "cache-concurrent: exit codes ${rcs}")
endif()
file(GLOB entries "${DIR}/cache/*")
list(LENGTH entries n)
if(NOT n EQUAL 1)
  message(SEND_ERROR "cache-concurrent: expected one cache entry, found: ${entries}")
endif()
t(cache-hit-auto 0 "machine code from the code cache[^\n]*\nmyrt: [^\n]*running on tier jit\nmyrt: [^\n]*: 2 functions installed from precompiled machine code[^\n]*\nHello, world!\n"
  ${env0} ${MYRT} run -v examples/hello.wat)
t(no-cache 0 "^myrt: [^\n]*running on tier auto\nHello, world!\n" ${env0} ${MYRT} run -v --no-cache examples/hello.wat)
# a damaged entry: rejected (never run), compiled and written again on the jit tier, then a hit
list(GET entries 0 entry)
execute_process(COMMAND printf "\\125" COMMAND dd of=${entry} bs=1 seek=200 conv=notrunc ERROR_QUIET)
t(cache-damaged 0 "code cache entry rejected \\(corrupt precompiled module \\(checksum mismatch\\)\\): compiling again\n[^\n]*compiled into the code cache[^\n]*\n.*Hello, world!\n"
  ${env0} ${MYRT} run -v --tier=jit examples/hello.wat)
t(cache-rewritten 0 "machine code from the code cache" ${env0} ${MYRT} run -v examples/hello.wat)
# the cache under $XDG_CACHE_HOME/myrt when MYRT_CACHE_DIR is not set
t(cache-xdg 0 "compiled into the code cache \\(${DIR}/xdg/myrt\\)"
  ${CMAKE_COMMAND} -E env --unset=MYRT_CACHE_DIR XDG_CACHE_HOME=${DIR}/xdg MYRT_CACHE_MIN_BYTES=0 ${MYRT} run -v --tier=jit examples/hello.wat)
