// runtime/text/wat_component.h -- internal: the component text format's intermediate form, shared by
// wat_component.cpp (parsing + desugaring) and wat_component_encode.cpp (name resolution + binary encoding).
// Not a public header; the entry point is componentToBinary() in wat.h.
// Layer: text.
//
// The parser turns `(component ...)` text into a tree of Scopes holding Items in their final (desugared) order: inline
// type definitions become gensym'd `type` items placed before the item that used them, inline instance bundles become
// `instance` items before their instantiation, inline `(export "n")` clauses become export items at the end of the
// component -- the same expansion the reference tooling (wasm-tools) performs, so indices come out the same. An Item's
// body is its binary encoding with holes (Chunks) for references not yet resolved and for nested scopes. The encoder
// then walks the tree once: it resolves each reference (inserting the `alias` items implied by `(func $i "name")`-style
// export references and by $ids of enclosing scopes, exactly where wasm-tools inserts them), registers each item's
// definitions in its index spaces, groups consecutive items of one kind into a section and appends a
// `component-name` section built from the $ids.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/base/result.h"

namespace myrt::wat::comp {

// Index spaces of a component (also used inside component/instance/module types).
enum Ns : uint8_t {
  NCoreFunc, NCoreTable, NCoreMemory, NCoreGlobal, NCoreTag, NCoreType, NCoreModule, NCoreInstance,
  NFunc, NValue, NType, NComponent, NInstance, NCount, NNone = 0xFF
};

const char* nsName(Ns ns);  // "core func", "type", ...

// A reference as written: a number or an $id, with export names for `(func $i "a" "b")` / `(core func $i "f")`.
struct Ref {
  Ns ns = NNone;
  bool isNum = false;
  uint32_t num = 0;
  std::string id;
  std::vector<std::string> exports;
  bool s33 = false;    // a valtype's type index: encoded as a signed LEB (s33) like the type codes it shares bytes with
  int32_t outer = -1;  // explicit `(alias outer N $id ...)`: resolve $id N scopes out, with no implied alias
  size_t offset = 0;
};

struct Scope;

struct Chunk {
  enum Kind : uint8_t { Bytes, RefIdx, Nested };
  Kind kind = Bytes;
  std::vector<uint8_t> bytes;
  Ref ref;
  std::shared_ptr<Scope> scope;
};

// An item's encoding with holes.
struct Body {
  std::vector<Chunk> chunks;
  std::vector<uint8_t>& tail() {
    if (chunks.empty() || chunks.back().kind != Chunk::Bytes) chunks.emplace_back();
    return chunks.back().bytes;
  }
  void u8(uint8_t b) { tail().push_back(b); }
  void u32(uint64_t v) {
    auto& t = tail();
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      t.push_back(b);
    } while (v);
  }
  void str(std::string_view s) {
    u32(s.size());
    auto& t = tail();
    t.insert(t.end(), s.begin(), s.end());
  }
  void raw(const std::vector<uint8_t>& b) {
    auto& t = tail();
    t.insert(t.end(), b.begin(), b.end());
  }
  void ref(Ref r) {
    Chunk c;
    c.kind = Chunk::RefIdx;
    c.ref = std::move(r);
    chunks.push_back(std::move(c));
  }
  void nested(std::shared_ptr<Scope> s) {
    Chunk c;
    c.kind = Chunk::Nested;
    c.scope = std::move(s);
    chunks.push_back(std::move(c));
  }
};

// Item kinds = the component section ids (0 custom .. 11 export); inside types they map to declarator prefixes.
enum Sec : uint8_t {
  SCustom = 0, SCoreModule = 1, SCoreInstance = 2, SCoreType = 3, SComponent = 4, SInstance = 5, SAlias = 6,
  SType = 7, SCanon = 8, SStart = 9, SImport = 10, SExport = 11
};

struct Item {
  Sec sec = SCustom;
  Ns defines = NNone;             // index space that gets new entries
  std::vector<std::string> ids;   // one entry per new index ("" = no $id); gensyms start with '\x01'
  bool named = true;              // false: the ids go into no name section (start results)
  bool funcKey = false;           // a core func type of a module type (reused by equal inline signatures)
  size_t offset = 0;
  Body body;
};

struct Scope {
  enum Kind : uint8_t { Component, ComponentType, InstanceType, ModuleType };
  Kind kind = Component;
  std::string id;  // "" if none
  size_t offset = 0;
  std::vector<Item> items;
};

// Resolves names and encodes a component scope to its binary (preamble, sections, component-name section).
Result<std::vector<uint8_t>> encodeComponent(Scope& top);

}  // namespace myrt::wat::comp
