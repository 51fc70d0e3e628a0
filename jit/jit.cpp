// jit/jit.cpp -- the JIT tier: lazy whole-instance compilation on the first call, entry swapping, interpreter
// fallback per function, the native stack limit. See jit.h.
#include "jit/jit.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "jit/common/code_memory.h"
#include "jit/common/perf_map.h"
#include "runtime/exec/signals.h"
#include "runtime/interp/interp.h"

#if defined(__x86_64__)
#include "jit/x64/compiler.h"
#define MYRT_JIT_X64 1
#endif

namespace myrt {

namespace jit {
namespace {

// The machine code of one instance's functions: one W^X block, registered with the signal handler (a fault of a
// guarded memory access in it becomes a trap of the function found by `lookup`). Shared by the functions' JitFuncCode.
struct JitBlock {
  CodeMemory memory;
  std::vector<uintptr_t> starts;  // sorted code addresses of the functions, and their FuncInsts
  std::vector<const FuncInst*> funcs;
  uintptr_t rangeHandle = 0;
  ~JitBlock() {
    if (rangeHandle) unregisterCodeRange(rangeHandle);
  }
  // Async-signal-safe (reads immutable vectors).
  static bool lookup(void* user, uintptr_t pc, CodeLocation* out) {
    const JitBlock* b = static_cast<const JitBlock*>(user);
    size_t lo = 0, hi = b->starts.size();
    while (hi - lo > 1) {
      const size_t mid = (lo + hi) / 2;
      if (b->starts[mid] <= pc) lo = mid;
      else hi = mid;
    }
    if (b->starts.empty() || pc < b->starts[lo]) return false;
    out->func = b->funcs[lo];
    out->wasmOffset = 0;
    return true;
  }
};

// The OSR entry of a function's machine code (x64::ModuleCompiler::OsrInfo).
using OsrRaw = TrapReason (*)(ExecContext* cx, FuncInst* f, Value* io, const void* target, uint64_t slots);
struct OsrLoop {
  uint32_t wasmOffset = 0;
  uint32_t slots = 0;
  const void* target = nullptr;
};

struct JitFuncCode : TierCode {
  std::shared_ptr<JitBlock> block;
  FuncEntry raw = nullptr;  // the machine code (same signature as an entry)
  OsrRaw osrRaw = nullptr;  // auto tier: the OSR entry (nullptr: the function has no loops, or compiled for --tier=jit)
  std::vector<OsrLoop> osrLoops;  // by wasm offset
  uint64_t osrEntries = 0;  // interpreter frames that continued in this code (jit::osrEntries)
};

// The entry of compiled functions: runs the machine code inside a wasm activation (exec/signals.h), so a fault of an
// unchecked access to a guarded memory comes back here as MemoryOutOfBounds. Calls from JIT code that is already
// running inside a compiled activation of the same context go straight to the machine code.
TrapReason trampolineEntry(ExecContext& cx, FuncInst& f, Value* io);

// With `loop` set, enters through the OSR entry at that loop instead of the function's entry.
[[gnu::noinline]] TrapReason runActivation(ExecContext& cx, FuncInst& f, Value* io, FuncEntry raw,
                                           const OsrLoop* loop = nullptr) {
  WasmActivation act;
  act.cx = &cx;
  act.kind = WasmActivation::Kind::Compiled;
  const uint32_t savedDepth = cx.depth;
  Value* const savedSp = cx.sp;
  void* const savedFrames = cx.jitFrames;
  pushActivation(act);
  if (sigsetjmp(act.recover, 0) != 0) {
    popActivation(act);
    // the backtrace: the JIT frames linked since this activation began (innermost first)
    for (void** link = static_cast<void**>(cx.jitFrames); link && link != savedFrames; link = static_cast<void**>(link[1]))
      cx.addFrame(*static_cast<const FuncInst*>(link[0]));
    cx.depth = savedDepth;
    cx.sp = savedSp;
    cx.jitFrames = savedFrames;
    return TrapReason::MemoryOutOfBounds;
  }
  const TrapReason r =
      loop ? static_cast<const JitFuncCode*>(f.jitCode.get())->osrRaw(&cx, &f, io, loop->target, loop->slots)
           : raw(cx, f, io);
  popActivation(act);
  return r;
}

TrapReason trampolineEntry(ExecContext& cx, FuncInst& f, Value* io) {
  const FuncEntry raw = static_cast<const JitFuncCode*>(f.jitCode.get())->raw;
  const WasmActivation* cur = currentActivation();
  if (cur && cur->kind == WasmActivation::Kind::Compiled && cur->cx == &cx) return raw(cx, f, io);
  return runActivation(cx, f, io, raw);
}

bool verbose();

// On-stack replacement (StoreConfig::osr, see store.h): the interpreter frame `fp` of f at a taken back-edge to the loop
// at `loopOffset` continues in f's machine code at that loop's head. The interpreter runs inside its own activation,
// so the machine code gets a compiled one (faults in it come back as traps with its frames).
bool osrEnter(ExecContext& cx, FuncInst& f, uint32_t loopOffset, Value* fp, TrapReason* reason) {
  auto* jc = static_cast<JitFuncCode*>(f.jitCode.get());
  if (!jc || !jc->osrRaw) return false;
  const auto it = std::lower_bound(jc->osrLoops.begin(), jc->osrLoops.end(), loopOffset,
                                   [](const OsrLoop& l, uint32_t o) { return l.wasmOffset < o; });
  if (it == jc->osrLoops.end() || it->wasmOffset != loopOffset) return false;
  if (jc->osrEntries++ == 0 && verbose())
    std::fprintf(stderr, "jit: OSR of function %u at the loop at offset %u\n", f.index, loopOffset);
  *reason = runActivation(cx, f, fp, jc->raw, &*it);
  return true;
}

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

CompileStats compileInstance(Instance& inst) { return compileInstanceFrom(inst, &lazyEntry); }

CompileStats compileInstanceFrom(Instance& inst, FuncEntry from, bool osrEntries) {
  CompileStats st;
#if MYRT_JIT_X64
  if (!inst.module) return st;
  const Module& m = *inst.module;
  x64::ModuleCompiler mc(inst);
  std::vector<uint8_t> code;
  struct Entry {
    FuncInst* f;
    size_t offset;
    size_t size;
    x64::ModuleCompiler::OsrInfo osr;
  };
  std::vector<Entry> compiled;
  std::vector<x64::ModuleCompiler::CallFixup> fixups;
  std::vector<size_t> fixupBase;  // code offset of the calling function, per fixup
  for (FuncInst* f : inst.funcs) {
    if (!f || f->instance != &inst || f->entry != from) continue;
    while (code.size() % 16) code.push_back(0xCC);
    const size_t at = code.size();
    x64::ModuleCompiler::OsrInfo osr;
    Status s = mc.compile(f->index, code, &fixups, osrEntries ? &osr : nullptr);
    fixupBase.resize(fixups.size(), at);
    if (!s.ok()) {
      code.resize(at);
      f->entry = interpreterEntry();
      ++st.fallbacks;
      if (verbose()) std::fprintf(stderr, "jit: function %u runs in the interpreter: %s\n", f->index, s.error().message.c_str());
      continue;
    }
    compiled.push_back({f, at, code.size() - at, std::move(osr)});
    ++st.functions;
    st.bodyBytes += m.funcs[f->index].body.size;
  }
  if (compiled.empty()) return st;
  // link: direct calls go to the callee's code, or through the entry stub when it has none
  const size_t stubAt = code.size();
  x64::ModuleCompiler::appendCallViaEntryStub(code);
  std::vector<size_t> codeOf(m.funcs.size(), stubAt);
  for (const Entry& e : compiled) codeOf[e.f->index] = e.offset + x64::ModuleCompiler::kDirectEntryOffset;
  for (size_t i = 0; i < fixups.size(); ++i) {
    const size_t site = fixupBase[i] + fixups[i].offset;
    const int32_t rel = static_cast<int32_t>(static_cast<int64_t>(codeOf[fixups[i].calleeIndex]) - int64_t(site + 4));
    std::memcpy(code.data() + site, &rel, 4);
  }
  if (const char* dump = std::getenv("MYRT_JIT_DUMP")) {  // diagnostics: objdump -D -b binary -mi386:x86-64 FILE
    if (std::FILE* df = std::fopen(dump, "wb")) {
      std::fwrite(code.data(), 1, code.size(), df);
      std::fclose(df);
    }
  }
  auto block = std::make_shared<JitBlock>();
  uint8_t* p = block->memory.allocateWritable(code.size());
  if (!p || (std::memcpy(p, code.data(), code.size()), !block->memory.makeExecutable())) {
    for (const Entry& e : compiled) e.f->entry = interpreterEntry();
    return st;
  }
  st.machineBytes = code.size();
  for (const Entry& e : compiled) {
    block->starts.push_back(reinterpret_cast<uintptr_t>(p + e.offset));
    block->funcs.push_back(e.f);
  }
  block->rangeHandle = registerCodeRange(p, p + code.size(), &JitBlock::lookup, block.get());
  if (!block->rangeHandle && !inst.memories.empty() && inst.memories[0]->guarded) {
    // unchecked accesses need the signal handler to know this code: without that, stay in the interpreter
    for (const Entry& e : compiled) e.f->entry = interpreterEntry();
    st.fallbacks += st.functions;
    st.functions = 0;
    return st;
  }
  for (const Entry& e : compiled) {
    auto fc = std::make_unique<JitFuncCode>();
    fc->block = block;
    fc->raw = reinterpret_cast<FuncEntry>(p + e.offset);
    if (e.osr.entryOffset) {
      fc->osrRaw = reinterpret_cast<OsrRaw>(p + e.offset + e.osr.entryOffset);
      for (const auto& l : e.osr.loops) fc->osrLoops.push_back({l.wasmOffset, l.slots, p + e.offset + l.codeOffset});
      std::sort(fc->osrLoops.begin(), fc->osrLoops.end(),
                [](const OsrLoop& a, const OsrLoop& b) { return a.wasmOffset < b.wasmOffset; });
    }
    e.f->jitCode = std::move(fc);
    e.f->entry = &trampolineEntry;
    perfMapAdd(p + e.offset, e.size, &m, e.f->index);
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
  std::vector<x64::ModuleCompiler::CallFixup> fixups;
  for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) {
    const size_t at = code.size();
    if (!mc.compile(i, code, &fixups).ok()) {
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

uint64_t osrEntries(const FuncInst& f) {
  const auto* jc = dynamic_cast<const JitFuncCode*>(f.jitCode.get());
  return jc ? jc->osrEntries : 0;
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

// The auto tier's tier-up (called by the interpreter at a poll of a hot function `f`, on the store's thread):
// compiles every function of f's instance that is still interpreted and swaps their entries. Interpreter frames
// running now finish in the interpreter; new calls go to the machine code. Each instance tiers up once (functions
// the JIT cannot compile stay interpreted and are not counted again).
void tierUpInstance(ExecContext& cx, FuncInst& f) {
  if (cx.stackLimit == 0) cx.stackLimit = threadStackLimit();
  Instance* inst = f.instance;
  f.hotness = kNoTierUp;
  if (!inst) return;
  for (FuncInst* g : inst->funcs)
    if (g && g->instance == inst) g->hotness = kNoTierUp;
  const CompileStats st = compileInstanceFrom(*inst, interpreterEntry(), /*osrEntries=*/true);
  if (verbose())
    std::fprintf(stderr, "jit: tier-up of function %u: %llu functions compiled, %llu stay interpreted\n", f.index,
                 static_cast<unsigned long long>(st.functions), static_cast<unsigned long long>(st.fallbacks));
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

uint32_t defaultTierUpThreshold() {
  static const uint32_t v = [] {
    const char* e = std::getenv("MYRT_TIER_UP_THRESHOLD");
    if (e && *e) {
      char* end = nullptr;
      const unsigned long n = std::strtoul(e, &end, 10);
      if (end && *end == 0 && n >= 1 && n < kNoTierUp) return static_cast<uint32_t>(n);
    }
    return kDefaultTierUpThreshold;
  }();
  return v;
}

bool osrEnabled() {
  static const bool v = [] {
    const char* e = std::getenv("MYRT_OSR");
    return !(e && std::strcmp(e, "0") == 0);
  }();
  return v;
}

StoreConfig autoConfig(const StoreLimits& limits, uint32_t threshold) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = interpreterEntry();
  c.tierUp = &jit::tierUpInstance;
  c.tierUpThreshold = threshold ? threshold : defaultTierUpThreshold();
  c.osr = osrEnabled() ? &jit::osrEnter : nullptr;
  return c;
}

StoreConfig jitConfig(const StoreLimits& limits) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = jitEntry();
  return c;
}

}  // namespace myrt
