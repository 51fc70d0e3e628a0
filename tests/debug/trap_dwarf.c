// tests/debug/trap_dwarf.c -- traps at known lines, built with clang --target=wasm32-wasi -g (tests/debug).
// The line numbers below are asserted by tests/debug/CMakeLists.txt: keep them where they are.
int table[4];

static inline int load(const int* p, int i) {
  return p[i];  // line 6: out of bounds for a large i (inlined into reader at -O2)
}

__attribute__((noinline)) int reader(int i) {
  return load(table, i) + 1;  // line 10
}

__attribute__((noinline)) void crash(int n) {
  if (n == 0) __builtin_trap();  // line 14
  crash(n - 1);  // line 15
}

#ifndef NO_MAIN
int main(int argc, char** argv) {
  (void)argv;
  if (argc > 1) return reader(argc * 100000000);  // line 21
  crash(2);  // line 22
  return 0;
}
#endif
