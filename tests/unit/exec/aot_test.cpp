// tests/unit/exec/aot_test.cpp -- precompiled code (jit/aot.h, engine/code_cache.h): an artifact runs without
// compiling, in several instances at once (each relocated for its own functions, globals, memories, tags, GC type
// ids); artifacts of another build, for missing CPU features, truncated or damaged are refused with their one-line
// reason; concurrent writers of one cache entry leave one whole file; a bad cache entry is removed, never run.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "engine/code_cache.h"
#include "exec_harness.h"
#include "jit/aot.h"

using namespace myrt;
using namespace myrt::test;

namespace {

const char* kModule = R"((module
  (type $pt (struct (field (mut i32)) (field i32)))
  (type $ft (func (param i32) (result i32)))
  (tag $e (param i32))
  (memory 1)
  (global $g (mut i64) (i64.const 5))
  (table 4 funcref)
  (elem (i32.const 0) $add1 $twice)
  (func $add1 (export "add1") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "indirect") (param i32 i32) (result i32) (call_indirect (param i32) (result i32) (local.get 1) (local.get 0)))
  (func (export "bump") (result i64) (global.set $g (i64.add (global.get $g) (i64.const 1))) (global.get $g))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "struct") (param i32) (result i32)
    (struct.get $pt 0 (struct.new $pt (local.get 0) (i32.const 7))))
  (func (export "cast") (param i32) (result i32)
    (ref.test (ref $pt) (struct.new $pt (local.get 0) (i32.const 7))))
  (func (export "throw") (param i32) (result i32)
    (block $h (result i32) (try_table (catch $e $h) (throw $e (local.get 0))) (i32.const -1)))
  (func (export "reffunc") (result i32) (call_ref $ft (i32.const 41) (ref.func $add1)))
  (func (export "trap") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
))";

std::vector<uint8_t> artifactOf(const char* wat) {
  auto mod = compileWat(wat);
  REQUIRE(mod.ok());
  auto bytes = precompileArtifact(*mod, 1);
  REQUIRE(bytes.ok());
  return std::move(bytes).value();
}

// Recomputes the header checksum after a test changed the header.
void reseal(std::vector<uint8_t>& b) {
  const uint64_t c = jit::checksum64(b.data() + 32, b.size() - 32);
  std::memcpy(b.data() + 24, &c, 8);
}

std::string loadError(std::vector<uint8_t> b) {
  auto m = loadPrecompiledArtifact(std::move(b));
  return m.ok() ? std::string() : m.error().message;
}

}  // namespace

TEST_CASE("precompiled code runs without compiling, relocated for each instance", "[jit][aot]") {
  if (!tierAvailable(Tier::Jit)) FAIL("JIT not available");
  auto mod = loadPrecompiledArtifact(artifactOf(kModule));
  REQUIRE(mod.ok());
  std::shared_ptr<const Module> m = *mod;
  REQUIRE(m->precompiled);
  auto store = std::move(makeStore(Tier::Jit).value());
  Instance* inst[2];
  for (Instance*& i : inst) {
    auto imports = resolveImports(*store, *m);
    REQUIRE(imports.ok());
    auto r = instantiate(*store, m, *imports);
    REQUIRE(r.ok());
    i = *r;
  }
  auto call = [&](Instance* in, const char* name, std::vector<Value> args) {
    FuncInst* f = findExportedFunc(*in, name);
    REQUIRE(f);
    std::vector<Value> res(f->numResults());
    InvokeResult r = invoke(*store, f, args, res);
    if (r.trap) return std::make_pair(std::string(r.trap->message), Value{});
    return std::make_pair(std::string(), res.empty() ? Value{} : res[0]);
  };
  for (Instance* in : inst) {
    CHECK(call(in, "add1", {I32(41)}).second.i32 == 42);
    CHECK(call(in, "indirect", {I32(1), I32(21)}).second.i32 == 42);
    CHECK(call(in, "struct", {I32(9)}).second.i32 == 9);
    CHECK(call(in, "cast", {I32(9)}).second.i32 == 1);
    CHECK(call(in, "throw", {I32(13)}).second.i32 == 13);
    CHECK(call(in, "reffunc", {}).second.i32 == 42);
    CHECK(call(in, "trap", {I32(0)}).first == "integer divide by zero");
  }
  // each instance's own global and memory
  CHECK(call(inst[0], "bump", {}).second.i64 == 6);
  CHECK(call(inst[0], "bump", {}).second.i64 == 7);
  CHECK(call(inst[1], "bump", {}).second.i64 == 6);
  call(inst[0], "store", {I32(8), I32(123)});
  CHECK(call(inst[0], "load", {I32(8)}).second.i32 == 123);
  CHECK(call(inst[1], "load", {I32(8)}).second.i32 == 0);
  CHECK(call(inst[1], "load", {I32(65536)}).first == "out of bounds memory access");
  // all of it machine code from the artifact (no function left to the interpreter, none compiled otherwise)
  CHECK(store->jitFallbacks.empty());
  CHECK(store->context().tierCalls.interp == 0);
  CHECK(store->jitCompiledFuncs == 2 * (m->funcs.size() - m->numImportedFuncs));
}

TEST_CASE("precompiled code on the auto tier: installed at the first call, no tier-up; unusable code tiers up", "[jit][aot]") {
  if (!tierAvailable(Tier::Auto)) FAIL("JIT not available");
  // a start function: the first call into the instance is made by instantiate itself
  const char* wat = R"((module
    (memory 1)
    (global $g (mut i32) (i32.const 0))
    (func $start (global.set $g (i32.const 40)))
    (start $start)
    (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "run") (param i32) (result i32) (local $i i32) (local $s i32)
      (loop $l (local.set $s (call $inc (local.get $s))) (local.set $i (call $inc (local.get $i)))
               (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
      (i32.store (i32.const 4) (local.get $s))
      (i32.add (global.get $g) (i32.load (i32.const 4))))
  ))";
  auto mod = loadPrecompiledArtifact(artifactOf(wat));
  REQUIRE(mod.ok());
  std::shared_ptr<const Module> m = *mod;
  for (const bool guarded : {true, false}) {
    StoreLimits limits;
    if (!guarded) limits.memoryReservation = 65536;  // explicit bounds checks: not what the code was compiled for
    auto store = std::move(makeStore(Tier::Auto, limits).value());
    auto imports = resolveImports(*store, *m);
    REQUIRE(imports.ok());
    auto inst = instantiate(*store, m, *imports);
    REQUIRE(inst.ok());
    FuncInst* f = findExportedFunc(**inst, "run");
    REQUIRE(f);
    std::vector<Value> res(1);
    const std::vector<Value> args{I32(5000)};
    InvokeResult r = invoke(*store, f, args, res);
    REQUIRE(!r.trap);
    CHECK(res[0].i32 == 5040);
    if (guarded) {  // every function from the artifact at the start function's call; nothing counted for tier-up
      CHECK(store->jitFallbacks.empty());
      CHECK(store->context().tierCalls.interp == 0);
      CHECK(store->jitCompiledFuncs == m->funcs.size() - m->numImportedFuncs);
      CHECK(store->context().tierUpActive == 0);
    } else {  // refused (guard pages differ): the interpreter, with tier-up as without precompiled code
      REQUIRE(store->jitFallbacks.size() == 1);
      CHECK(store->jitFallbacks[0].find("guard pages") != std::string::npos);
      CHECK(store->context().tierCalls.interp > 0);
      CHECK(store->context().tierUpActive == 1);
    }
  }
}

TEST_CASE("precompiled artifacts: another build, missing CPU features, truncated, damaged", "[jit][aot]") {
  if (!tierAvailable(Tier::Jit)) FAIL("JIT not available");
  const std::vector<uint8_t> good = artifactOf(kModule);
  CHECK(loadError(good).empty());
  CHECK(jit::isArtifact(good));

  std::vector<uint8_t> b = good;
  b[40] ^= 1;  // inside the build text ("myrt VERSION build-id ...")
  reseal(b);
  CHECK_THAT(loadError(b), Catch::StartsWith("precompiled by another myrt build ("));

  b = good;
  b[96 + 5] |= 0x80;  // CPU feature bit 47: no CPU has it
  reseal(b);
  CHECK(loadError(b) == "precompiled for CPU features this CPU lacks (or MYRT_JIT_NO_AVX turned off): bit47");

  b = good;
  b[8] = 99;  // format version
  CHECK_THAT(loadError(b), Catch::StartsWith("precompiled module of another format version (99;"));

  for (size_t n : {size_t(0), size_t(7), size_t(8), size_t(50), size_t(200), good.size() / 2, good.size() - 1}) {
    b.assign(good.begin(), good.begin() + n);
    const std::string e = loadError(b);
    CAPTURE(n, e);
    CHECK((n < 8 ? e == "not a precompiled myrt module" : e.rfind("truncated precompiled module (", 0) == 0));
  }
  // any single damaged byte after the checksummed header part: refused, never run
  for (size_t at = 32; at < good.size(); at += 97) {
    b = good;
    b[at] ^= 0x20;
    CAPTURE(at);
    CHECK(loadError(b) == "corrupt precompiled module (checksum mismatch)");
  }
  b = good;
  b.push_back(0);
  CHECK(loadError(b) == "corrupt precompiled module (1 bytes after its end)");
  // a consistent (resealed) header with a bad section table
  b = good;
  const uint64_t huge = 1ull << 40;
  std::memcpy(b.data() + jit::kAotHeaderSize + 16, &huge, 8);  // the first section's size
  reseal(b);
  CHECK(loadError(b) == "corrupt precompiled module (bad section table)");
}

TEST_CASE("code cache: concurrent writers of one entry, a damaged entry is replaced", "[jit][aot]") {
  if (!tierAvailable(Tier::Jit)) FAIL("JIT not available");
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("myrt-aot-test-" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto wat = compileWat(kModule);
  REQUIRE(wat.ok());
  // (the module is small: cache it anyway -- the size threshold is tested by cli/run-cache-small)
  setenv("MYRT_CACHE_MIN_BYTES", "0", 1);
  const std::string path = codeCachePath(dir.string(), **wat);
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t)
    writers.emplace_back([&] {
      auto m = std::make_shared<Module>(**wat);
      for (int k = 0; k < 5; ++k)
        if (!codeCacheFill(dir.string(), m, 1).ok()) ++failures;
    });
  for (std::thread& t : writers) t.join();
  CHECK(failures == 0);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    CHECK(e.path().string() == path);  // no temporary file left behind
  }
  CHECK(files == 1);
  {
    Module m = **wat;
    CHECK(codeCacheLookup(dir.string(), m) == CacheLookup::Hit);
    CHECK(m.precompiled);
  }
  // damage the entry: rejected and removed, never attached
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x7f');
  }
  {
    Module m = **wat;
    std::string why;
    CHECK(codeCacheLookup(dir.string(), m, &why) == CacheLookup::Rejected);
    CHECK(why == "corrupt precompiled module (checksum mismatch)");
    CHECK(!m.precompiled);
    CHECK(!fs::exists(path));
    CHECK(codeCacheLookup(dir.string(), m) == CacheLookup::Miss);
  }
  // an entry of other bytes under this module's name (a hash collision, or a swapped file): not attached
  {
    auto other = compileWat("(module (func (export \"f\") (result i32) (i32.const 1)))");
    REQUIRE(other.ok());
    auto bytes = precompileArtifact(*other, 1);
    REQUIRE(bytes.ok());
    REQUIRE(writeFileAtomically(path, *bytes).ok());
    Module m = **wat;
    std::string why;
    CHECK(codeCacheLookup(dir.string(), m, &why) == CacheLookup::Rejected);
    CHECK(why == "precompiled code of another module");
  }
  unsetenv("MYRT_CACHE_MIN_BYTES");
  fs::remove_all(dir);
}
