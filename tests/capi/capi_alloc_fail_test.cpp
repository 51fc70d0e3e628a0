// tests/capi/capi_alloc_fail_test.cpp -- a failed host allocation anywhere inside wasm_func_call is a trap ("out of
// memory") or goes unnoticed (a tier falls back), never std::terminate (issue 11, item 3), on the tier given as
// argv[1] (interp, jit or auto; auto tiers up at the first call, synchronously).
//
// Fault injection: this program replaces the global operator new. After arm(N), the N-th allocation throws
// std::bad_alloc once (then allocation works again: a transient failure). For N = 1, 2, ... a fresh instance is called
// with the N-th allocation of the call failing, until a call makes fewer than N allocations. Every allocation of the
// call's path is hit once: the interpreter's lazy lowering, JIT compilation and installation, tier-up, traps and
// backtraces, host calls. Each call must return the right result or trap with "out of memory".
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "myrt.h"
#include "wasm.h"

namespace {
long g_countdown = 0;  // > 0: armed; the allocation that brings it to 0 fails
long g_allocs = 0;     // allocations since arm()
bool g_failed = false;

void* allocate(std::size_t n) {
  if (g_countdown > 0) {
    ++g_allocs;
    if (--g_countdown == 0) {
      g_failed = true;
      throw std::bad_alloc();
    }
  }
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
void* allocateAligned(std::size_t n, std::align_val_t a) {
  if (g_countdown > 0) {
    ++g_allocs;
    if (--g_countdown == 0) {
      g_failed = true;
      throw std::bad_alloc();
    }
  }
  const std::size_t al = static_cast<std::size_t>(a);
  void* p = std::aligned_alloc(al, (n + al - 1) / al * al);
  if (!p) throw std::bad_alloc();
  return p;
}
void arm(long n) {
  g_allocs = 0;
  g_failed = false;
  g_countdown = n;
}
void disarm() { g_countdown = 0; }
}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t a) { return allocateAligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocateAligned(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {
int g_failures = 0;
#define CHECK(c)                                                          \
  do {                                                                    \
    if (!(c)) {                                                           \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
      ++g_failures;                                                       \
    }                                                                     \
  } while (0)

// A call chain through several functions (each lowered or compiled on first use), a loop, an indirect call, a host
// call, a memory, and a call into a second instance made while the first one's frames (JIT code on jit and auto) are
// on the stack: that instance is lowered or compiled there, and nothing may unwind through JIT frames.
const char* kOther = R"((module
  (func (export "cube") (param i32) (result i32) (local $i i32) (local $p i32)
    (local.set $p (i32.const 1))
    (loop $l
      (local.set $p (i32.mul (local.get $p) (local.get 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $p)))
)";
const char* kModule = R"((module
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (import "other" "cube" (func $cube (param i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $sq $inc)
  (type $un (func (param i32) (result i32)))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func $mid (param i32) (result i32)
    (i32.add (i32.add (call $sum (local.get 0)) (call $cube (local.get 0)))
             (i32.add (call_indirect (type $un) (local.get 0) (i32.const 0))
                      (call_indirect (type $un) (local.get 0) (i32.const 1)))))
  (func (export "run") (param i32) (result i32)
    (i32.div_u (call $twice (call $mid (local.get 0))) (local.get 0))))
)";

wasm_trap_t* twice(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0] = WASM_I32_VAL(args->data[0].of.i32 * 2);
  return nullptr;
}

int32_t expected(int32_t x) {
  int32_t s = 0;
  for (int32_t i = 0; i < x; ++i) s += i;
  return ((s + x * x * x + x * x + x + 1) * 2) / x;
}

bool messageHas(wasm_trap_t* t, const char* what) {
  wasm_message_t m;
  wasm_trap_message(t, &m);
  const bool has = m.size && std::strstr(std::string(m.data, m.size).c_str(), what) != nullptr;
  wasm_byte_vec_delete(&m);
  return has;
}
}  // namespace

int main(int argc, char** argv) {
  const char* tier = argc > 1 ? argv[1] : "interp";
  setenv("MYRT_TIER_UP_THRESHOLD", "1", 1);
  setenv("MYRT_TIER_UP_SYNC", "1", 1);
  wasm_config_t* cfg = wasm_config_new();
  if (myrt_error_t* e = myrt_config_set_tier(cfg, tier)) {
    std::fprintf(stderr, "unsupported tier %s\n", tier);
    myrt_error_delete(e);
    return 1;
  }
  myrt_config_set_compile_jobs(cfg, 1);
  wasm_engine_t* engine = wasm_engine_new_with_config(cfg);
  wasm_byte_vec_t wasm, otherWasm;
  myrt_error_t* e1 = myrt_wat2wasm(kModule, std::strlen(kModule), &wasm);
  myrt_error_t* e2 = myrt_wat2wasm(kOther, std::strlen(kOther), &otherWasm);
  if (e1 || e2) {
    std::fprintf(stderr, "wat2wasm failed\n");
    return 1;
  }
  long hits = 0, traps = 0, n = 1;
  for (; n < 20000; ++n) {
    wasm_store_t* store = wasm_store_new(engine);
    wasm_module_t* module = wasm_module_new(store, &wasm);
    wasm_module_t* otherModule = wasm_module_new(store, &otherWasm);
    CHECK(module && otherModule);
    wasm_extern_vec_t noImports = WASM_EMPTY_VEC;
    wasm_instance_t* other = wasm_instance_new(store, otherModule, &noImports, nullptr);
    CHECK(other);
    wasm_extern_vec_t otherExports;
    wasm_instance_exports(other, &otherExports);
    wasm_valtype_t* i32p = wasm_valtype_new_i32();
    wasm_valtype_t* i32r = wasm_valtype_new_i32();
    wasm_functype_t* ft = wasm_functype_new_1_1(i32p, i32r);
    wasm_func_t* host = wasm_func_new(store, ft, twice);
    wasm_functype_delete(ft);
    wasm_extern_t* imps[] = {wasm_func_as_extern(host), otherExports.data[0]};
    wasm_extern_vec_t imports = {2, imps};
    wasm_instance_t* inst = wasm_instance_new(store, module, &imports, nullptr);
    CHECK(inst);
    wasm_extern_vec_t exports;
    wasm_instance_exports(inst, &exports);
    wasm_func_t* run = wasm_extern_as_func(exports.data[0]);
    const int32_t x = 1 + int32_t(n % 7);
    wasm_val_t a[1] = {WASM_I32_VAL(x)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    arm(n);
    wasm_trap_t* trap = wasm_func_call(run, &args, &results);
    const bool failed = g_failed;
    disarm();
    if (failed) ++hits;
    if (trap) {
      ++traps;
      if (!failed || !messageHas(trap, "out of memory")) {
        wasm_message_t m;
        wasm_trap_message(trap, &m);
        std::fprintf(stderr, "allocation %ld: unexpected trap: %.*s\n", n, int(m.size), m.data);
        wasm_byte_vec_delete(&m);
        ++g_failures;
      }
      wasm_trap_delete(trap);
    } else if (r[0].of.i32 != expected(x)) {
      std::fprintf(stderr, "allocation %ld: run(%d) = %d, expected %d\n", n, x, r[0].of.i32, expected(x));
      ++g_failures;
    }
    // The instance works afterwards (the failure was transient).
    trap = wasm_func_call(run, &args, &results);
    CHECK(!trap && r[0].of.i32 == expected(x));
    if (trap) wasm_trap_delete(trap);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(inst);
    wasm_func_delete(host);
    wasm_extern_vec_delete(&otherExports);
    wasm_instance_delete(other);
    wasm_module_delete(otherModule);
    wasm_module_delete(module);
    wasm_store_delete(store);
    if (!failed) break;  // the call made fewer than n allocations: every one has been failed once
  }
  std::printf("%s: %ld allocations in the call failed one at a time; %ld trapped \"out of memory\"\n", tier, hits,
              traps);
  CHECK(n < 20000);
  CHECK(hits > 10);
  wasm_byte_vec_delete(&wasm);
  wasm_byte_vec_delete(&otherWasm);
  wasm_engine_delete(engine);
  if (g_failures) std::fprintf(stderr, "%d check(s) failed\n", g_failures);
  return g_failures ? 1 : 0;
}
