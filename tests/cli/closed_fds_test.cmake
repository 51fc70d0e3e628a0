# tests/cli/closed_fds_test.cmake -- myrt started with fds 0, 1 and 2 closed (issue 11, item 4): the guest
# (closed-fds.wat) creates DIR/aux and DIR/out in its preopened directory, writes "guest data\n" to out and "stdout\n"
# to its fd 1, then traps. myrt must have reopened 0-2 on /dev/null, so DIR/out holds exactly the guest's data
# (neither the guest's stdout nor myrt's trap message) and the exit status is the trap's 134.
# Inputs: -DMYRT=<myrt> -DHOSTILE_EXEC=<hostile_exec> -DDIR=<scratch directory> -DINPUT=<closed-fds.wat>
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}/guest")
execute_process(COMMAND ${HOSTILE_EXEC} --close-fds --out ${DIR}/status -- ${MYRT} run --dir ${DIR}/guest ${INPUT}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hostile_exec failed: ${rc}")
endif()
file(READ "${DIR}/status" status)
if(NOT EXISTS "${DIR}/guest/out")
  message(FATAL_ERROR "the guest did not create out (status: ${status})")
endif()
file(READ "${DIR}/guest/out" out)
if(NOT status STREQUAL "exit 134\n" OR NOT out STREQUAL "guest data\n")
  message(FATAL_ERROR "expected status 'exit 134' and out = 'guest data', got status '${status}', out:\n${out}")
endif()
