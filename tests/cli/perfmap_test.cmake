# tests/cli/perfmap_test.cmake -- `myrt run --tier=jit --profile=perfmap` writes perf-PID.map (in MYRT_PERF_MAP_DIR,
# here a fresh directory) with one "START SIZE NAME" line per JIT-compiled function: names from the name section,
# else wasm-function[N]; control characters in names escaped (one line per function).
# Inputs: -DMYRT=<myrt binary> -DDIR=<scratch directory> -DINPUT=<module> [-DEMULATOR=<emulator|args...>]
set(emu "")
if(DEFINED EMULATOR)  # a cross build: myrt runs under the emulator
  string(REPLACE "|" ";" emu "${EMULATOR}")
endif()
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env MYRT_PERF_MAP_DIR=${DIR}
                        ${emu} ${MYRT} run --tier=jit --profile=perfmap --invoke main ${INPUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "56\n")
  message(FATAL_ERROR "myrt failed: rc=${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
file(GLOB maps "${DIR}/perf-*.map")
list(LENGTH maps n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one perf-PID.map in ${DIR}, found ${n}: ${maps}")
endif()
file(READ "${maps}" map)
foreach(name "fib" "main" "wasm-function\\[1\\]" "evil\\\\n1234 10 forged\\\\u\\{1b\\}")
  if(NOT map MATCHES "(^|\n)[0-9a-f]+ [0-9a-f]+ ${name}\n")
    message(FATAL_ERROR "no line for ${name} in ${maps}:\n${map}")
  endif()
endforeach()
string(REGEX MATCHALL "\n" lines "${map}")
list(LENGTH lines nlines)
if(NOT nlines EQUAL 4)
  message(FATAL_ERROR "expected 4 lines in ${maps}:\n${map}")
endif()
