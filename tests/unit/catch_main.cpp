// Catch2's fatal-signal reporting would install its own SIGSEGV handler around every test case, on top of myrt's
// guard-page handler (runtime/exec/signals.h), and it does not pass faults on: wasm out-of-bounds accesses would be
// reported as crashes. A real crash still fails the test (the process dies).
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
