// tests/unit/exec/guard_test.cpp -- out-of-bounds accesses caught by guard pages (runtime/exec/signals.h): reservation
// size, traps at the edges (index + offset crossing the size, 4 GiB - 1 + offset, after memory.grow, several memories),
// memory64 / guardPages=false still checked explicitly, trap message + backtrace names, state after a fault (depth,
// value stack), other threads, the JIT code-range API, and the claim rules: faults outside wasm and inside host
// functions called from wasm are passed on to the previously installed handler (checked in child processes started
// with fork + exec of this test binary, so the child installs its handler before myrt's).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csetjmp>
#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/exec/signals.h"
#include "tests/unit/exec/exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

const char* kAccessWat = R"((module
  (memory (export "mem") 1 3)
  (func $load32 (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load8_off") (param i32) (result i32) (i32.load8_u offset=65535 (local.get 0)))
  (func (export "load64_maxoff") (param i32) (result i64) (i64.load offset=4294967295 (local.get 0)))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64_off") (param i32) (i64.store offset=65528 (local.get 0) (i64.const -1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func $inner (param i32) (result i32) (call $load32 (local.get 0)))
  (func (export "outer") (param i32) (result i32) (i32.add (call $inner (local.get 0)) (i32.const 1)))
  (func $rec (export "rec") (param i32 i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $rec (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
      (else (i32.load (local.get 1))))))
)";

}  // namespace

TEST_CASE("guard: 32-bit memories reserve base + u32 index + u32 offset + 16 bytes", "[exec][guard]") {
  static_assert(kGuardedReservation >= 0xFFFFFFFFull + 0xFFFFFFFFull + 16);
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(kAccessWat) == "");
    MemoryInst* m = findExportedMemory(*s.last, "mem");
    REQUIRE(m);
    CHECK(m->guarded);
    CHECK(m->reserved == kGuardedReservation);
    CHECK(isGuardedMemoryAddress(m->base));
    CHECK(isGuardedMemoryAddress(m->base + kGuardedReservation - 1));
  }
}

TEST_CASE("guard: out-of-bounds loads and stores at the edges", "[exec][guard]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(kAccessWat) == "");
    MemoryInst* m = findExportedMemory(*s.last, "mem");
    REQUIRE(m->guarded);
    CHECK(s.call("store32", {I32(65532), I32(0x11223344)}) == "");
    CHECK(s.i32("load32", {I32(65532)}) == 0x11223344);
    CHECK(s.call("load32", {I32(65533)}) == "out of bounds memory access");
    CHECK(s.call("load32", {I32(0xFFFFFFFF)}) == "out of bounds memory access");
    CHECK(s.i32("load8_off", {I32(0)}) == 0x11);  // the last byte
    CHECK(s.call("load8_off", {I32(1)}) == "out of bounds memory access");       // index + offset == size
    CHECK(s.call("load64_maxoff", {I32(0)}) == "out of bounds memory access");
    CHECK(s.call("load64_maxoff", {I32(0xFFFFFFFF)}) == "out of bounds memory access");  // 8 GiB - 2 + 8 bytes
    CHECK(s.call("store64_off", {I32(0)}) == "");
    CHECK(s.call("store64_off", {I32(1)}) == "out of bounds memory access");
    // A store crossing the end writes nothing (x86: the faulting instruction does not commit any byte).
    CHECK(s.call("store32", {I32(65534), I32(0xAABBCCDD)}) == "out of bounds memory access");
    CHECK(m->base[65534] == 0xFF);  // still the i64.store's bytes
    CHECK(m->base[65535] == 0xFF);
    // Many faults in a row: the handler restores the signal mask each time.
    for (int i = 0; i < 200; ++i) REQUIRE(s.call("load32", {I32(65536 + uint32_t(i))}) == "out of bounds memory access");
    CHECK(s.store->context().depth == 0);
    CHECK(s.store->context().sp == s.store->context().stackBase);
  }
}

TEST_CASE("guard: memory.grow makes pages accessible", "[exec][guard]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(kAccessWat) == "");
    CHECK(s.call("load32", {I32(65536)}) == "out of bounds memory access");
    CHECK(s.i32("grow", {I32(1)}) == 1);
    CHECK(s.call("store32", {I32(131068), I32(7)}) == "");
    CHECK(s.i32("load32", {I32(131068)}) == 7);
    CHECK(s.call("load32", {I32(131069)}) == "out of bounds memory access");
    CHECK(s.i32("grow", {I32(5)}) == 0xFFFFFFFF);  // past the declared maximum
    CHECK(s.call("load32", {I32(131072)}) == "out of bounds memory access");
  }
}

TEST_CASE("guard: trap message and backtrace names; state after the fault", "[exec][guard]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    REQUIRE(s.load(kAccessWat) == "");
    CHECK(s.call("outer", {I32(70000)}) == "out of bounds memory access");
    REQUIRE(s.lastTrap.reason == TrapReason::MemoryOutOfBounds);
    REQUIRE(s.lastTrap.backtrace.size() == 3);
    CHECK(s.lastTrap.backtrace[0] == 0);  // $load32
    CHECK(s.lastTrap.backtrace[1] == 6);  // $inner
    CHECK(s.lastTrap.backtrace[2] == 7);  // outer
    const std::string text = s.lastTrap.toString();
    CHECK(text.find("out of bounds memory access\n  at load32") == 0);
    CHECK(text.find("at inner") != std::string::npos);
    // Deep frames: everything the activation held is released (depth, value stack) and execution continues.
    CHECK(s.call("rec", {I32(1000), I32(65536)}) == "out of bounds memory access");
    CHECK(s.lastTrap.backtrace.size() == 64);  // capped
    CHECK(s.store->context().depth == 0);
    CHECK(s.store->context().sp == s.store->context().stackBase);
    CHECK(s.i32("rec", {I32(1000), I32(8)}) == 0);
    CHECK(s.i32("outer", {I32(65532)}) == 1);
  }
}

TEST_CASE("guard: several memories, and nested host -> wasm activations", "[exec][guard]") {
  for (const ExecTier& tier : tiers()) {
    Session s(tier);
    Instance* a = nullptr;
    REQUIRE(s.load(R"((module
      (memory $m0 1) (memory $m1 2)
      (func (export "ld0") (param i32) (result i32) (i32.load $m0 (local.get 0)))
      (func (export "ld1") (param i32) (result i32) (i32.load $m1 (local.get 0)))
      (func (export "st1") (param i32 i32) (i32.store $m1 (local.get 0) (local.get 1))))
    )", &a) == "");
    CHECK(s.i32("ld1", {I32(65536)}) == 0);  // inside $m1 only
    CHECK(s.call("ld0", {I32(65536)}) == "out of bounds memory access");
    CHECK(s.call("st1", {I32(131070), I32(1)}) == "out of bounds memory access");
    CHECK(s.call("st1", {I32(131068), I32(9)}) == "");
    CHECK(s.i32("ld1", {I32(131068)}) == 9);
    // A host function called from wasm invokes wasm that faults: the inner activation takes the trap, the host sees
    // it as a result and the outer wasm continues.
    FuncInst* ld0 = findExportedFunc(*a, "ld0");
    Store* st = s.store.get();
    CompositeType ft;
    ft.results = {ValType::i32()};
    FuncInst* host = s.store->newHostFunc(ft, [st, ld0](ExecContext&, std::span<const Value>, std::span<Value> res) {
      Value args[1] = {Value::fromI32(1 << 20)};
      Value out[1];
      InvokeResult r = invoke(*st, ld0, args, out);
      res[0] = Value::fromI32(r.trap && r.trap->reason == TrapReason::MemoryOutOfBounds ? 42 : 0);
      return TrapReason::None;
    });
    Instance* env = s.store->newInstance();
    env->exports.emplace("probe", Extern::of(host));
    s.registerAs("env", env);
    REQUIRE(s.load(R"((module
      (import "env" "probe" (func $p (result i32)))
      (memory 1)
      (func (export "f") (result i32) (i32.add (call $p) (i32.load (i32.const 0)))))
    )") == "");
    CHECK(s.i32("f") == 42);
  }
}

TEST_CASE("guard: memory64 and guardPages=false keep explicit checks", "[exec][guard]") {
  for (const ExecTier& tier : tiers()) {
    {
      Session s(tier);
      REQUIRE(s.load(R"((module (memory (export "mem") i64 1)
        (func (export "ld") (param i64) (result i32) (i32.load offset=8 (local.get 0)))))") == "");
      MemoryInst* m = findExportedMemory(*s.last, "mem");
      CHECK_FALSE(m->guarded);
      CHECK(s.i32("ld", {I64(65524)}) == 0);
      CHECK(s.call("ld", {I64(65525)}) == "out of bounds memory access");
      CHECK(s.call("ld", {I64(~uint64_t(0) - 4)}) == "out of bounds memory access");
    }
    {
      StoreLimits limits;
      limits.guardPages = false;
      Session s(tier, limits);
      REQUIRE(s.load(kAccessWat) == "");
      MemoryInst* m = findExportedMemory(*s.last, "mem");
      CHECK_FALSE(m->guarded);
      CHECK(m->reserved < kGuardedReservation);
      CHECK_FALSE(isGuardedMemoryAddress(m->base));
      CHECK(s.call("load32", {I32(65533)}) == "out of bounds memory access");
      CHECK(s.call("load64_maxoff", {I32(0xFFFFFFFF)}) == "out of bounds memory access");
      CHECK(s.i32("load32", {I32(65532)}) == 0);
    }
  }
}

TEST_CASE("guard: faults on other threads", "[exec][guard]") {
  for (const ExecTier& tier : tiers()) {
    std::string results[2];
    auto work = [&tier](std::string* out) {
      Session s(tier);
      if (!s.load(kAccessWat).empty()) return;
      for (int i = 0; i < 50; ++i) *out = s.call("outer", {I32(65536 * 2 + uint32_t(i))});
    };
    std::thread t1(work, &results[0]);
    std::thread t2(work, &results[1]);
    t1.join();
    t2.join();
    CHECK(results[0] == "out of bounds memory access");
    CHECK(results[1] == "out of bounds memory access");
  }
}

namespace {
int gLookupCalls = 0;
bool fakeLookup(void* user, uintptr_t, CodeLocation* out) {
  ++gLookupCalls;
  out->func = static_cast<const FuncInst*>(user);
  out->wasmOffset = 1234;
  return true;
}
}  // namespace

TEST_CASE("guard: JIT code ranges (registerCodeRange) and compiled activations", "[exec][guard]") {
  Session s(tiers()[0]);
  REQUIRE(s.load(kAccessWat) == "");
  MemoryInst* m = findExportedMemory(*s.last, "mem");
  REQUIRE(m->guarded);
  FuncInst sentinel;
  CodeLocation loc;
  uintptr_t h = registerCodeRange(reinterpret_cast<void*>(0x1000), reinterpret_cast<void*>(0x2000), &fakeLookup,
                                   &sentinel);
  REQUIRE(h != 0);
  CHECK(lookupCodeRange(0x1800, &loc));
  CHECK(loc.func == &sentinel);
  CHECK(loc.wasmOffset == 1234);
  CHECK_FALSE(lookupCodeRange(0x2000, nullptr));
  unregisterCodeRange(h);
  CHECK_FALSE(lookupCodeRange(0x1800, nullptr));

  // A compiled activation claims a fault when the PC is registered code (here: all of the address space).
  h = registerCodeRange(reinterpret_cast<void*>(1), reinterpret_cast<void*>(~uintptr_t(0)), &fakeLookup, &sentinel);
  REQUIRE(h != 0);
  gLookupCalls = 0;
  static WasmActivation act;  // static: not a local modified between sigsetjmp and siglongjmp
  act = WasmActivation();
  act.kind = WasmActivation::Kind::Compiled;
  volatile uint8_t* target = m->base + m->size + 100;
  pushActivation(act);
  static volatile bool faulted;
  faulted = false;
  if (sigsetjmp(act.recover, 0) == 0) {
    (void)*target;
  } else {
    afterFaultRecovery(act);
    faulted = true;
  }
  popActivation(act);
  unregisterCodeRange(h);
  CHECK(faulted);
  CHECK(gLookupCalls == 1);
  CHECK(act.faultAddress == reinterpret_cast<uintptr_t>(target));
  CHECK(act.faultLocation.func == &sentinel);
  CHECK(currentActivation() == nullptr);
}

// ---- claim rules, in child processes -------------------------------------------------------------------------------
// The parent re-executes this binary with MYRT_GUARD_CHILD=<mode> running the hidden test below; the child installs
// (or not) its own handler first, makes myrt install its handler, then faults.

namespace {

volatile uintptr_t gExpectedAddr = 0;
void childHandler(int, siginfo_t* si, void*) {
  _exit(reinterpret_cast<uintptr_t>(si->si_addr) == gExpectedAddr ? 42 : 43);
}

// Runs the hidden child test in `mode`; returns the wait status.
int runChild(const char* mode) {
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("MYRT_GUARD_CHILD", mode, 1);
    // Quiet: a sanitizer's report of the intended crash would only clutter the test log.
    setenv("ASAN_OPTIONS", "handle_segv=1:abort_on_error=0", 1);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    execl("/proc/self/exe", "unit_exec", "guard child process", static_cast<char*>(nullptr));
    _exit(99);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}
bool exitedWith(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
bool killedBySegv(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV; }

}  // namespace

TEST_CASE("guard child process", "[.][guard-child]") {
  const char* env = std::getenv("MYRT_GUARD_CHILD");
  REQUIRE(env);
  const std::string mode = env;
  if (mode == "outside-chain" || mode == "hostfunc-chain" || mode == "compiled-unregistered") {
    struct sigaction sa{};
    sa.sa_sigaction = &childHandler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
  } else if (mode == "outside-ign") {
    signal(SIGSEGV, SIG_IGN);
  }
  auto store = makeInterpreterStore();
  auto mod = compileWat(R"((module (import "env" "poke" (func $poke)) (memory (export "mem") 1)
    (func (export "oob") (result i32) (i32.load (i32.const 70000)))
    (func (export "callhost") (call $poke))))");
  REQUIRE(mod.ok());
  MemoryInst* mem = nullptr;
  CompositeType ft;
  FuncInst* poke = store->newHostFunc(ft, [&mem](ExecContext&, std::span<const Value>, std::span<Value>) {
    volatile uint8_t* p = mem->base + mem->size + 8;  // inside the reservation, but touched by host code
    gExpectedAddr = reinterpret_cast<uintptr_t>(p);
    *p = 1;
    return TrapReason::None;
  });
  auto inst = instantiate(*store, *mod, {Extern::of(poke)});
  REQUIRE(inst.ok());
  mem = findExportedMemory(**inst, "mem");
  REQUIRE(mem->guarded);
  // A wasm fault is still ours (handler installed after the child's).
  Value out[1];
  InvokeResult r = invoke(*store, findExportedFunc(**inst, "oob"), {}, out);
  REQUIRE(r.trap);
  REQUIRE(r.trap->reason == TrapReason::MemoryOutOfBounds);
  if (mode == "hostfunc-chain") {
    (void)invoke(*store, findExportedFunc(**inst, "callhost"), {}, {});
    _exit(3);  // not reached: the fault in the host function goes to the child's handler
  }
  if (mode == "compiled-unregistered") {
    static WasmActivation act;
    act.kind = WasmActivation::Kind::Compiled;  // PC not in registered code: not claimed
    pushActivation(act);
    if (sigsetjmp(act.recover, 0) == 0) {
      volatile uint8_t* p = mem->base + mem->size + 8;
      gExpectedAddr = reinterpret_cast<uintptr_t>(p);
      (void)*p;
    }
    _exit(4);  // reached only if the fault was (wrongly) claimed
  }
  // Outside wasm: a fault in the guard region, and a wild pointer.
  volatile uint8_t* p = mode == "outside-wild" ? reinterpret_cast<volatile uint8_t*>(uintptr_t(16))
                                               : mem->base + mem->size + 8;
  gExpectedAddr = reinterpret_cast<uintptr_t>(p);
  *p = 1;
  _exit(5);
}

TEST_CASE("guard: faults that are not wasm's reach the previous handler", "[exec][guard][exec-self]") {
  // A previously installed sa_sigaction handler gets faults outside wasm, in host functions called from wasm, and in
  // compiled activations whose PC is not registered code.
  CHECK(exitedWith(runChild("outside-chain"), 42));
  CHECK(exitedWith(runChild("hostfunc-chain"), 42));
  CHECK(exitedWith(runChild("compiled-unregistered"), 42));
  // SIG_IGN before ours: the kernel's rule for a synchronous fault applies (killed by SIGSEGV).
  CHECK(killedBySegv(runChild("outside-ign")));
  // SIG_DFL before ours: killed by SIGSEGV as without myrt; under ASan its own handler was first: it reports, exits 1.
  for (const char* mode : {"outside-dfl", "outside-wild"}) {
    const int st = runChild(mode);
    INFO(mode << " status " << st);
    if (kAsan) CHECK((exitedWith(st, 1) || killedBySegv(st)));
    else CHECK(killedBySegv(st));
  }
}
