# cmake/packaging.cmake -- what a system installation of myrt contains beside the binaries (the man page, bash/zsh/fish
# completions, LICENSE, CHANGELOG) and the Debian package made by CPack:
#   cmake --build build && cpack --config build/CPackConfig.cmake -G DEB -B build/package
# gives build/package/myrt_<version>_<arch>.deb with the tool, libmyrt.so/.a, the headers (include/myrt/), myrt.pc, the
# CMake package, the man page and the completions. .ci/run installs it with dpkg and runs `myrt --version`.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/myrt.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/completions/myrt.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME myrt COMPONENT cli)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/completions/_myrt DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
        COMPONENT cli)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/completions/myrt.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT cli)
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE ${CMAKE_SOURCE_DIR}/CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT cli)

set(CPACK_PACKAGE_NAME myrt)
set(CPACK_PACKAGE_VENDOR "myrt")
set(CPACK_PACKAGE_CONTACT "myrt maintainers <myrt@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "WebAssembly runtime: interpreter, baseline JIT, WASI preview1, C API")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_INSTALL_DIRECTORY myrt)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# asmjit and CLI11 are linked statically / header-only; libdw (elfutils: DWARF source locations in trap backtraces)
# is loaded with dlopen when a backtrace needs it, libmicrohttpd by `myrt serve`, libcurl at a wasi:http guest's first
# outgoing request (7.85: CURLOPT_PROTOCOLS_STR); the rest is the C and C++ runtime.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libdw1 (>= 0.188), libmicrohttpd12, libcurl4 (>= 7.85)")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "myrt runs WebAssembly modules with WASI preview1 on an interpreter, a baseline\n JIT (x86-64) and tier-up between them, and embeds through the standard wasm-c-api (wasm.h) plus myrt.h.")
include(CPack)
