# capi/library.cmake -- the embeddable library: libmyrt.so (exports only wasm_* and myrt_*) and libmyrt.a (every
# stage's objects in one archive), `cmake --install` rules for both, the headers (include/wasm.h, include/myrt.h),
# a pkg-config file (myrt.pc) and a CMake package (find_package(myrt): targets myrt::myrt and myrt::myrt_static).
# Included from the top-level CMakeLists.txt after the stage libraries (MYRT_STAGE_LIBS) are defined.

set(myrt_objects "")
foreach(stage IN LISTS MYRT_STAGE_LIBS)
  list(APPEND myrt_objects $<TARGET_OBJECTS:${stage}>)
endforeach()

# libmyrt.so: the C API's objects; the stages are linked in as needed. A version script keeps the C++ internals local.
# The JIT needs asmjit; Debian ships only a static libasmjit.a, compiled as PIE code: every reference is PC-relative
# and fine in a shared object once the archive's symbols are hidden (--exclude-libs), except references to glibc's
# data symbols stderr/stdout (PIE code assumes copy relocations). At configure time we make a copy of the archive with
# those two renamed to hidden pointers that capi/shared_only/asmjit_stdio.cpp defines, and check that it links into a
# shared object. If even that fails, libmyrt.so is built without the JIT (capi/shared_only/no_jit.cpp: the jit tier
# reports itself unavailable); libmyrt.a always has it.
set(MYRT_ASMJIT_SHARED_ARCHIVE ${CMAKE_BINARY_DIR}/asmjit-for-shared/libasmjit_shared.a)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/asmjit-for-shared)
set(myrt_objcopy_rc 1)
if(ASMJIT_LIBRARY)  # (none without a JIT backend: MYRT_JIT_BACKEND none)
execute_process(COMMAND ${CMAKE_OBJCOPY} --redefine-sym stderr=myrt_asmjit_stderr
                        --redefine-sym stdout=myrt_asmjit_stdout ${ASMJIT_LIBRARY} ${MYRT_ASMJIT_SHARED_ARCHIVE}
                RESULT_VARIABLE myrt_objcopy_rc OUTPUT_QUIET ERROR_QUIET)
endif()
include(CheckCXXSourceCompiles)
set(MYRT_ASMJIT_LINKS_SHARED OFF)
if(myrt_objcopy_rc EQUAL 0)
  set(CMAKE_REQUIRED_LINK_OPTIONS -shared -fPIC -Wl,--exclude-libs,ALL)
  set(CMAKE_REQUIRED_LIBRARIES ${MYRT_ASMJIT_SHARED_ARCHIVE})
  set(CMAKE_REQUIRED_INCLUDES ${ASMJIT_INCLUDE_DIR})
  set(CMAKE_REQUIRED_DEFINITIONS -DASMJIT_STATIC -fPIC)
  file(READ ${CMAKE_SOURCE_DIR}/capi/shared_only/asmjit_stdio.cpp myrt_stdio_src)
  check_cxx_source_compiles("${myrt_stdio_src}
#include <asmjit/x86.h>
int use() { asmjit::JitRuntime rt; asmjit::CodeHolder code; code.init(rt.environment()); return 0; }
int main() { return 0; }" MYRT_ASMJIT_SHARED_ARCHIVE_LINKS)
  set(MYRT_ASMJIT_LINKS_SHARED ${MYRT_ASMJIT_SHARED_ARCHIVE_LINKS})
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  unset(CMAKE_REQUIRED_LIBRARIES)
  unset(CMAKE_REQUIRED_INCLUDES)
  unset(CMAKE_REQUIRED_DEFINITIONS)
endif()
if(NOT ASMJIT_LIBRARY)  # no JIT backend for this ISA: the JIT's ISA-neutral part needs no asmjit
  add_library(myrt_shared SHARED $<TARGET_OBJECTS:myrt_capi>)
elseif(MYRT_ASMJIT_LINKS_SHARED)
  add_library(myrt_shared SHARED $<TARGET_OBJECTS:myrt_capi> ${CMAKE_SOURCE_DIR}/capi/shared_only/asmjit_stdio.cpp)
  # The shared-safe asmjit copy is linked whole and first, so the system archive that myrt_jit names is never used.
  target_link_libraries(myrt_shared PRIVATE -Wl,--whole-archive ${MYRT_ASMJIT_SHARED_ARCHIVE} -Wl,--no-whole-archive)
  target_link_options(myrt_shared PRIVATE -Wl,--exclude-libs,ALL)
else()
  message(STATUS "libmyrt.so: without the JIT (${ASMJIT_LIBRARY} cannot be linked into a shared object); libmyrt.a has it")
  add_library(myrt_shared SHARED $<TARGET_OBJECTS:myrt_capi> ${CMAKE_SOURCE_DIR}/capi/shared_only/no_jit.cpp)
endif()
target_link_libraries(myrt_shared PRIVATE myrt_capi)
target_link_options(myrt_shared PRIVATE "-Wl,--version-script=${CMAKE_SOURCE_DIR}/capi/exports.map" -Wl,--no-undefined)
set_target_properties(myrt_shared PROPERTIES OUTPUT_NAME myrt EXPORT_NAME myrt VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
                      LINK_DEPENDS "${CMAKE_SOURCE_DIR}/capi/exports.map")
target_include_directories(myrt_shared INTERFACE $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/myrt>)

# libmyrt.a: all stages in one archive, so a consumer links one library (plus the C++ runtime and asmjit).
add_library(myrt_static STATIC ${myrt_objects})
set_target_properties(myrt_static PROPERTIES OUTPUT_NAME myrt EXPORT_NAME myrt_static)
# asmjit (the JIT's assembler) is a Debian static library: consumers of libmyrt.a link it too (libasmjit-dev).
# libdw (runtime/debug's DWARF source locations) is loaded with dlopen when first needed: nothing to link.
target_link_libraries(myrt_static INTERFACE ${ASMJIT_LIBRARY} stdc++ m ${CMAKE_DL_LIBS})
target_include_directories(myrt_static INTERFACE $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/myrt>)

install(TARGETS myrt_shared myrt_static EXPORT myrtTargets COMPONENT capi
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Headers go to include/myrt/ so that myrt's wasm.h never collides with another runtime's wasm.h in the same prefix;
# pkg-config's Cflags and the CMake targets add include/myrt, so `#include <wasm.h>` and `#include <myrt.h>` work.
install(FILES ${CMAKE_SOURCE_DIR}/include/wasm.h ${CMAKE_SOURCE_DIR}/include/myrt.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/myrt COMPONENT capi)
install(EXPORT myrtTargets NAMESPACE myrt:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/myrt COMPONENT capi)

include(CMakePackageConfigHelpers)
configure_package_config_file(${CMAKE_SOURCE_DIR}/capi/myrtConfig.cmake.in ${CMAKE_BINARY_DIR}/myrtConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/myrt)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/myrtConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/myrtConfig.cmake ${CMAKE_BINARY_DIR}/myrtConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/myrt COMPONENT capi)

# The .pc file locates the prefix relative to itself, so an installation can be moved (or made with --prefix). It is
# generated outside the build directory's top level: there, myrt-uninstalled.pc describes the build tree (pkg-config
# prefers NAME-uninstalled.pc, so PKG_CONFIG_PATH=<build dir> pkg-config --cflags --libs myrt uses the build).
file(RELATIVE_PATH MYRT_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${CMAKE_SOURCE_DIR}/capi/myrt.pc.in ${CMAKE_BINARY_DIR}/pkgconfig-install/myrt.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/pkgconfig-install/myrt.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT capi)
file(REMOVE ${CMAKE_BINARY_DIR}/myrt.pc)  # the old build-tree copy pointed at a wrong prefix
configure_file(${CMAKE_SOURCE_DIR}/capi/myrt-uninstalled.pc.in ${CMAKE_BINARY_DIR}/myrt-uninstalled.pc @ONLY)
