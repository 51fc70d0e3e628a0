# tests/capi/install_test.cmake -- installs the built myrt into a temporary prefix (cmake --install, component capi)
# and builds tests/capi/consumer/consumer.c out of tree against it: with pkg-config (myrt.pc) and with
# find_package(myrt) (shared and static library); runs each program and checks its output.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCC=... -DCFLAGS=... -DGENERATOR=... -P install_test.cmake
set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

function(check_program what exe)
  run("${what}" "${exe}")
  if(NOT run_out STREQUAL "log: 10\nrun: 21\n")
    message(FATAL_ERROR "${what}: unexpected output:\n${run_out}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --component capi)
foreach(f include/wasm.h include/myrt.h)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB_RECURSE pcs "${prefix}/*/myrt.pc")
list(LENGTH pcs npc)
if(NOT npc EQUAL 1)
  message(FATAL_ERROR "expected one installed myrt.pc, found: ${pcs}")
endif()
get_filename_component(pcdir "${pcs}" DIRECTORY)
get_filename_component(libdir "${pcdir}" DIRECTORY)
foreach(lib libmyrt.so libmyrt.a)
  if(NOT EXISTS "${libdir}/${lib}")
    message(FATAL_ERROR "not installed: ${libdir}/${lib}")
  endif()
endforeach()

# pkg-config
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} "${pcdir}")
run("pkg-config" ${PKG_CONFIG} --cflags --libs myrt)
string(STRIP "${run_out}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(cflags UNIX_COMMAND "${CFLAGS}")
run("cc (pkg-config)" ${CC} ${cflags} -o "${WORK_DIR}/consumer_pc" "${SOURCE_DIR}/consumer/consumer.c" ${pc_flags}
    "-Wl,-rpath,${libdir}")
check_program("pkg-config consumer" "${WORK_DIR}/consumer_pc")

# find_package
run("consumer configure" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/consumer" -B "${WORK_DIR}/consumer-build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_C_COMPILER=${CC}" "-DCMAKE_C_FLAGS=${CFLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${CFLAGS}")
run("consumer build" ${CMAKE_COMMAND} --build "${WORK_DIR}/consumer-build")
check_program("find_package consumer (shared)" "${WORK_DIR}/consumer-build/consumer_shared")
check_program("find_package consumer (static)" "${WORK_DIR}/consumer-build/consumer_static")
