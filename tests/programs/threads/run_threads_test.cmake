# tests/programs/threads/run_threads_test.cmake -- runs a wasm32-wasi-threads program under `myrt run --tier=TIER`
# (or, with TIER=node, only under node) and compares its exit code and stdout, byte for byte, with node's
# (tests/tools/wasi_threads_node.mjs) and/or an expected file. Invoked by CTest as
#   cmake -DMYRT=<exe> -DNODE=<node> -DHARNESS=<wasi_threads_node.mjs> -DTIER=<interp|jit|auto|node> -DWASM=<file>
#         -DARGS=<a|b|...> [-DNODE_ARGS=<a|b|...>] [-DWORKDIR=<dir>] [-DEXPECT_STDOUT=<file>] [-DEXPECT_RC=<n>]
#         [-DROUNDTRIP=<file>] -P run_threads_test.cmake
# The program runs in WORKDIR with `--dir .` (both runtimes). NODE_ARGS, when given, are node's program arguments
# (default ARGS). ROUNDTRIP (zstd): myrt decompresses the output again (`-d -c`) and must give back that file.
# stdout goes to a file: under node a pipe is non-blocking and wasi fd_write would fail with EAGAIN.
string(REPLACE "|" ";" ARGS "${ARGS}")
if(DEFINED NODE_ARGS)
  string(REPLACE "|" ";" NODE_ARGS "${NODE_ARGS}")
else()
  set(NODE_ARGS ${ARGS})
endif()
if(NOT DEFINED WORKDIR)
  set(WORKDIR ".")
endif()
if(NOT DEFINED EXPECT_RC)
  set(EXPECT_RC 0)
endif()
string(RANDOM LENGTH 8 tag)
set(scratch "${CMAKE_CURRENT_BINARY_DIR}/threads-test-${tag}")
set(failed FALSE)

# run(<what> <out var for rc> COMMAND...): stdout to ${scratch}.<what>.stdout, stderr printed when not empty.
function(run what rcvar)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${WORKDIR}" INPUT_FILE /dev/null
                  OUTPUT_FILE "${scratch}.${what}.stdout" ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT err STREQUAL "")
    message("${what} stderr:\n${err}")
  endif()
  message("${what}: exit code ${rc}, stdout ${scratch}.${what}.stdout")
  set(${rcvar} "${rc}" PARENT_SCOPE)
endfunction()

function(same what a b)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${a}" "${b}" RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    file(SIZE "${a}" sa)
    file(SIZE "${b}" sb)
    message("${what}: ${a} (${sa} bytes) and ${b} (${sb} bytes) differ")
    set(failed TRUE PARENT_SCOPE)
  endif()
endfunction()

run(node node_rc "${NODE}" --no-warnings "${HARNESS}" --dir . "${WASM}" ${NODE_ARGS})
if(NOT "${node_rc}" STREQUAL "${EXPECT_RC}")
  message("node: exit code ${node_rc}, expected ${EXPECT_RC}")
  set(failed TRUE)
endif()
set(result "${scratch}.node.stdout")
if(NOT TIER STREQUAL "node")
  run(myrt myrt_rc "${MYRT}" run --tier=${TIER} --dir . "${WASM}" ${ARGS})
  if(NOT "${myrt_rc}" STREQUAL "${node_rc}")
    message("myrt --tier=${TIER}: exit code ${myrt_rc}, node's ${node_rc}")
    set(failed TRUE)
  endif()
  same("stdout of myrt --tier=${TIER} and node" "${scratch}.myrt.stdout" "${scratch}.node.stdout")
  set(result "${scratch}.myrt.stdout")
endif()
if(DEFINED EXPECT_STDOUT)
  same("stdout and ${EXPECT_STDOUT}" "${result}" "${EXPECT_STDOUT}")
endif()
if(DEFINED ROUNDTRIP AND NOT TIER STREQUAL "node")
  execute_process(COMMAND "${MYRT}" run --tier=${TIER} "${WASM}" -d -c INPUT_FILE "${result}"
                  OUTPUT_FILE "${scratch}.roundtrip" RESULT_VARIABLE rt_rc)
  if(NOT rt_rc EQUAL 0)
    message("decompression: exit code ${rt_rc}")
    set(failed TRUE)
  endif()
  same("decompressed output and ${ROUNDTRIP}" "${scratch}.roundtrip" "${ROUNDTRIP}")
endif()
if(failed)
  message(FATAL_ERROR "threads program test failed: ${WASM} ${ARGS} (tier ${TIER}, in ${WORKDIR}); outputs kept")
endif()
file(REMOVE "${scratch}.node.stdout" "${scratch}.myrt.stdout" "${scratch}.roundtrip")
