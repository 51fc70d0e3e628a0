# tests/capi/install_test.cmake -- installs the built myrt into a temporary prefix (cmake --install, component capi)
# and builds tests/capi/consumer/consumer.c out of tree against it: with pkg-config (myrt.pc) and with
# find_package(myrt) (shared and static library); runs each program and checks its output.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCC=... -DCFLAGS=... -DGENERATOR=... [-DEMULATOR=...]
#         -P install_test.cmake          (EMULATOR: a cross build's consumer programs run under it)
set(prefix "${WORK_DIR}/prefix")
set(emu "")
if(DEFINED EMULATOR)
  string(REPLACE "|" ";" emu "${EMULATOR}")
endif()
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
  run("${what}" ${emu} "${exe}")
  if(NOT run_out STREQUAL "log: 10\nrun: 21\n")
    message(FATAL_ERROR "${what}: unexpected output:\n${run_out}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --component capi)
foreach(f include/myrt/wasm.h include/myrt/myrt.h)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# include/wasm.h stays free for another runtime's header: put a decoy there, which a consumer must not pick up.
if(EXISTS "${prefix}/include/wasm.h")
  message(FATAL_ERROR "wasm.h installed at include/, where it collides with other runtimes' wasm.h")
endif()
file(WRITE "${prefix}/include/wasm.h" "#error another runtime's wasm.h was included instead of myrt's\n")
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

# The build tree through myrt-uninstalled.pc (pkg-config prefers it when PKG_CONFIG_PATH is the build directory).
set(ENV{PKG_CONFIG_PATH} "${BUILD_DIR}")
run("pkg-config (uninstalled)" ${PKG_CONFIG} --cflags --libs myrt)
string(STRIP "${run_out}" pc_flags)
if(NOT pc_flags MATCHES "-I[^ ]*/include( |$)" OR NOT pc_flags MATCHES "-L${BUILD_DIR}( |$)")
  message(FATAL_ERROR "myrt-uninstalled.pc does not describe the build tree: ${pc_flags}")
endif()
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
run("cc (uninstalled)" ${CC} ${cflags} -o "${WORK_DIR}/consumer_uninstalled" "${SOURCE_DIR}/consumer/consumer.c"
    ${pc_flags})
check_program("build-tree consumer" "${WORK_DIR}/consumer_uninstalled")
set(ENV{PKG_CONFIG_PATH} "${pcdir}")

# The upstream wasm-c-api examples (WebAssembly/wasm-c-api, example/*.c), unchanged, against the installed headers:
# only when a checkout is given (WASM_C_API_DIR; not part of this repository). hostref.wasm in that repository uses a
# pre-standard encoding of ref.null (0xd0 0x0b) that a conforming decoder rejects, so hostref runs on hostref.wat
# with `(ref.null)` spelled `(ref.null extern)`, assembled by wabt's wat2wasm.
if(WASM_C_API_DIR)
  run("pkg-config" ${PKG_CONFIG} --cflags --libs myrt)
  string(STRIP "${run_out}" pc_flags)
  separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
  set(exdir "${WORK_DIR}/wasm-c-api-example")
  file(COPY "${WASM_C_API_DIR}/example/" DESTINATION "${exdir}")
  file(READ "${exdir}/hostref.wat" hostref)
  string(REPLACE "(ref.null)" "(ref.null extern)" hostref "${hostref}")
  file(WRITE "${exdir}/hostref.wat" "${hostref}")
  find_program(WAT2WASM wat2wasm REQUIRED)  # wabt: assembles the fixed hostref.wat
  run("wat2wasm hostref.wat" ${WAT2WASM} "${exdir}/hostref.wat" -o "${exdir}/hostref.wasm")
  file(GLOB examples "${exdir}/*.c")
  list(LENGTH examples nexamples)
  if(nexamples LESS 13)
    message(FATAL_ERROR "expected the 13 upstream examples in ${WASM_C_API_DIR}/example, found ${nexamples}")
  endif()
  foreach(src IN LISTS examples)
    get_filename_component(name "${src}" NAME_WE)
    run("cc upstream ${name}.c" ${CC} ${cflags} -o "${exdir}/${name}" "${src}" ${pc_flags} -lpthread "-Wl,-rpath,${libdir}")
    execute_process(COMMAND ${emu} "${exdir}/${name}" WORKING_DIRECTORY "${exdir}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                    ERROR_VARIABLE out)
    if(NOT rc EQUAL 0 OR NOT (out MATCHES "Done." OR name STREQUAL "threads"))  # threads.c prints no "Done."
      message(FATAL_ERROR "upstream example ${name} failed (${rc}):\n${out}")
    endif()
    message(STATUS "upstream example ${name}: ok")
  endforeach()
endif()

# find_package
run("consumer configure" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/consumer" -B "${WORK_DIR}/consumer-build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_C_COMPILER=${CC}" "-DCMAKE_C_FLAGS=${CFLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${CFLAGS}")
run("consumer build" ${CMAKE_COMMAND} --build "${WORK_DIR}/consumer-build")
check_program("find_package consumer (shared)" "${WORK_DIR}/consumer-build/consumer_shared")
check_program("find_package consumer (static)" "${WORK_DIR}/consumer-build/consumer_static")
