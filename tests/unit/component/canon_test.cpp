// tests/unit/component/canon_test.cpp -- the Canonical ABI through real instantiation and calls, on every tier:
// strings (utf8, utf16, latin1+utf16), lists of records, records through memory, variants with joined flat types,
// enums, flags, chars, options, resources (new/rep/drop, own/borrow, destructors), a host import, and the traps.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "runtime/component/runtime.h"
#include "engine/tiers.h"
#include "runtime/text/wat.h"

using namespace myrt;
using namespace myrt::component;

namespace {

std::shared_ptr<const Component> loadInput(const char* name) {
  std::ifstream in(std::string(MYRT_SOURCE_DIR) + "/tests/unit/component/inputs/" + name, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto c = loadComponent(bytes);
  if (!c) FAIL(c.error().toString());
  return *c;
}

struct Fixture {
  std::unique_ptr<Store> store;
  Linker linker;
  ComponentInstance* inst = nullptr;
  int hostCalls = 0;
  explicit Fixture(Tier t) {
    store = std::move(makeStore(t).value());
    linker.func("host-concat", [this](HostCall&, std::span<const Val> args, Val* result) {
      ++hostCalls;
      *result = Val::string(args[0].str + "+" + args[1].str);
      return TrapReason::None;
    });
    auto i = instantiate(*store, loadInput("canon.wasm"), linker);
    if (!i) FAIL(i.error().toString());
    inst = *i;
  }
  Val call(const char* name, std::vector<Val> args, std::string* trap = nullptr) {
    ComponentFunc* f = findFunc(*inst, "", name);
    REQUIRE(f);
    Val r;
    InvokeResult res = component::call(*store, *f, args, &r);
    if (trap) *trap = res.trap ? res.trap->message : "";
    else if (res.trap) FAIL(std::string(name) + ": " + res.trap->message);
    return r;
  }
};

// A component written in the text format, instantiated on a store of tier `t` with an empty linker (`inst` null and
// `error` set when that fails).
struct TextInstance {
  std::unique_ptr<Store> store;
  ComponentInstance* inst = nullptr;
  std::string error;
  explicit TextInstance(const std::string& text, Tier t = Tier::Interp) {
    auto bin = componentToBinary(text);
    if (!bin.ok()) {
      error = "text: " + bin.error().message;
      return;
    }
    auto c = loadComponent(bin.value());
    if (!c) {
      error = "load: " + c.error().message;
      return;
    }
    store = std::move(makeStore(t).value());
    Linker linker;
    auto i = instantiate(*store, *c, linker);
    if (i) inst = *i;
    else error = i.error().message;
  }
};

// Instantiates `text` on tier t and calls its root export `fn` (the instance and the export must exist).
InvokeResult callText(const std::string& text, Tier t, const char* fn, const std::vector<Val>& args, Val* result) {
  TextInstance ti(text, t);
  REQUIRE(ti.inst);
  ComponentFunc* f = findFunc(*ti.inst, "", fn);
  REQUIRE(f);
  return component::call(*ti.store, *f, args, result);
}

uint32_t dtorSum(Fixture& fx) {
  const auto& ci = *fx.inst->coreInstances[0];  // $libc
  return ci.at("dtor-sum").global->value.i32;
}

}  // namespace

TEST_CASE("canonical ABI: values round-trip on every tier", "[component]") {
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Fixture fx(t);
      CHECK(fx.call("len", {Val::string("hello")}).asU32() == 5);
      CHECK(fx.call("echo", {Val::string("grüße, 世界")}).str == "grüße, 世界");
      CHECK(fx.call("echo16", {Val::string("grüße, 世界 😀")}).str == "grüße, 世界 😀");
      CHECK(fx.call("echo-latin1", {Val::string("grüße")}).str == "grüße");  // latin1
      CHECK(fx.call("echo-latin1", {Val::string("世界")}).str == "世界");    // utf16 with the tag bit
      std::vector<Val> pts;
      for (int i = 0; i < 10; ++i) pts.push_back(Val::record({Val::s32(i), Val::s32(-2 * i)}));
      CHECK(fx.call("sum", {Val::list(pts)}).asS64() == -45);
      Val p = fx.call("make-point", {Val::s32(3), Val::s32(-4)});
      REQUIRE(p.elems.size() == 2);
      CHECK(p.elems[0].asS32() == 3);
      CHECK(p.elems[1].asS32() == -4);
      CHECK(fx.call("area", {Val::variant(0)}).asF32() == 0.0f);
      CHECK(fx.call("area", {Val::variant(1, Val::f32(1.5f))}).asF32() == 2.25f);
      CHECK(fx.call("area", {Val::variant(2, Val::record({Val::s32(6), Val::s32(7)}))}).asF32() == 42.0f);
      CHECK(fx.call("next-color", {Val::enumCase(2)}).index == 0);
      CHECK(fx.call("flip", {Val::flags(0b101)}).asU32() == 0b010);
      CHECK(fx.call("upper", {Val::chr('q')}).asU32() == 'Q');
      Val none = fx.call("opt-double", {Val::none()});
      CHECK(none.index == 0);
      Val some = fx.call("opt-double", {Val::some(Val::u32(21))});
      CHECK(some.index == 1);
      REQUIRE(some.payload());
      CHECK(some.payload()->asU32() == 42);
      // maps: list<tuple<K, V>> in memory (entry layout checked by the guest), lifted back as a Map of tuples
      Val m;
      m.kind = TK::Map;
      m.elems = {Val::tuple({Val::u8(200), Val::u64(1ull << 40)}), Val::tuple({Val::u8(3), Val::u64(4)})};
      CHECK(fx.call("map-sum", {m}).asU64() == 207 + (1ull << 40));
      Val ms;
      ms.kind = TK::Map;
      ms.elems = {Val::tuple({Val::string("k"), Val::u32(1)}), Val::tuple({Val::string("k"), Val::u32(2)})};
      Val back = fx.call("map-echo", {ms});
      CHECK(back.kind == TK::Map);
      REQUIRE(back.elems.size() == 2);
      CHECK(back.elems[1].kind == TK::Tuple);
      CHECK(back.elems[1].elems[0].str == "k");
      CHECK(back.elems[1].elems[1].asU32() == 2);
      // a host import called from the guest, with strings both ways
      CHECK(fx.call("call-host", {Val::string("ab")}).str == "ab+ab");
      CHECK(fx.hostCalls == 1);
    }
  }
}

TEST_CASE("canonical ABI: traps", "[component]") {
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Fixture fx(t);
      std::string trap;
      fx.call("bad-char", {}, &trap);
      CHECK(trap == "invalid `char` bit pattern");
      fx.call("bad-color", {}, &trap);
      CHECK(trap == "invalid variant discriminant (discriminant 7 out of range [0..3))");
      fx.call("unaligned", {}, &trap);
      CHECK(trap == "unaligned pointer");
      fx.call("len", {Val::u32(3)}, &trap);
      CHECK(trap == "host value of the wrong type: expected string, found u32");
      // lists of scalar records take the layout fast path: its kind and field-count checks
      fx.call("sum", {Val::list({Val::record({Val::s32(1), Val::s32(2)}), Val::record({Val::s32(1), Val::u32(2)})})}, &trap);
      CHECK(trap == "host value of the wrong type: expected s32, found u32");
      fx.call("sum", {Val::list({Val::record({Val::s32(1)})})}, &trap);
      CHECK(trap == "host value of the wrong type: wrong number of fields");
      fx.call("sum", {Val::list({Val::tuple({Val::s32(1), Val::s32(2)})})}, &trap);
      CHECK(trap == "host value of the wrong type: expected record, found tuple");
      fx.call("len", {}, &trap);
      CHECK(trap == "wrong number of arguments: expected 1, got 0");
      // the instance still works after traps
      CHECK(fx.call("len", {Val::string("abc")}).asU32() == 3);
    }
  }
}

TEST_CASE("canonical ABI: resources and handles", "[component]") {
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Fixture fx(t);
      Val r1 = fx.call("new-res", {Val::u32(7)});
      CHECK(r1.kind == TK::Own);
      CHECK(r1.rep() == 7);
      // a borrow of the guest's own resource reaches the guest as its rep (the owner gets the rep)
      CHECK(fx.call("res-value", {Val::borrow(r1.resource, 7)}).asU32() == 7);
      // own back into the guest: a new handle, dropped there: the destructor runs with the rep
      CHECK(fx.call("rep-of-new", {Val::u32(99)}).asU32() == 99);  // resource.new + resource.rep in the guest
      fx.call("drop-res", {r1});
      // the destructor ran with the rep: libc's dtor-sum global
      CHECK(dtorSum(fx) == 7);
      std::string trap;
      // another resource type's handle is rejected
      ResourceType other;
      fx.call("drop-res", {Val::own(&other, 1)}, &trap);
      CHECK(trap == "resource types are not the same");
    }
  }
}

TEST_CASE("imports with no run-time value (eq-bounded types, instances of them) need nothing from the host", "[component]") {
  auto inst = [](const std::string& text) { return TextInstance(text).error; };
  CHECK(inst("(component (type $t1 u64) (import \"a\" (type $t2 (eq $t1))) (import \"b\" (type (eq $t2))))") == "");
  CHECK(inst("(component (import \"a\" (instance (type $t1 u64) (export \"a\" (type $t2 (eq $t1)))"
             " (export \"b\" (type (eq $t2))) (export \"n\" (instance (export \"c\" (type (eq $t1))))))))") == "");
  // a resource or a function still has to come from somewhere
  CHECK(inst("(component (import \"a\" (instance (export \"r\" (type (sub resource))))))").find("unknown import: `a`") == 0);
  CHECK(inst("(component (import \"f\" (func)))").find("unknown import: `f`") == 0);
}

TEST_CASE("outer aliases of core modules: imported ones captured per instance, index spaces with imports", "[component]") {
  auto run = [](const std::string& text, const char* fn) -> std::string {
    TextInstance ti(text);
    if (!ti.inst) return "instantiate: " + ti.error;
    auto* store = ti.store.get();
    ComponentFunc* f = findFunc(*ti.inst, "", fn);
    if (!f) return "no function";
    Val r;
    InvokeResult res = component::call(*store, *f, {}, &r);
    return res.trap ? "trap: " + res.trap->message : std::to_string(r.asU32());
  };
  // a nested component exported from an instance keeps the module its enclosing instance was given
  const std::string captured =
      "(component (component $C (import \"m\" (core module $M (export \"get\" (func (result i32)))))"
      " (component $Inner (core instance $m (instantiate $M))"
      " (func (export \"get\") (result u32) (canon lift (core func $m \"get\"))))"
      " (export \"inner\" (component $Inner)))"
      " (core module $M1 (func (export \"get\") (result i32) (i32.const 410)))"
      " (core module $M2 (func (export \"get\") (result i32) (i32.const 420)))"
      " (instance $c1 (instantiate $C (with \"m\" (core module $M1))))"
      " (instance $c2 (instantiate $C (with \"m\" (core module $M2))))"
      " (alias export $c1 \"inner\" (component $I1)) (alias export $c2 \"inner\" (component $I2))"
      " (instance $i1 (instantiate $I1)) (instance $i2 (instantiate $I2))"
      " (func (export \"get-1\") (alias export $i1 \"get\")) (func (export \"get-2\") (alias export $i2 \"get\")))";
  CHECK(run(captured, "get-1") == "410");
  CHECK(run(captured, "get-2") == "420");
  // module index 1 after an imported module 0: the outer alias finds the defined module
  const std::string afterImport =
      "(component (component $C (import \"m\" (core module $M))"
      " (core module $D (func (export \"get\") (result i32) (i32.const 7)))"
      " (component $Inner (alias outer $C $D (core module $D2)) (core instance $d (instantiate $D2))"
      " (func (export \"get\") (result u32) (canon lift (core func $d \"get\"))))"
      " (instance $i (instantiate $Inner)) (export \"get\" (func $i \"get\")))"
      " (core module $E) (instance $c (instantiate $C (with \"m\" (core module $E))))"
      " (func (export \"get\") (alias export $c \"get\")))";
  CHECK(run(afterImport, "get") == "7");
}

TEST_CASE("an exception escaping core code called by the canonical ABI traps at the component boundary", "[component]") {
  const std::string text =
      "(component (component $A (core module $m (tag $t) (func (export \"f\") (throw $t)))"
      " (core instance $i (instantiate $m)) (func (export \"f\") (canon lift (core func $i \"f\"))))"
      " (component $B (import \"f\" (func $f)) (core func $f-core (canon lower (func $f)))"
      " (core module $m (import \"\" \"f\" (func $f))"
      "  (func (export \"run\") (result i32) (block $caught (try_table (catch_all $caught) (call $f)) (return (i32.const 1)))"
      "   (i32.const 2)))"  // 2: the exception unwound into $B
      " (core instance $i (instantiate $m (with \"\" (instance (export \"f\" (func $f-core))))))"
      " (func (export \"run\") (result u32) (canon lift (core func $i \"run\"))))"
      " (instance $a (instantiate $A)) (instance $b (instantiate $B (with \"f\" (func $a \"f\"))))"
      " (export \"run\" (func $b \"run\")))";
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Val r;
      InvokeResult res = callText(text, t, "run", {}, &r);
      REQUIRE(res.trap);
      CHECK(res.trap->message == "uncaught exception propagated out of component");
    }
  }
}

TEST_CASE("string lowering follows the Canonical ABI's realloc sequence (worst case, then shrink)", "[component]") {
  // the guest counts its realloc calls; each lifted function returns the count after its string was lowered
  auto lift = [](const char* name, const char* enc) {
    return std::string("(func (export \"") + name + "\") (param \"s\" string) (result u32) (canon lift (core func $m \"count\")" +
           " string-encoding=" + enc + " (memory (core memory $m \"mem\")) (realloc (core func $m \"realloc\"))))";
  };
  const std::string text =
      "(component (core module $m (memory (export \"mem\") 1) (global $n (mut i32) (i32.const 0))"
      " (global $bump (mut i32) (i32.const 64))"
      " (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (local $p i32)"
      "  (global.set $n (i32.add (global.get $n) (i32.const 1)))"
      "  (local.set $p (global.get $bump)) (global.set $bump (i32.add (global.get $bump) (i32.const 64))) (local.get $p))"
      " (func (export \"count\") (param i32 i32) (result i32) (local $c i32) (local.set $c (global.get $n))"
      "  (global.set $n (i32.const 0)) (local.get $c)))"
      " (core instance $m (instantiate $m)) " +
      lift("utf8", "utf8") + lift("utf16", "utf16") + lift("latin1", "latin1+utf16") + ")";
  TextInstance ti(text);
  REQUIRE(ti.inst);
  auto count = [&](const char* fn, const char* s) {
    Val r;
    std::vector<Val> args{Val::string(s)};
    InvokeResult res = component::call(*ti.store, *findFunc(*ti.inst, "", fn), args, &r);
    return res.trap ? -1 : int(r.asU32());
  };
  CHECK(count("utf8", "\xc3\xa9t\xc3\xa9") == 1);    // utf8 -> utf8: a copy, one allocation
  CHECK(count("utf16", "ab") == 1);                  // utf8 -> utf16: worst case 4 bytes is exact
  CHECK(count("utf16", "\xc3\xa9") == 2);            // worst case 4 bytes, then shrunk to 2
  CHECK(count("latin1", "ab") == 1);                 // utf8 -> latin1+utf16: latin1 fits exactly
  CHECK(count("latin1", "\xc3\xa9") == 2);           // 2 units allocated, shrunk to 1 latin1 byte
  CHECK(count("latin1", "\xe4\xb8\x96") == 3);       // 3 bytes as latin1, grown to utf16's worst case 6, shrunk to 2
}

namespace {

// Component $B (strings in encoding e1) passes a string to component $A (e2) and returns what $A echoes: the argument
// is lifted lazily from $B's memory and transcoded straight into $A's by $A's lowering, the result likewise from $A's
// memory into $B's before $A's post-return overwrites it; $A counts its realloc calls.
std::string stringPairText(const std::string& e1, const std::string& e2) {
  const std::string realloc =  // a bump allocator that keeps the contents (shrink in place, copy on grow)
      " (global $bump (mut i32) (i32.const 1024)) (global $n (mut i32) (i32.const 0))"
      " (func (export \"realloc\") (param $old i32) (param $oldSize i32) (param $align i32) (param $new i32) (result i32)"
      "  (local $p i32) (global.set $n (i32.add (global.get $n) (i32.const 1)))"
      "  (if (i32.and (i32.ne (local.get $old) (i32.const 0)) (i32.le_u (local.get $new) (local.get $oldSize)))"
      "   (then (return (local.get $old))))"
      "  (local.set $p (global.get $bump))"
      "  (global.set $bump (i32.and (i32.add (i32.add (global.get $bump) (local.get $new)) (i32.const 7)) (i32.const -8)))"
      "  (memory.copy (local.get $p) (local.get $old) (local.get $oldSize)) (local.get $p))";
  auto opts = [](const std::string& enc, const char* inst) {
    return " string-encoding=" + enc + " (memory (core memory " + inst + " \"mem\")) (realloc (core func " + inst +
           " \"realloc\"))";
  };
  return "(component"
         " (component $A (core module $m (memory (export \"mem\") 1)" + realloc +
         "  (func (export \"echo\") (param i32 i32) (result i32)"
         "   (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1)) (i32.const 0))"
         "  (func (export \"count\") (result i32) (local $c i32) (local.set $c (global.get $n)) (global.set $n (i32.const 0))"
         "   (local.get $c))"
         // post-return overwrites the returned string: the caller must have lowered it already (spec order)
         "  (func (export \"scribble\") (param i32) (memory.fill (i32.load (i32.const 0)) (i32.const 0xff)"
         "   (i32.and (i32.load (i32.const 4)) (i32.const 0x7fffffff)))))"
         "  (core instance $i (instantiate $m))"
         "  (func (export \"echo\") (param \"s\" string) (result string) (canon lift (core func $i \"echo\")" + opts(e2, "$i") +
         "   (post-return (core func $i \"scribble\"))))"
         "  (func (export \"count\") (result u32) (canon lift (core func $i \"count\"))))"
         " (instance $a (instantiate $A))"
         " (component $B (import \"echo\" (func $echo (param \"s\" string) (result string)))"
         "  (core module $libc (memory (export \"mem\") 1)" + realloc + ")"
         "  (core instance $libc (instantiate $libc))"
         "  (core func $echo (canon lower (func $echo)" + opts(e1, "$libc") + "))"
         "  (core module $main (import \"\" \"echo\" (func $echo (param i32 i32 i32))) (import \"\" \"mem\" (memory 1))"
         "   (func (export \"run\") (param i32 i32) (result i32) (call $echo (local.get 0) (local.get 1) (i32.const 8))"
         "    (i32.const 8))"
         // one invalid code unit: the byte 0xff (utf8) or the unpaired surrogate 0xd8ff (utf16)
         "   (func (export \"bad\") (result i32) (i32.store16 (i32.const 512) (i32.const 0xd8ff))"
         "    (call $echo (i32.const 512) (i32.const 1) (i32.const 8)) (i32.const 8))"
         "   (func (export \"pass\") (param i32 i32) (result i32) (call $echo (local.get 0) (local.get 1) (i32.const 8))"
         "    (i32.const 8)))"
         "  (core instance $main (instantiate $main (with \"\" (instance (export \"echo\" (func $echo))"
         "   (export \"mem\" (memory $libc \"mem\"))))))"
         "  (func (export \"run\") (param \"s\" string) (result string) (canon lift (core func $main \"run\")" +
         opts(e1, "$libc") + "))"
         "  (func (export \"bad\") (result string) (canon lift (core func $main \"bad\")" + opts(e1, "$libc") + "))"
         "  (func (export \"pass\") (param \"p\" u32) (param \"n\" u32) (result string)"
         "   (canon lift (core func $main \"pass\")" + opts(e1, "$libc") + ")))"
         " (instance $b (instantiate $B (with \"echo\" (func $a \"echo\"))))"
         " (export \"run\" (func $b \"run\")) (export \"bad\" (func $b \"bad\")) (export \"pass\" (func $b \"pass\"))"
         " (export \"count\" (func $a \"count\")))";
}

}  // namespace

TEST_CASE("strings between components: lifted lazily, realloc first, transcoded from the source memory", "[component]") {
  // (results too: lowered into the caller before the callee's post-return, which overwrites them)
  const char* encs[3] = {"utf8", "utf16", "latin1+utf16"};
  // the callee's realloc calls for "a\u00e9\u4e16\U0001F600" (utf8 10 bytes, utf16 5 units; no latin1 form) and
  // "a\u00e9" (latin1 in a latin1+utf16 caller), per caller (row) and callee (column) encoding: store_string's
  // sequences (a copy: 1; the worst case then a shrink: 2; optimistic, grown, shrunk: 3)
  const int wide[3][3] = {{1, 2, 3}, {3, 1, 2}, {3, 1, 1}};
  const int narrow[3][3] = {{1, 2, 2}, {3, 1, 1}, {3, 1, 1}};
  const std::string wideText = "a\xc3\xa9\xe4\xb8\x96\xf0\x9f\x98\x80", narrowText = "a\xc3\xa9";
  for (Tier t : availableTiers()) {
    for (int e1 = 0; e1 < 3; ++e1) {
      for (int e2 = 0; e2 < 3; ++e2) {
        DYNAMIC_SECTION("tier " << tierName(t) << ", " << encs[e1] << " -> " << encs[e2]) {
          TextInstance ti(stringPairText(encs[e1], encs[e2]), t);
          REQUIRE(ti.inst);
          auto call = [&](const char* fn, std::vector<Val> args, std::string* trap = nullptr) {
            Val r;
            InvokeResult res = component::call(*ti.store, *findFunc(*ti.inst, "", fn), args, &r);
            if (trap) *trap = res.trap ? res.trap->message : "";
            else if (res.trap) FAIL(std::string(fn) + ": " + res.trap->message);
            return r;
          };
          CHECK(call("run", {Val::string(wideText)}).str == wideText);
          CHECK(call("count", {}).asU32() == uint32_t(wide[e1][e2]));
          CHECK(call("run", {Val::string(narrowText)}).str == narrowText);
          CHECK(call("count", {}).asU32() == uint32_t(narrow[e1][e2]));
          if (e1 < 2) {
            // invalid text traps while the callee's lowering reads it: after its first realloc (wasmtime's order)
            std::string trap;
            call("bad", {}, &trap);
            CHECK(trap.find(e1 == 0 ? "invalid utf-8 sequence" : "invalid utf-16 string: unpaired surrogate") !=
                  std::string::npos);
            CHECK(call("count", {}).asU32() == 1);
          }
        }
      }
    }
  }
}

TEST_CASE("string lengths above 2^31-1 bytes trap when lifted, before any realloc", "[component]") {
  // MAX_STRING_BYTE_LENGTH as wasmtime (2^31-1), checked before the bounds; then the bounds, also before the realloc
  auto trapOf = [](const char* e1, uint32_t units) {
    TextInstance ti(stringPairText(e1, "utf8"));
    REQUIRE(ti.inst);
    std::vector<Val> args{Val::u32(0), Val::u32(units)};
    Val r;
    InvokeResult res = component::call(*ti.store, *findFunc(*ti.inst, "", "pass"), args, &r);
    std::vector<Val> none;
    CHECK(!component::call(*ti.store, *findFunc(*ti.inst, "", "count"), none, &r).trap);
    CHECK(r.asU32() == 0);  // the callee's realloc was not called
    return res.trap ? res.trap->message : std::string("no trap");
  };
  CHECK(trapOf("utf16", 0x40000000) == "string content out-of-bounds (string byte length above 2^31-1)");
  CHECK(trapOf("utf8", 0x80000000) == "string content out-of-bounds (string byte length above 2^31-1)");
  CHECK(trapOf("latin1+utf16", 0xc0000000) == "string content out-of-bounds (string byte length above 2^31-1)");
  CHECK(trapOf("utf16", 0x3fffffff) == "string content out-of-bounds (string pointer/length out of bounds of memory)");
  CHECK(trapOf("utf8", 0x7fffffff) == "string content out-of-bounds (string pointer/length out of bounds of memory)");
}

TEST_CASE("a lifted string changed by the host is lowered from its text, not its recorded source size", "[component]") {
  Fixture fx(Tier::Interp);
  Val v = fx.call("echo16", {Val::string("ab")});
  CHECK(v.srcEncoding == uint8_t(StringEncoding::Utf16));
  CHECK(v.srcUnits == 2);
  v.str = "a much longer text than before, with \xc3\xa9 and \xf0\x9f\x98\x80";
  CHECK(fx.call("echo16", {v}).str == v.str);
  CHECK(fx.call("echo-latin1", {v}).str == v.str);
  CHECK(fx.call("echo", {v}).str == v.str);
}

TEST_CASE("the `gc` canonical option: scalar values across a gc lift and a gc lower; other values unsupported", "[component]") {
  // $A lifts with gc, $B lowers with gc (core-type given) and lifts linearly: u32 and f64 cross both boundaries.
  const std::string text =
      "(component (component $A (core module $m (func (export \"f\") (param i32 f64) (result i32)"
      "  (i32.add (local.get 0) (i32.trunc_f64_s (local.get 1)))))"
      " (core instance $i (instantiate $m))"
      " (func (export \"f\") (param \"a\" u32) (param \"b\" f64) (result u32) (canon lift (core func $i \"f\") gc)))"
      " (component $B (import \"f\" (func $f (param \"a\" u32) (param \"b\" f64) (result u32)))"
      " (core type $ty (func (param i32 f64) (result i32)))"
      " (core func $f-core (canon lower (func $f) gc (core-type $ty)))"
      " (core module $m (import \"\" \"f\" (func $f (param i32 f64) (result i32)))"
      "  (func (export \"run\") (param i32) (result i32) (call $f (local.get 0) (f64.const 2.5))))"
      " (core instance $i (instantiate $m (with \"\" (instance (export \"f\" (func $f-core))))))"
      " (func (export \"run\") (param \"x\" u32) (result u32) (canon lift (core func $i \"run\"))))"
      " (instance $a (instantiate $A)) (instance $b (instantiate $B (with \"f\" (func $a \"f\"))))"
      " (export \"run\" (func $b \"run\")))";
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Val r;
      InvokeResult res = callText(text, t, "run", {Val::u32(40)}, &r);
      REQUIRE(!res.trap);
      CHECK(r.asU32() == 42);
    }
  }
  auto load = [](const std::string& text) { return TextInstance(text).error; };
  const std::string m = "(core module $m (func (export \"f\") (param i32 i32))) (core instance $i (instantiate $m))";
  CHECK(load("(component " + m + " (func (param \"s\" string) (canon lift (core func $i \"f\") gc)))")
            .find("unsupported: the `gc` canonical option with non-scalar values") != std::string::npos);
  CHECK(load("(component (import \"f\" (func $f (param \"a\" u32))) (core type $ty (func (param i64)))"
             " (core func (canon lower (func $f) gc (core-type $ty))))")
            .find("canonical option `core-type` (func (param i64)) does not match the lowered function type") !=
        std::string::npos);
  CHECK(load("(component (import \"f\" (func $f)) (core type $ty (func)) (core func (canon lower (func $f) (core-type $ty))))")
            .find("cannot specify `core-type` without `gc`") != std::string::npos);
}

TEST_CASE("canonical options with a 64-bit memory: i64 pointers and lengths, 16-byte (ptr, len) pairs", "[component]") {
  // echo: string in (i64 ptr, i64 len), the result through a 16-byte return area; total: list<tuple<u8, string>>
  // laid out with 24-byte elements (u8 at 0, string's ptr at 8 and len at 16) -> the sum of the u8s and lengths.
  const std::string text =
      "(component (core module $m (memory (export \"mem\") i64 1)"
      " (global $next (mut i64) (i64.const 1024))"
      " (func $realloc (export \"realloc\") (param i64 i64 i64 i64) (result i64) (local $r i64)"  // shrinks in place
      "  (if (i32.and (i64.le_u (local.get 3) (local.get 1)) (i64.ne (local.get 0) (i64.const 0)))"
      "   (then (return (local.get 0))))"
      "  (local.set $r (i64.and (i64.add (global.get $next) (i64.const 7)) (i64.const -8)))"
      "  (global.set $next (i64.add (local.get $r) (local.get 3)))"
      "  (memory.copy (local.get $r) (local.get 0) (local.get 1)) (local.get $r))"
      " (func (export \"echo\") (param i64 i64) (result i64)"
      "  (i64.store (i64.const 16) (local.get 0)) (i64.store (i64.const 24) (local.get 1)) (i64.const 16))"
      " (func (export \"total\") (param $p i64) (param $n i64) (result i64) (local $s i64)"
      "  (block $done (loop $l (br_if $done (i64.eqz (local.get $n)))"
      "   (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $p))))"
      "   (local.set $s (i64.add (local.get $s) (i64.load offset=16 (local.get $p))))"
      "   (local.set $p (i64.add (local.get $p) (i64.const 24)))"
      "   (local.set $n (i64.sub (local.get $n) (i64.const 1))) (br $l)))"
      "  (local.get $s)))"
      " (core instance $i (instantiate $m))"
      " (func (export \"echo\") (param \"s\" string) (result string)"
      "  (canon lift (core func $i \"echo\") (memory (core memory $i \"mem\")) (realloc (core func $i \"realloc\"))))"
      " (func (export \"echo-latin1\") (param \"s\" string) (result string) (canon lift (core func $i \"echo\")"
      "  string-encoding=latin1+utf16 (memory (core memory $i \"mem\")) (realloc (core func $i \"realloc\"))))"
      " (func (export \"total\") (param \"l\" (list (tuple u8 string))) (result u64)"
      "  (canon lift (core func $i \"total\") (memory (core memory $i \"mem\")) (realloc (core func $i \"realloc\")))))";
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Val r;
      InvokeResult res = callText(text, t, "echo", {Val::string("grüße, 世界")}, &r);
      REQUIRE(!res.trap);
      CHECK(r.str == "grüße, 世界");
      for (const char* str : {"grüße", "世界 😀"}) {  // latin1, then UTF-16 (the tag in bit 63 of the i64 length)
        res = callText(text, t, "echo-latin1", {Val::string(str)}, &r);
        REQUIRE(!res.trap);
        CHECK(r.str == str);
        CHECK(r.srcUnits == (std::string(str) == "grüße" ? 5u : (5u | 0x80000000u)));
      }
      std::vector<Val> items{Val::tuple({Val::u8(7), Val::string("abc")}), Val::tuple({Val::u8(30), Val::string("hello")})};
      res = callText(text, t, "total", {Val::list(items)}, &r);
      REQUIRE(!res.trap);
      CHECK(r.asU64() == 7 + 3 + 30 + 5);
    }
  }
  auto load = [](const std::string& text) { return TextInstance(text).error; };
  // realloc must take and return the memory's address type; the lifted core function i64 pointers
  CHECK(load("(component (core module $m (memory (export \"mem\") i64 1)"
             " (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (i32.const 0))"
             " (func (export \"f\") (param i64 i64)))"
             " (core instance $i (instantiate $m)) (func (param \"s\" string) (canon lift (core func $i \"f\")"
             " (memory (core memory $i \"mem\")) (realloc (core func $i \"realloc\")))))")
            .find("canonical option `realloc` uses a core function with an incorrect signature") != std::string::npos);
  CHECK(load("(component (core module $m (memory (export \"mem\") i64 1)"
             " (func (export \"realloc\") (param i64 i64 i64 i64) (result i64) (i64.const 0))"
             " (func (export \"f\") (param i32 i32)))"
             " (core instance $i (instantiate $m)) (func (param \"s\" string) (canon lift (core func $i \"f\")"
             " (memory (core memory $i \"mem\")) (realloc (core func $i \"realloc\")))))")
            .find("lowered function type (func (param i64 i64)) does not match") != std::string::npos);
}

TEST_CASE("async built-ins and async lifts validate; calling them traps as unsupported", "[component]") {
  const std::string text =
      "(component (core func $ws (canon waitable-set.new))"
      " (core module $m (import \"\" \"ws\" (func $ws (result i32)))"
      "  (func (export \"run\") (result i32) (call $ws)) (func (export \"f\")))"
      " (core instance $i (instantiate $m (with \"\" (instance (export \"ws\" (func $ws))))))"
      " (func (export \"run\") (result u32) (canon lift (core func $i \"run\")))"
      " (func (export \"f\") async (canon lift (core func $i \"f\") async)))";
  for (Tier t : availableTiers()) {
    DYNAMIC_SECTION("tier " << tierName(t)) {
      Val r;
      InvokeResult res = callText(text, t, "run", {}, &r);
      REQUIRE(res.trap);
      CHECK(res.trap->message == "unsupported: component-model async (the `waitable-set.new` built-in)");
      res = callText(text, t, "f", {}, &r);
      REQUIRE(res.trap);
      CHECK(res.trap->message == "unsupported: component-model async (calling an `async` lifted function)");
    }
  }
  // the async option needs an async function type
  CHECK(TextInstance("(component (core module $m (func (export \"f\"))) (core instance $i (instantiate $m))"
                     " (func (canon lift (core func $i \"f\") async)))")
            .error.find("the `async` canonical option requires an async function type") != std::string::npos);
}
