# tests/packaging/check_deb.cmake -- builds the Debian package with CPack and checks its contents and control fields
# (installing it needs root: .ci/run does that).
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DVERSION=... -P check_deb.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND cpack --config "${BUILD_DIR}/CPackConfig.cmake" -G DEB -B "${WORK_DIR}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack failed (${rc}):\n${out}")
endif()
file(GLOB debs "${WORK_DIR}/myrt_${VERSION}_*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one myrt_${VERSION}_*.deb in ${WORK_DIR}, found: ${debs}")
endif()
execute_process(COMMAND dpkg-deb -c "${debs}" OUTPUT_VARIABLE files RESULT_VARIABLE rc)
foreach(f ./usr/bin/myrt ./usr/share/man/man1/myrt.1 ./usr/share/bash-completion/completions/myrt
          ./usr/share/zsh/vendor-completions/_myrt ./usr/share/fish/vendor_completions.d/myrt.fish
          ./usr/include/myrt/wasm.h ./usr/include/myrt/myrt.h ./usr/share/doc/myrt/LICENSE
          ./usr/share/doc/myrt/CHANGELOG.md /libmyrt.so /libmyrt.a /pkgconfig/myrt.pc /cmake/myrt/myrtConfig.cmake)
  string(FIND "${files}" "${f}" at)
  if(at EQUAL -1)
    message(SEND_ERROR "the package lacks ${f}")
  endif()
endforeach()
if(files MATCHES "usr/include/wasm.h")
  message(SEND_ERROR "the package installs include/wasm.h (must be include/myrt/wasm.h)")
endif()
execute_process(COMMAND dpkg-deb -f "${debs}" Package Version Depends OUTPUT_VARIABLE fields)
if(NOT fields MATCHES "Package: myrt\nVersion: ${VERSION}\nDepends: libc6")
  message(FATAL_ERROR "unexpected control fields:\n${fields}")
endif()
message(STATUS "${debs}: ok")
