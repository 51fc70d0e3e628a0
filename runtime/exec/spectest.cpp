// runtime/exec/spectest.cpp -- the `spectest` host module used by the official testsuite (print functions, globals,
// a table and a memory), built from host objects of the store.
// Layer: exec.
#include <cinttypes>

#include "runtime/exec/engine.h"

namespace myrt {

namespace {

void printValue(std::FILE* out, ValType t, const Value& v) {
  switch (t.kind) {
    case ValKind::I32: std::fprintf(out, "%" PRId32 " : i32\n", static_cast<int32_t>(v.i32)); break;
    case ValKind::I64: std::fprintf(out, "%" PRId64 " : i64\n", static_cast<int64_t>(v.i64)); break;
    case ValKind::F32: std::fprintf(out, "%g : f32\n", static_cast<double>(v.f32)); break;
    case ValKind::F64: std::fprintf(out, "%g : f64\n", v.f64); break;
    default: std::fprintf(out, "? : %s\n", toString(t).c_str()); break;
  }
}

}  // namespace

Instance* createSpectest(Store& store, std::FILE* out) {
  Instance* inst = store.newInstance();
  inst->name = "spectest";
  auto addFunc = [&](const char* name, std::vector<ValType> params) {
    CompositeType ft;
    ft.kind = CompKind::Func;
    ft.params = params;
    FuncInst* f = store.newHostFunc(std::move(ft), [out, params](ExecContext&, std::span<const Value> args,
                                                                 std::span<Value>) {
      if (out) {
        for (size_t i = 0; i < args.size(); ++i) printValue(out, params[i], args[i]);
        if (args.empty()) std::fprintf(out, "\n");
        std::fflush(out);
      }
      return TrapReason::None;
    });
    inst->funcs.push_back(f);
    inst->exports.emplace(name, Extern::of(f));
  };
  addFunc("print", {});
  addFunc("print_i32", {ValType::i32()});
  addFunc("print_i64", {ValType::i64()});
  addFunc("print_f32", {ValType::f32()});
  addFunc("print_f64", {ValType::f64()});
  addFunc("print_i32_f32", {ValType::i32(), ValType::f32()});
  addFunc("print_f64_f64", {ValType::f64(), ValType::f64()});

  auto addGlobal = [&](const char* name, ValType t, Value v) {
    GlobalInst* g = store.newGlobal(GlobalType{t, false}, v);
    inst->globals.push_back(g);
    inst->exports.emplace(name, Extern::of(g));
  };
  addGlobal("global_i32", ValType::i32(), Value::fromI32(666));
  addGlobal("global_i64", ValType::i64(), Value::fromI64(666));
  addGlobal("global_f32", ValType::f32(), Value::fromF32(666.6f));
  addGlobal("global_f64", ValType::f64(), Value::fromF64(666.6));

  TableType tt;
  tt.elem = ValType::funcref();
  tt.limits.min = 10;
  tt.limits.max = 20;
  if (auto t = store.newTable(tt, nullptr); t.ok()) {
    inst->tables.push_back(*t);
    inst->exports.emplace("table", Extern::of(*t));
  }
  TableType tt64 = tt;  // memory64 proposal: an i64-indexed table
  tt64.limits.is64 = true;
  if (auto t = store.newTable(tt64, nullptr); t.ok()) {
    inst->tables.push_back(*t);
    inst->exports.emplace("table64", Extern::of(*t));
  }
  MemoryType mt;
  mt.limits.min = 1;
  mt.limits.max = 2;
  if (auto m = store.newMemory(mt); m.ok()) {
    inst->memories.push_back(*m);
    inst->exports.emplace("memory", Extern::of(*m));
  }
  MemoryType smt = mt;  // threads proposal: a shared memory (1, 2 pages)
  smt.limits.shared = true;
  if (auto m = store.newMemory(smt); m.ok()) {
    inst->memories.push_back(*m);
    inst->exports.emplace("shared_memory", Extern::of(*m));
  }
  inst->syncData();
  store.registered["spectest"] = inst;
  return inst;
}

}  // namespace myrt
