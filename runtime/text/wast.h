// runtime/text/wast.h -- the WAST script format (the spec testsuite's .wast files) -> a list of script commands.
// Layer: text (depends on base, wasm; text modules are encoded with watToBinary from wat.h). This is the script level
// only: module bodies stay source text / bytes until ScriptModule::encode(); running the commands is the job of a
// runner (cli/wast_runner.cpp today, the execution engine later). Parse errors carry the byte offset into the script.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/text/wat.h"
#include "runtime/wasm/types.h"

namespace myrt::wast {

// A module as written in a script: `(module $id? ...)`, `(module $id? binary "..."*)`, `(module $id? quote "..."*)`,
// each optionally with `definition` after `module`.
struct ScriptModule {
  enum class Form : uint8_t { Text, Binary, Quote };
  Form form = Form::Text;
  bool component = false;           // `(component ...)`: a component (component-model scripts), not a core module
  std::optional<std::string> name;  // "$m" (with the dollar sign), if given
  bool definition = false;          // `(module definition ...)`: defines without instantiating
  size_t offset = 0;                // script offset of the opening "(module"
  // Text: the `(module ...)` source with script-only keywords (`definition`) blanked out so that offsets stay valid;
  // text[0] is at script offset `offset`. Quote: the concatenated strings (module fields or a whole `(module ...)`).
  std::string text;
  std::vector<uint8_t> bytes;  // Binary: the concatenated strings

  // The binary encoding. Text/Quote go through watToBinary (componentToBinary for components). Error offsets of a Text module are script offsets; those of
  // Quote modules point at the module (the quoted text has no place in the script).
  Result<std::vector<uint8_t>> encode(const WatOptions& opts = {}) const;
};

enum class RefKind : uint8_t { Null, Func, Extern, Host, Any, Eq, I31, Struct, Array, Exn };
const char* toString(RefKind k);  // "ref.null", "ref.func", ...

enum class V128Shape : uint8_t { I8x16, I16x8, I32x4, I64x2, F32x4, F64x2 };
unsigned laneCount(V128Shape s);
const char* toString(V128Shape s);  // "i8x16", ...

// A concrete value: an argument of `invoke`, or part of an expected result.
struct Value {
  ValKind type = ValKind::I32;  // I32, I64, F32, F64, V128 or Ref
  uint64_t lo = 0, hi = 0;      // bit pattern: i32/f32 in the low 32 bits of lo, i64/f64 in lo, v128 lo | hi << 64
  // Ref: the kind, and for Null the heap type (any heap type if nullAnyHeap). refIndex is N of `ref.extern N`,
  // `ref.host N`, `ref.i31 N`, `ref.func N`; nullopt means "any reference of this kind".
  RefKind ref = RefKind::Null;
  HeapType heap{HeapKind::Func, 0};
  bool nullAnyHeap = false;  // `(ref.null)` without a heap type (results only)
  std::optional<uint32_t> refIndex;
};

enum class NumPattern : uint8_t { Exact, NanCanonical, NanArithmetic };

struct LanePattern {
  NumPattern pat = NumPattern::Exact;
  uint64_t bits = 0;  // lane bits (zero-extended) when Exact
};

// An expected result of `assert_return`.
struct Expected {
  enum class Kind : uint8_t {
    Value,   // exactly `value` (numbers, v128 given as exact bits, reference patterns per Value::ref)
    Nan,     // f32/f64 (value.type) NaN: `nan` is NanCanonical or NanArithmetic
    Lanes,   // v128 with per-lane patterns (some lane is a NaN pattern): `shape` + `lanes`
    Either,  // any of `either`
  };
  Kind kind = Kind::Value;
  Value value;
  NumPattern nan = NumPattern::Exact;
  V128Shape shape = V128Shape::I32x4;
  std::vector<LanePattern> lanes;
  std::vector<Expected> either;
};

// A component-model value, as written in component scripts: `(bool.const true)`, `(u8.const 1)` .. `(s64.const -1)`,
// `(f32.const 1.5)`, `(f64.const nan)`, `(char.const "c")`, `(str.const "..")`, `(list.const v*)`, `(tuple.const v*)`,
// `(record.const (field "name" v)*)`, `(variant.const "case" v?)`, `(enum.const "case")`, `(flags.const "a"*)`,
// `(option.none)`, `(option.some v)`, `(result.ok v?)`, `(result.err v?)`.
struct CompValue {
  enum class Kind : uint8_t {
    Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
    List, Tuple, Record, Variant, Enum, Flags, Option, Result
  };
  Kind kind = Kind::Bool;
  uint64_t bits = 0;               // numbers (two's complement / IEEE bits), Bool 0/1, Char: the code point;
                                   // Option: 1 = some; Result: 1 = err
  std::string str;                 // String; Variant/Enum: the case
  std::vector<std::string> names;  // Record: field names (parallel to items); Flags: the flags set
  std::vector<CompValue> items;    // List/Tuple/Record elements; Variant/Option/Result: the payload (0 or 1)
};
const char* toString(CompValue::Kind k);  // "u32", "record", ...

struct Action {
  enum class Kind : uint8_t { Invoke, Get };
  Kind kind = Kind::Invoke;
  std::optional<std::string> module;  // "$m" or nullopt for the current module
  std::string name;                   // export name (decoded string)
  std::vector<Value> args;            // Invoke only (core modules)
  bool component = false;             // the target is a component: arguments are in compArgs
  std::vector<CompValue> compArgs;    // Invoke of a component export
};

enum class CommandKind : uint8_t {
  Module,                // `module` / `component` (incl. definitions; module.component tells which)
  ModuleInstance,        // `(module instance $i? $m)` / `(component instance $i? $c)` (module.component)
  Register,              // `(register "name" $m?)`
  Action,                // bare `invoke` / `get`
  AssertReturn,
  AssertTrap,            // action or module (instantiation trap)
  AssertExhaustion,
  AssertException,
  AssertInvalid,
  AssertMalformed,
  AssertUnlinkable,
  AssertUninstantiable,
  Thread,                // `(thread $T (shared (module $M) ...)? command*)`: runs its commands on a thread of its own
  Wait,                  // `(wait $T)`: waits for thread $T to finish
  Unsupported,           // recognised but not supported: assert_*_custom, unknown keywords
};
const char* toString(CommandKind k);

struct Command {
  CommandKind kind = CommandKind::Unsupported;
  size_t offset = 0;        // script offset of the command's "("
  unsigned line = 1;        // 1-based line of `offset`
  std::string keyword;      // as written: "assert_return", "thread", ...
  bool hasModule = false;   // `module` is set (Module, assert_invalid/malformed/unlinkable/uninstantiable/trap)
  ScriptModule module;
  bool hasAction = false;   // `action` is set
  Action action;
  std::vector<Expected> expected;   // AssertReturn (core)
  std::vector<CompValue> compExpected;  // AssertReturn of a component export (action.component)
  std::string message;              // assert_* failure text; Register: the name registered as
  std::optional<std::string> name;  // Register: the module; ModuleInstance: the instance name; Thread/Wait: the thread
  std::optional<std::string> of;    // ModuleInstance: the module definition instantiated
  std::vector<std::string> shared;  // Thread: the named modules (instances) the thread may use
  std::vector<Command> body;        // Thread: its commands; name: the thread's name (Wait: the thread waited for)
};

struct Script {
  std::vector<Command> commands;
};

// Parses a whole script. A syntax error in the script structure stops parsing (Error.offset = script offset);
// errors inside text modules are not seen here (they surface from ScriptModule::encode()).
Result<Script> parseScript(std::string_view text);

// 1-based line of a script offset.
unsigned lineOf(std::string_view text, size_t offset);

}  // namespace myrt::wast
