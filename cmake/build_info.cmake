# cmake/build_info.cmake -- writes OUT (a C++ header) with the git commit and the build date for `myrt --version`.
# Run at every build (a custom target) but rewrites OUT only when its content changes, so nothing recompiles unless the
# commit or the day changed. SOURCE_DATE_EPOCH (reproducible builds) fixes the date.
execute_process(COMMAND git -C "${SRC}" rev-parse --short=12 HEAD OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
else()
  execute_process(COMMAND git -C "${SRC}" status --porcelain --untracked-files=no OUTPUT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    string(APPEND commit "-dirty")
  endif()
endif()
string(TIMESTAMP date "%Y-%m-%d" UTC)
set(content "#pragma once\n#define MYRT_BUILD_COMMIT \"${commit}\"\n#define MYRT_BUILD_DATE \"${date}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUT}" "${content}")
endif()
