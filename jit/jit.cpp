// jit/jit.cpp -- the JIT tier: lazy whole-instance compilation on the first call, entry swapping, interpreter
// fallback per function, the native stack limit. See jit.h.
#include "jit/jit.h"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "jit/common/code_memory.h"
#include "runtime/interp/interp.h"

#if defined(__x86_64__)
#include "jit/x64/compiler.h"
#define MYRT_JIT_X64 1
#endif

namespace myrt {

namespace jit {
namespace {

// The machine code of one instance's functions (one W^X block), shared by their FuncInsts.
struct JitFuncCode : TierCode {
  std::shared_ptr<CodeMemory> memory;
};

bool verbose() {
  static const bool v = [] {
    const char* e = std::getenv("MYRT_JIT_VERBOSE");
    return e && *e && std::strcmp(e, "0") != 0;
  }();
  return v;
}

// Lowest usable address of the current thread's stack plus a margin for host frames (helpers, the interpreter, host
// functions) below the last JIT frame checked.
uintptr_t threadStackLimit() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* addr = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || !addr) return 0;
  constexpr size_t kMargin = 256 * 1024;
  return size > 2 * kMargin ? reinterpret_cast<uintptr_t>(addr) + kMargin : 0;
}

TrapReason lazyEntry(ExecContext& cx, FuncInst& f, Value* io);

}  // namespace

CompileStats compileInstance(Instance& inst) {
  CompileStats st;
#if MYRT_JIT_X64
  if (!inst.module) return st;
  const Module& m = *inst.module;
  x64::ModuleCompiler mc(inst);
  std::vector<uint8_t> code;
  struct Entry {
    FuncInst* f;
    size_t offset;
  };
  std::vector<Entry> compiled;
  for (FuncInst* f : inst.funcs) {
    if (!f || f->instance != &inst || f->entry != &lazyEntry) continue;
    while (code.size() % 16) code.push_back(0xCC);
    const size_t at = code.size();
    Status s = mc.compile(f->index, code);
    if (!s.ok()) {
      code.resize(at);
      f->entry = interpreterEntry();
      ++st.fallbacks;
      if (verbose()) std::fprintf(stderr, "jit: function %u runs in the interpreter: %s\n", f->index, s.error().message.c_str());
      continue;
    }
    compiled.push_back({f, at});
    ++st.functions;
    st.bodyBytes += m.funcs[f->index].body.size;
  }
  if (compiled.empty()) return st;
  auto mem = std::make_shared<CodeMemory>();
  uint8_t* p = mem->allocateWritable(code.size());
  if (!p) {
    for (const Entry& e : compiled) e.f->entry = interpreterEntry();
    return st;
  }
  std::memcpy(p, code.data(), code.size());
  if (!mem->makeExecutable()) {
    for (const Entry& e : compiled) e.f->entry = interpreterEntry();
    return st;
  }
  st.machineBytes = code.size();
  for (const Entry& e : compiled) {
    auto fc = std::make_unique<JitFuncCode>();
    fc->memory = mem;
    e.f->code = std::move(fc);
    e.f->entry = reinterpret_cast<FuncEntry>(p + e.offset);
  }
#else
  (void)inst;
#endif
  return st;
}

CompileStats compileForMeasurement(Instance& inst) {
  CompileStats st;
#if MYRT_JIT_X64
  if (!inst.module) return st;
  const Module& m = *inst.module;
  x64::ModuleCompiler mc(inst);
  std::vector<uint8_t> code;
  for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) {
    const size_t at = code.size();
    if (!mc.compile(i, code).ok()) {
      code.resize(at);
      ++st.fallbacks;
      continue;
    }
    ++st.functions;
    st.bodyBytes += m.funcs[i].body.size;
  }
  st.machineBytes = code.size();
#else
  (void)inst;
#endif
  return st;
}

Status compileCheck(Instance& inst, uint32_t funcIndex) {
#if MYRT_JIT_X64
  x64::ModuleCompiler mc(inst);
  std::vector<uint8_t> code;
  return mc.compile(funcIndex, code);
#else
  (void)inst;
  (void)funcIndex;
  return Error("unsupported: JIT on this architecture");
#endif
}

namespace {

TrapReason lazyEntry(ExecContext& cx, FuncInst& f, Value* io) {
  if (cx.stackLimit == 0) cx.stackLimit = threadStackLimit();
  if (f.instance) compileInstance(*f.instance);
  if (f.entry == &lazyEntry) f.entry = interpreterEntry();  // not compilable here (no module)
  return f.entry(cx, f, io);
}

}  // namespace
}  // namespace jit

bool jitAvailable() {
#if MYRT_JIT_X64
  return jit::x64::cpuSupported();
#else
  return false;
#endif
}

FuncEntry jitEntry() { return &jit::lazyEntry; }

StoreConfig jitConfig(const StoreLimits& limits) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = jitEntry();
  return c;
}

}  // namespace myrt
