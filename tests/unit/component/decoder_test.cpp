// tests/unit/component/decoder_test.cpp -- component binary decoding and validation: preamble, sections, types,
// canon options, names, errors with offsets; the real components of ../shared/wasi-p2 decode and validate.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "builder.h"
#include "runtime/component/component.h"
#include "runtime/component/names.h"

using namespace myrt;
using namespace myrt::component;
using myrt::test::Bytes;
using myrt::test::ComponentBytes;

namespace {

std::string errOf(const std::vector<uint8_t>& b, size_t* offset = nullptr) {
  auto c = loadComponent(b);
  if (c) return "";
  if (offset) *offset = c.error().offset;
  return c.error().message;
}

const char* kLenModule = R"((module
  (memory (export "mem") 1)
  (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "len") (param i32 i32) (result i32) local.get 1)))";

// core module 0, core instance 0, aliases: core func 0 = len, core memory 0, core func 1 = realloc;
// type 0 = func(s: string) -> u32; canon lift with `opts`; export "len".
ComponentBytes lenComponent(const Bytes& opts, uint32_t numOpts, uint8_t resultType = 0x79) {
  ComponentBytes c;
  c.coreModule(kLenModule);
  c.section(2, 1, Bytes().byte(0x00).u32(0).u32(0));
  Bytes aliases;
  aliases.byte(0x00).byte(0x00).byte(0x01).u32(0).str("len");
  aliases.byte(0x00).byte(0x02).byte(0x01).u32(0).str("mem");
  aliases.byte(0x00).byte(0x00).byte(0x01).u32(0).str("realloc");
  c.section(6, 3, aliases);
  c.section(7, 1, Bytes().byte(0x40).u32(1).str("s").byte(0x73).byte(0x00).byte(resultType));
  c.section(8, 1, Bytes().byte(0x00).byte(0x00).u32(0).u32(numOpts).raw(opts).u32(0));
  c.section(11, 1, Bytes().byte(0x00).str("len").byte(0x01).u32(0).byte(0x00));
  return c;
}
Bytes memReallocOpts() { return Bytes().byte(0x03).u32(0).byte(0x04).u32(1).byte(0x00); }

}  // namespace

TEST_CASE("component preamble", "[component]") {
  ComponentBytes empty;
  CHECK(isComponentBinary(empty.bytes()));
  CHECK(errOf(empty.bytes()) == "");
  std::vector<uint8_t> v = empty.bytes();
  v[4] = 0x0c;
  size_t off = 0;
  CHECK(errOf(v, &off).find("unknown binary version") == 0);
  CHECK(off == 4);
  std::vector<uint8_t> core = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  CHECK_FALSE(isComponentBinary(core));
  v = empty.bytes();
  v.resize(6);
  CHECK(errOf(v) == "unexpected end");
}

TEST_CASE("component sections: unknown ids and sizes", "[component]") {
  ComponentBytes c;
  c.rawSection(0x20, {});
  size_t off = 0;
  CHECK(errOf(c.bytes(), &off) == "unknown section id 0x20");
  CHECK(off == 8);
  ComponentBytes d;
  d.out.byte(7).u32(10).byte(0x00);  // declares 10 bytes, has 1
  CHECK(errOf(d.bytes()).find("section size mismatch") == 0);
  ComponentBytes e;
  e.section(7, 1, Bytes().byte(0x7f).byte(0x00));  // one type (bool) and a stray byte
  CHECK(errOf(e.bytes()).find("section size mismatch") == 0);
}

TEST_CASE("component core modules go through the core decoder and validator", "[component]") {
  ComponentBytes c;
  c.coreModule("(module (func (result i32) i64.const 0))");
  const std::string e = errOf(c.bytes());
  CHECK(e.find("core module: type mismatch") == 0);
}

TEST_CASE("canon lift: a valid lifted export", "[component]") {
  auto c = lenComponent(memReallocOpts(), 3);
  auto r = loadComponent(c.bytes());
  REQUIRE(r.ok());
  const Component& comp = **r;
  REQUIRE(comp.exports.size() == 1);
  CHECK(comp.exports[0].name == "len");
  CHECK(typeToString(comp.exports[0].type.type) == "func(s: string) -> u32");
  CHECK(describeComponent(comp).find("export len: func(s: string) -> u32") != std::string::npos);
}

TEST_CASE("canon lift: options and core type are checked", "[component]") {
  CHECK(errOf(lenComponent(Bytes(), 0).bytes()) == "canonical option `memory` is required");
  CHECK(errOf(lenComponent(Bytes().byte(0x03).u32(0), 1).bytes()) == "canonical option `realloc` is required");
  CHECK(errOf(lenComponent(Bytes().byte(0x03).u32(0).byte(0x03).u32(0), 2).bytes()) ==
        "`memory` is specified more than once");
  CHECK(errOf(lenComponent(Bytes().byte(0x00).byte(0x01), 2).bytes()).find("conflicts with option") !=
        std::string::npos);
  // realloc with the wrong signature (core func 0 is `len`)
  CHECK(errOf(lenComponent(Bytes().byte(0x03).u32(0).byte(0x04).u32(0), 2).bytes()) ==
        "canonical option `realloc` uses a core function with an incorrect signature");
  // result u64: the core function returns i32
  CHECK(errOf(lenComponent(memReallocOpts(), 3, 0x77).bytes())
            .find("lowered function type (func (param i32 i32) (result i64)) does not match") == 0);
}

TEST_CASE("component types: labels, indices, borrow results", "[component]") {
  ComponentBytes a;
  a.section(7, 1, Bytes().byte(0x72).u32(1).str("Not-Kebab-case").byte(0x7f));
  CHECK(errOf(a.bytes()) == "`Not-Kebab-case` is not in kebab case");
  ComponentBytes b;
  b.section(7, 1, Bytes().byte(0x70).byte(0x05));  // list of type 5: no such type
  size_t off = 0;
  CHECK(errOf(b.bytes(), &off) == "type index out of bounds");
  CHECK(off == 12);
  ComponentBytes c;
  c.section(7, 1, Bytes().byte(0x6e).u32(2).str("a").str("A"));
  CHECK(errOf(c.bytes()).find("conflicts with previous flag name") != std::string::npos);
  ComponentBytes d;  // resource 0, borrow 1 = (borrow 0), func() -> borrow: invalid
  d.section(7, 3, Bytes().byte(0x3f).byte(0x7f).byte(0x00).byte(0x68).u32(0).byte(0x40).u32(0).byte(0x00).u32(1));
  CHECK(errOf(d.bytes()) == "function result cannot contain a `borrow` type");
  ComponentBytes e;  // own of a non-resource
  e.section(7, 2, Bytes().byte(0x7f).byte(0x69).u32(0));
  CHECK(errOf(e.bytes()) == "type index 0 is not a resource type");
}

TEST_CASE("component imports: names and uniqueness", "[component]") {
  ComponentBytes a;  // type 0 = func(); import "f" twice
  a.section(7, 1, Bytes().byte(0x40).u32(0).byte(0x01).byte(0x00));
  a.section(10, 2, Bytes().byte(0x00).str("f").byte(0x01).u32(0).byte(0x00).str("f").byte(0x01).u32(0));
  CHECK(errOf(a.bytes()) == "import name `f` conflicts with previous name");
  ComponentBytes b;
  b.section(7, 1, Bytes().byte(0x40).u32(0).byte(0x01).byte(0x00));
  b.section(10, 1, Bytes().byte(0x00).str("wasi:io/streams@0.2.x").byte(0x01).u32(0));
  CHECK(errOf(b.bytes()).find("invalid version") != std::string::npos);
  ComponentBytes c;
  c.section(7, 1, Bytes().byte(0x40).u32(0).byte(0x01).byte(0x00));
  c.section(10, 1, Bytes().byte(0x00).str("wasi:io/streams@0.2.3").byte(0x01).u32(0));
  CHECK(errOf(c.bytes()) == "");
}

TEST_CASE("extern names and semver-compatible versions", "[component]") {
  CHECK(isKebab("output-stream"));
  CHECK(isKebab("HTTP-client2"));
  CHECK_FALSE(isKebab("outputStream"));
  CHECK_FALSE(isKebab("a--b"));
  CHECK(checkExternName("[method]output-stream.write") == "");
  CHECK(checkExternName("[method]output-stream") == "failed to find `.` character");
  CHECK(checkExternName("wasi:cli/run@0.2.12") == "");
  CHECK(checkExternName("ns-1-a:b-1-c/D-2") == "");  // the interface label may be an acronym, ns and pkg not
  CHECK(checkExternName("ns:A/b") == "`ns:A/b` is not a valid extern name: `A` is not lowercase");
  CHECK(checkExternName("foo:bar:baz/qux") == "`foo:bar:baz/qux` is not a valid extern name: expected `/` after package name");
  CHECK(checkExternName("foo:bar/baz/qux") == "`foo:bar/baz/qux` is not a valid extern name: trailing characters found: `/qux`");
  CHECK(checkExternName("wasi:/") == "`wasi:/` is not a valid extern name: `` is not in kebab case");
  CHECK(versionCompatible("0.2.0", "0.2.12"));
  CHECK(versionCompatible("0.2.12", "0.2.3"));
  CHECK_FALSE(versionCompatible("0.2.0", "0.3.0"));
  CHECK(versionCompatible("1.2.0", "1.9.1"));
  CHECK_FALSE(versionCompatible("1.0.0", "2.0.0"));
  CHECK_FALSE(versionCompatible("0.0.1", "0.0.2"));
  auto n = splitVersion("wasi:io/streams@0.2.12");
  CHECK(n.base == "wasi:io/streams");
  CHECK(n.version == "0.2.12");
}

#ifdef MYRT_WASI_P2
TEST_CASE("real components decode and validate", "[component]") {
  namespace fs = std::filesystem;
  const fs::path root = MYRT_WASI_P2;
  if (!fs::exists(root / "wasi-testsuite-p2-adapted")) {
    WARN("no ../shared/wasi-p2: skipped");
    return;
  }
  size_t n = 0;
  for (const char* dir : {"wasi-testsuite-p2-adapted", "components"}) {
    for (auto& e : fs::recursive_directory_iterator(root / dir)) {
      if (e.path().extension() != ".wasm") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(e.path().string());
      auto c = loadComponent(bytes);
      CHECK(c.ok());
      if (!c) WARN(c.error().toString());
      ++n;
    }
  }
  CHECK(n >= 75);
}
#endif

TEST_CASE("GC core types in a component's core type section: rec groups, sub types, supertypes", "[component]") {
  auto coreTypes = [](uint32_t n, const Bytes& b) {
    ComponentBytes c;
    c.section(3, n, b);
    return errOf(c.bytes());
  };
  // rec (struct (field (ref null 1))) (struct) -- a reference forward within the group; then a non-final array
  // (0x00 0x50: a bare 0x50 is a module type) and a final sub type of it
  CHECK(coreTypes(3, Bytes()
                         .byte(0x4e).u32(2).byte(0x5f).u32(1).byte(0x63).byte(0x01).byte(0x00).byte(0x5f).u32(0)
                         .byte(0x00).byte(0x50).u32(0).byte(0x5e).byte(0x7f).byte(0x01)
                         .byte(0x4f).u32(1).u32(2).byte(0x5e).byte(0x7f).byte(0x01)) == "");
  CHECK(coreTypes(2, Bytes().byte(0x5e).byte(0x7f).byte(0x01).byte(0x4f).u32(1).u32(0).byte(0x5e).byte(0x7f).byte(0x01)) ==
        "sub type cannot have a final super type");
  CHECK(coreTypes(2, Bytes().byte(0x00).byte(0x50).u32(0).byte(0x5f).u32(0).byte(0x4f).u32(1).u32(0).byte(0x5e).byte(0x7f).byte(0x01)) ==
        "sub type must match super type");
  CHECK(coreTypes(1, Bytes().byte(0x5f).u32(1).byte(0x63).byte(0x05).byte(0x00)) ==
        "unknown type 5: type index out of bounds");
  CHECK(coreTypes(1, Bytes().byte(0x5e).byte(0x7f).byte(0x02)) == "malformed mutability");
}

TEST_CASE("async, thread and error-context built-ins decode and validate (running them is unsupported)", "[component]") {
  auto canon = [](const Bytes& b) {
    ComponentBytes c;
    c.section(8, 1, b);
    return errOf(c.bytes());
  };
  CHECK(canon(Bytes().byte(0x1f)) == "");              // waitable-set.new
  CHECK(canon(Bytes().byte(0x0c).byte(0x01)) == "");   // thread.yield cancellable
  CHECK(canon(Bytes().byte(0x24)) == "");              // backpressure.inc
  CHECK(canon(Bytes().byte(0x0a).byte(0x7f).u32(0)) == "");  // context.get i32 0
  CHECK(canon(Bytes().byte(0x0c).byte(0x02)) == "invalid boolean value");
  CHECK(canon(Bytes().byte(0x0a).byte(0x7f).u32(2)) == "context slot index 2 out of bounds");
  CHECK(canon(Bytes().byte(0x07)) == "invalid leading byte (0x7) for canonical function");
  CHECK(canon(Bytes().byte(0x2e)) == "invalid leading byte (0x2e) for canonical function");
  CHECK(canon(Bytes().byte(0x0e).u32(0)) == "type index out of bounds");  // stream.new needs a stream type
}
