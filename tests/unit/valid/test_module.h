// tests/unit/valid/test_module.h -- builds small Module structs by hand (no decoder needed) for validator tests.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "runtime/valid/validator.h"
#include "runtime/wasm/module.h"

namespace myrt::test {

struct ModuleBuilder {
  Module m;

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    SubType st;
    st.comp.kind = CompKind::Func;
    st.comp.params = std::move(params);
    st.comp.results = std::move(results);
    st.recGroupStart = static_cast<uint32_t>(m.types.size());
    m.types.push_back(std::move(st));
    return static_cast<uint32_t>(m.types.size() - 1);
  }
  ByteRange bytes(const std::vector<uint8_t>& b) {
    ByteRange r{static_cast<uint32_t>(m.bytes.size()), static_cast<uint32_t>(b.size())};
    m.bytes.insert(m.bytes.end(), b.begin(), b.end());
    return r;
  }
  uint32_t func(uint32_t typeIdx, std::vector<ValType> locals, const std::vector<uint8_t>& body) {
    Func f;
    f.typeIndex = typeIdx;
    f.locals = std::move(locals);
    f.body = bytes(body);
    f.bodyStart = f.body.offset;
    m.funcs.push_back(std::move(f));
    return static_cast<uint32_t>(m.funcs.size() - 1);
  }
  uint32_t importFunc(uint32_t typeIdx) {
    Func f;
    f.typeIndex = typeIdx;
    f.imported = true;
    m.funcs.push_back(f);
    m.numImportedFuncs++;
    return static_cast<uint32_t>(m.funcs.size() - 1);
  }
  void memory(uint64_t min, bool is64 = false) {
    Memory mem;
    mem.type.limits.min = min;
    mem.type.limits.is64 = is64;
    m.memories.push_back(mem);
  }
  void table(ValType elem, uint64_t min = 1) {
    Table t;
    t.type.elem = elem;
    t.type.limits.min = min;
    m.tables.push_back(t);
  }
  uint32_t global(ValType t, bool mut, const std::vector<uint8_t>& init) {
    Global g;
    g.type = {t, mut};
    g.init = bytes(init);
    m.globals.push_back(g);
    return static_cast<uint32_t>(m.globals.size() - 1);
  }
  uint32_t tag(uint32_t typeIdx) {
    m.tags.push_back(Tag{typeIdx, false});
    return static_cast<uint32_t>(m.tags.size() - 1);
  }
  Status validate(bool wasm2 = false) const {
    ValidateOptions o;
    o.wasm2Only = wasm2;
    return validateModule(m, o);
  }
};

// Validates a module with one function of type [params] -> [results] and the given body; returns "" if valid,
// else the error message.
inline std::string bodyError(ModuleBuilder& b, std::vector<ValType> params, std::vector<ValType> results,
                             std::vector<ValType> locals, const std::vector<uint8_t>& body) {
  uint32_t t = b.type(std::move(params), std::move(results));
  b.func(t, std::move(locals), body);
  Status s = b.validate();
  return s.ok() ? std::string() : s.error().message;
}
inline std::string bodyError(std::vector<ValType> params, std::vector<ValType> results, std::vector<ValType> locals,
                             const std::vector<uint8_t>& body) {
  ModuleBuilder b;
  return bodyError(b, std::move(params), std::move(results), std::move(locals), body);
}

inline bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace myrt::test
