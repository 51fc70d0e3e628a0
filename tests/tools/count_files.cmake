# tests/tools/count_files.cmake -- fails unless DIR holds exactly EXPECT files matching GLOBS (|-separated, relative
# to DIR), so a missing or partly filled test-data folder fails CTest instead of running fewer tests. Invoked as
#   cmake -DDIR=<dir> -DGLOBS=<glob|glob...> -DEXPECT=<n> -P count_files.cmake
string(REPLACE "|" ";" GLOBS "${GLOBS}")
set(files "")
foreach(g IN LISTS GLOBS)
  file(GLOB found "${DIR}/${g}")
  list(APPEND files ${found})
endforeach()
list(LENGTH files n)
if(NOT n EQUAL EXPECT)
  message(FATAL_ERROR "${DIR}: ${n} files match ${GLOBS}, expected ${EXPECT} (a missing or partial test-data folder? "
                      "see scripts/fetch-test-data.sh; update the number with the data)")
endif()
message("${DIR}: ${n} files match ${GLOBS}, as expected")
