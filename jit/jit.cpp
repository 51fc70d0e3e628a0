// jit/jit.cpp -- the JIT tier: lazy whole-instance compilation on the first call, entry swapping, interpreter
// fallback per function. See jit.h.
#include "jit/jit.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "jit/aot.h"
#include "jit/common/backend.h"
#include "jit/common/code_memory.h"
#include "jit/common/compile_service.h"
#include "jit/common/perf_map.h"
#include "runtime/exec/signals.h"
#include "runtime/interp/interp.h"

namespace myrt {

namespace jit {
namespace {

// The backend for this CPU, or nullptr (no backend for this ISA, or the CPU lacks what it needs).
const Backend* backend() {
  static const Backend* const b = [] {
    const Backend* h = hostBackend();
    return h && h->cpuSupported() ? h : nullptr;
  }();
  return b;
}

// The machine code of one instance's functions: one W^X block, registered with the signal handler (a fault of a
// guarded memory access in it becomes a trap of the function found by `lookup`). Shared by the functions' JitFuncCode.
struct JitBlock {
  CodeMemory memory;
  std::vector<uintptr_t> starts;  // sorted code addresses of the functions, and their FuncInsts
  std::vector<const FuncInst*> funcs;
  // Per function: its code map (FunctionCompiler::sites: call return addresses and guarded accesses, machine offsets
  // from the function's start, ascending; a site covers the code up to the next one) -- sites[siteStart[i],
  // siteStart[i + 1]), one array for the block rather than one allocation per function -- and where a guarded
  // access's fault resumes (0: none).
  std::vector<CodeSite> sites;
  std::vector<uint32_t> siteStart;  // funcs.size() + 1 entries
  std::vector<uint32_t> faultLandings;
  int faultOffsetRegister = -1;  // the backend's trap protocol (Backend::faultOffsetRegister)
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
    const uintptr_t rel = pc - b->starts[lo];
    const CodeSite* sites = b->sites.data() + b->siteStart[lo];
    size_t l = 0, h = b->siteStart[lo + 1] - b->siteStart[lo];
    while (l < h) {  // the last site at or before `rel`
      const size_t mid = (l + h) / 2;
      if (sites[mid].machineOffset <= rel) l = mid + 1;
      else h = mid;
    }
    if (l > 0 && sites[l - 1].wasmOffset != kNoWasmOffset) {
      out->wasmOffset = sites[l - 1].wasmOffset;
      if (b->faultLandings[lo]) {
        out->resumePc = b->starts[lo] + b->faultLandings[lo];
        out->resumeRegister = b->faultOffsetRegister;
      }
    }
    return true;
  }
};

// The OSR entry of a function's machine code (backend.h OsrInfo).
using OsrRaw = TrapReason (*)(ExecContext* cx, FuncInst* f, Value* io, const void* target, uint64_t slots);
struct OsrTarget {
  uint32_t wasmOffset = 0;
  uint32_t slots = 0;
  const void* target = nullptr;
};

struct JitFuncCode : TierCode {
  std::shared_ptr<JitBlock> block;
  FuncEntry raw = nullptr;  // the machine code (same signature as an entry)
  OsrRaw osrRaw = nullptr;  // auto tier: the OSR entry (nullptr: the function has no loops, or compiled for --tier=jit)
  std::vector<OsrTarget> osrLoops;  // by wasm offset
  uint64_t osrEntries = 0;  // interpreter frames that continued in this code (jit::osrEntries)
  std::shared_ptr<const StackMaps> gcMaps;  // GC stack maps (walkJitFrames); null: frames scanned conservatively
  // The auto tier's optimized code keeps the baseline code it replaced: frames of that code may still run (and call
  // the optimizing tier's helper), interpreter frames still enter it by OSR (osrRaw and osrLoops point into it), and
  // its block stays registered for faults. Freed with the function.
  std::unique_ptr<TierCode> replaced;
  bool optimized = false;  // compiled by the optimizing tier
  // The auto tier: the optimizing tier's OSR versions of this function (loop wasm offset, entry), in their own blocks.
  std::vector<std::pair<uint32_t, const void*>> osrVersions;
  std::vector<std::shared_ptr<JitBlock>> osrBlocks;
};

// Compiled and linked machine code of a set of functions of one instance, not installed yet (compileFuncs, any
// thread); installCompiled swaps the entries (store's thread).
struct CompiledCode {
  struct Func {
    FuncInst* f;
    size_t offset;  // in the block
    size_t size;
    OsrInfo osr;  // offsets relative to the function's start
    uint32_t faultLanding = 0;
    bool optimized = false;  // compiled by the optimizing tier
    std::shared_ptr<const StackMaps> gcMaps = nullptr;
  };
  std::vector<Func> funcs;                                    // compiled
  std::vector<std::pair<FuncInst*, std::string>> fallbacks;   // not compilable (unsupported instruction): why
  std::shared_ptr<JitBlock> block;                            // null: nothing compiled, or `failure`
  uint8_t* base = nullptr;                                    // the block's code
  std::string failure;                                        // why compiled functions cannot run (no memory ...)
  CompileStats stats;
  bool keepCode = false;                                      // keep a copy of the linked bytes in `code` (tests)
  std::vector<uint8_t> code;
  bool portable = false;                                      // also `ptrs` and `typeIds` (compilePortable)
  std::vector<PtrSite> ptrs;                                  // block offsets of embedded addresses
  std::vector<TypeIdSite> typeIds;                            // and of embedded canonical type ids
};

// The entry of compiled functions: runs the machine code inside a wasm activation (exec/signals.h), so a fault of an
// unchecked access to a guarded memory comes back here as MemoryOutOfBounds. Calls from JIT code that is already
// running inside a compiled activation of the same context go straight to the machine code.
TrapReason trampolineEntry(ExecContext& cx, FuncInst& f, Value* io);

// ExecContext::jitFrameWalker: the JIT frames of the context (the jitFrames links, innermost first) whose function
// has stack maps report the slots of the map of the safepoint they are stopped at (its index in scratch slot 1,
// stored before every call and every helper call that may collect) and their range; the others (no maps: modules
// without GC types, code loaded from a cache or a precompiled artifact, the optimizing tier) are left to the
// conservative scan. The frame link is scratch slot 0, [fp-16, fp) (jit/common/baseline_masm.h).
void walkJitFrames(const ExecContext& cx, std::vector<Value*>& slots, std::vector<std::pair<Value*, Value*>>& covered,
                   uint64_t& unmapped) {
  for (void* const* link = static_cast<void* const*>(cx.jitFrames); link; link = static_cast<void* const*>(link[1])) {
    const auto* f = static_cast<const FuncInst*>(link[0]);
    const auto* jc = static_cast<const JitFuncCode*>(f->jitCode.get());
    const StackMaps* g = jc ? jc->gcMaps.get() : nullptr;
    if (!g) continue;
    Value* fp = reinterpret_cast<Value*>(const_cast<void**>(link) + 2);
    uint32_t site;
    std::memcpy(&site, reinterpret_cast<const char*>(fp) - 32, sizeof site);
    if (site >= g->count()) {
      ++unmapped;  // (not expected) scanned conservatively
      continue;
    }
    g->collect(site, fp, slots);
    covered.emplace_back(fp + g->frameLow, fp + g->frameHigh);
  }
}

// With `loop` set, enters through the OSR entry at that loop instead of the function's entry.
[[gnu::noinline]] TrapReason runActivation(ExecContext& cx, FuncInst& f, Value* io, FuncEntry raw,
                                           const OsrTarget* loop = nullptr) {
  cx.jitFrameWalker = &walkJitFrames;
  WasmActivation act;
  act.cx = &cx;
  act.kind = WasmActivation::Kind::Compiled;
  const uint32_t savedDepth = cx.depth;
  Value* const savedSp = cx.sp;
  void* const savedFrames = cx.jitFrames;
  pushActivation(act);
  if (sigsetjmp(act.recover, 0) != 0) {
    popActivation(act);
    // the backtrace: the JIT frames linked since this activation began (innermost first). Faults at recorded
    // accesses resume in the code's own trap path instead (signals.h), so this is a fallback: only the faulting
    // frame's offset is known.
    uint32_t off = act.faultLocation.wasmOffset;
    for (void** link = static_cast<void**>(cx.jitFrames); link && link != savedFrames; link = static_cast<void**>(link[1])) {
      cx.addFrame(*static_cast<const FuncInst*>(link[0]), off);
      off = kNoWasmOffset;
    }
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
  ++cx.tierCalls.jitEntries;
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
                                   [](const OsrTarget& l, uint32_t o) { return l.wasmOffset < o; });
  if (it == jc->osrLoops.end() || it->wasmOffset != loopOffset) return false;
  ++cx.tierCalls.osr;
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

TrapReason lazyEntry(ExecContext& cx, FuncInst& f, Value* io);

// Room for the machine code of all defined functions (about 3.5 bytes per wasm byte, plus the fixed per-function
// code), so that appending each function's code does not reallocate and copy the buffer as it grows.
size_t machineCodeEstimate(const Module& m) {
  size_t n = 0;
  for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) n += 4 * size_t(m.funcs[i].body.size) + 512;
  return n;
}

}  // namespace

namespace {

// One function's machine code before linking (offsets relative to its start).
struct FuncCode {
  std::vector<uint8_t> bytes;
  std::vector<CallFixup> fixups;
  OsrInfo osr;
  std::vector<CodeSite> sites;  // code map (FunctionCompiler::sites)
  uint32_t faultLanding = 0;
  std::vector<PtrSite> ptrs;  // portable compiles only (FunctionCompiler::ptrSites, typeIdSites)
  std::vector<TypeIdSite> typeIds;
  std::string error;  // non-empty: not compiled (the reason)
  bool optimized = false;  // by the optimizing tier (FunctionCompiler::optimized)
  std::shared_ptr<const StackMaps> gcMaps;  // FunctionCompiler::gcMaps
};

// Compiles funcs[i] into out[i] on `jobs` threads (the calling thread is one of them), each with its own
// FunctionCompiler of backend `be`; the functions are handed out one at a time in order. Reads only what is immutable after
// instantiation (jit.h), so it may run on any thread. Small sets compile on the calling thread alone (a thread start
// would cost more than it saves).
// This is one window [begin, end) of a larger compile of `totalBytes` of wasm code, `doneBefore` of them compiled
// already (progress; the one-thread rule looks at the whole compile); out[i - begin] gets funcs[i].
// With `optOnly`, every function is compiled by the optimizing tier or refused (its error: the reason).
void compileEach(const Backend& be, Instance& inst, const std::vector<FuncInst*>& all, size_t begin, size_t end,
                 unsigned jobs, bool osrEntries, bool portable, bool optOnly, uint32_t osrLoop, uint64_t totalBytes,
                 uint64_t doneBefore, std::vector<FuncCode>& out) {
  const std::span<FuncInst* const> funcs(all.data() + begin, end - begin);
  out.assign(funcs.size(), FuncCode{});
  const Module& m = *inst.module;
  const uint64_t bytes = totalBytes;
  if (bytes < kParallelCompileMinBytes) jobs = 1;
  jobs = static_cast<unsigned>(std::min<size_t>(std::max(jobs, 1u), funcs.size()));
  std::atomic<size_t> next{0};
  // MYRT_JIT_REJECT=N (tests of the fallback checks): function N of every module is "not compilable".
  static const long reject = [] {
    const char* e = std::getenv("MYRT_JIT_REJECT");
    return e && *e ? std::strtol(e, nullptr, 10) : -1L;
  }();
  std::atomic<uint64_t> done{doneBefore};
  // --tier=opt (StoreConfig::optimize): the optimizing tier's compiler, which hands what it does not support to the
  // baseline compiler; not for OSR entries (the auto tier) nor precompiled artifacts (their relocations).
  const bool optimize =
      optOnly || (!osrEntries && !portable && be.newOptCompiler && inst.store && inst.store->config().optimize);
  const auto* progress = inst.store && inst.store->config().compileProgress ? &inst.store->config().compileProgress
                                                                            : nullptr;
  auto work = [&] {
    std::unique_ptr<FunctionCompiler> mc;
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < funcs.size();) {
      Status st = Error("out of memory");
      try {  // on any thread: a failed host allocation leaves this function interpreted
        if (!mc) {
          mc = optimize && be.newOptCompiler ? be.newOptCompiler(inst) : be.newCompiler(inst);
          if (optOnly) mc->setBaselineFallback(false);
          if (osrLoop != UINT32_MAX) mc->setOsrLoop(osrLoop);
        }
        st = long(funcs[i]->index) == reject
                 ? Status(Error("rejected by MYRT_JIT_REJECT (a test of the fallback checks)"))
                 : mc->compile(funcs[i]->index, out[i].bytes, &out[i].fixups, osrEntries ? &out[i].osr : nullptr);
        if (st.ok()) {
          out[i].sites = mc->sites();
          out[i].faultLanding = mc->faultLanding();
          out[i].optimized = mc->optimized();
          out[i].gcMaps = mc->gcMaps();
          if (portable) {
            out[i].ptrs = mc->ptrSites();
            out[i].typeIds = mc->typeIdSites();
          }
        }
      } catch (const std::bad_alloc&) {
        mc.reset();  // a fresh compiler for the next function
        st = Error("out of memory");
      }
      if (progress) {
        const uint64_t size = m.funcs[funcs[i]->index].body.size;
        (*progress)(done.fetch_add(size, std::memory_order_relaxed) + size, bytes);
      }
      if (!st.ok()) {
        out[i].bytes.clear();
        out[i].fixups.clear();
        out[i].error = st.error().message.empty() ? std::string("unknown error") : st.error().message;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) {
    try {
      threads.emplace_back(work);
    } catch (const std::exception&) {  // no thread (or no memory for one): the calling thread compiles the rest
      break;
    }
  }
  work();
  for (std::thread& t : threads) t.join();
}

// Compiles and links `funcs` (functions of `inst`) into one block; installs nothing. Any thread.
// With `osrEntries`, functions with loops also get an OSR entry (auto tier).
// Memory: the functions compile in windows of kCompileWindowBytes of wasm code (on `jobs` threads each) and each
// window's code goes straight into the block, which is mapped writable up front at an estimate of the final size
// (pages cost memory only once written; it grows by mremap if the estimate is short, and the unused tail is given
// back), so only one window's per-function buffers exist at a time -- not every function's buffer plus a contiguous
// copy plus the block, which made a whole-module compile cost three times its machine code at its peak.
constexpr uint64_t kCompileWindowBytes = 1024 * 1024;

// With `optOnly`, by the optimizing tier alone (the auto tier's third tier): what it refuses is a fallback; with
// `osrLoop` too, the functions' OSR versions for the loop at that wasm offset (FunctionCompiler::setOsrLoop).
// Direct calls go to the callee's code in the block, or through the call-via-entry stub -- always through the stub in
// the auto tier's baseline code when the store has a third tier, so that those calls reach a callee's optimized code
// once it is installed (FuncInst::jitDirectEntry).
CompiledCode compileFuncs(Instance& inst, const std::vector<FuncInst*>& funcs, unsigned jobs, bool osrEntries,
                          bool keepCode = false, bool portable = false, bool optOnly = false,
                          uint32_t osrLoop = UINT32_MAX) {
  CompiledCode cc;
  cc.keepCode = keepCode || portable;
  cc.portable = portable;
  const Backend* be = backend();
  if (!be || !inst.module || funcs.empty()) return cc;
  const Module& m = *inst.module;
  uint64_t total = 0;
  size_t capacity = 64;  // + the call-via-entry stub
  for (const FuncInst* f : funcs) {
    total += m.funcs[f->index].body.size;
    capacity += 4 * size_t(m.funcs[f->index].body.size) + 512;  // (machineCodeEstimate's rule)
  }
  auto block = std::make_shared<JitBlock>();
  block->faultOffsetRegister = be->faultOffsetRegister;
  uint8_t* p = block->memory.allocateWritable(capacity);
  capacity = block->memory.size();
  // room for `n` more bytes at `used`; false when the block cannot grow
  size_t used = 0;
  auto room = [&](size_t n) {
    if (used + n <= capacity) return true;
    uint8_t* q = p ? block->memory.resizeWritable(std::max(capacity * 2, used + n)) : nullptr;
    if (!q) return false;
    p = q;
    capacity = block->memory.size();
    return true;
  };
  std::vector<CallFixup> fixups;  // offsets in the block
  std::vector<FuncCode> each;
  uint64_t done = 0;
  // layout as one sequential compile would make it: each function 16-byte aligned (int3 padding), in order
  for (size_t begin = 0; begin < funcs.size();) {
    size_t end = begin;
    uint64_t window = 0;
    while (end < funcs.size() && (end == begin || window < kCompileWindowBytes)) window += m.funcs[funcs[end++]->index].body.size;
    if (!p) {  // no block: what would be compiled stays interpreted
      for (size_t i = begin; i < end; ++i) cc.funcs.push_back({funcs[i], 0, 0, {}, 0});
      begin = end;
      continue;
    }
    compileEach(*be, inst, funcs, begin, end, jobs, osrEntries, cc.portable, optOnly, osrLoop, total, done, each);
    done += window;
    for (size_t i = begin; i < end; ++i) {
      FuncCode& fc = each[i - begin];
      if (!fc.error.empty()) {
        cc.fallbacks.push_back({funcs[i], std::move(fc.error)});
        continue;
      }
      const size_t at = (used + 15) & ~size_t(15);
      if (p && !room(at - used + fc.bytes.size())) p = nullptr;
      if (p) {
        std::memset(p + used, be->padByte, at - used);
        std::memcpy(p + at, fc.bytes.data(), fc.bytes.size());
        used = at + fc.bytes.size();
        for (const CallFixup& fx : fc.fixups) fixups.push_back({static_cast<uint32_t>(at + fx.offset), fx.calleeIndex});
        block->siteStart.push_back(static_cast<uint32_t>(block->sites.size()));  // (cc.funcs' order)
        block->sites.insert(block->sites.end(), fc.sites.begin(), fc.sites.end());
        for (const PtrSite& ps : fc.ptrs) cc.ptrs.push_back({static_cast<uint32_t>(at + ps.machineOffset), ps.value});
        for (const TypeIdSite& t : fc.typeIds) cc.typeIds.push_back({static_cast<uint32_t>(at + t.machineOffset), t.typeIndex});
      }
      cc.funcs.push_back({funcs[i], at, fc.bytes.size(), std::move(fc.osr), fc.faultLanding, fc.optimized,
                          std::move(fc.gcMaps)});
      cc.stats.bodyBytes += m.funcs[funcs[i]->index].body.size;
      if (fc.optimized) ++cc.stats.optimized;
    }
    each.clear();  // this window's buffers: reused by the next window's
    begin = end;
  }
  cc.stats.functions = cc.funcs.size();
  cc.stats.fallbacks = cc.fallbacks.size();
  if (cc.funcs.empty()) return cc;
  // link: direct calls go to the callee's code, or through the entry stub when it has none
  std::vector<uint8_t> stub;
  be->appendCallViaEntryStub(stub);
  if (!p || !room(stub.size()) || used > UINT32_MAX) {
    cc.failure = "no executable memory";
    return cc;
  }
  const size_t stubAt = used;
  std::memcpy(p + used, stub.data(), stub.size());
  used += stub.size();
  std::vector<size_t> codeOf(m.funcs.size(), stubAt);
  // (an OSR version is not its function's entry: its recursive calls go to the function through the stub too)
  const bool viaStub = (osrEntries && inst.store && inst.store->config().optTierUp) || osrLoop != UINT32_MAX;
  if (!viaStub)
    for (const CompiledCode::Func& e : cc.funcs) codeOf[e.f->index] = e.offset + be->directEntryOffset;
  for (const CallFixup& fx : fixups)
    be->patchCall(p, fx.offset, fx.calleeIndex == kCallViaStub ? stubAt : codeOf[fx.calleeIndex]);
  std::vector<CallFixup>().swap(fixups);
  if (const char* dump = std::getenv("MYRT_JIT_DUMP")) {  // diagnostics: objdump -D -b binary -mi386:x86-64 FILE (AArch64: aarch64-linux-gnu-objdump -D -b binary -maarch64)
    if (std::FILE* df = std::fopen(dump, "wb")) {
      std::fwrite(p, 1, used, df);
      std::fclose(df);
    }
  }
  if (cc.keepCode) cc.code.assign(p, p + used);
  if (uint8_t* q = block->memory.resizeWritable(used)) p = q;  // give the unused tail back
  if (!block->memory.makeExecutable()) {
    cc.failure = "no executable memory";
    return cc;
  }
  block->starts.reserve(cc.funcs.size());
  block->funcs.reserve(cc.funcs.size());
  block->faultLandings.reserve(cc.funcs.size());
  for (const CompiledCode::Func& e : cc.funcs) {
    block->starts.push_back(reinterpret_cast<uintptr_t>(p + e.offset));
    block->funcs.push_back(e.f);
    block->faultLandings.push_back(e.faultLanding);
  }
  block->siteStart.push_back(static_cast<uint32_t>(block->sites.size()));
  block->sites.shrink_to_fit();
  block->siteStart.shrink_to_fit();
  block->rangeHandle = registerCodeRange(p, p + used, &JitBlock::lookup, block.get());
  if (!block->rangeHandle && !inst.memories.empty() && inst.memories[0]->guarded) {
    // unchecked accesses need the signal handler to know this code: without that, stay in the interpreter
    cc.failure = "code range not registered with the fault handler";
    return cc;
  }
  cc.stats.machineBytes = used;
  cc.block = std::move(block);
  cc.base = p;
  return cc;
}

// The code object of compiled function `e` of `cc` (its block linked and executable).
std::unique_ptr<JitFuncCode> newFuncCode(const CompiledCode& cc, const CompiledCode::Func& e) {
  auto fc = std::make_unique<JitFuncCode>();
  fc->block = cc.block;
  fc->raw = reinterpret_cast<FuncEntry>(cc.base + e.offset);
  fc->gcMaps = e.gcMaps;
  fc->optimized = e.optimized;
  if (e.osr.entryOffset) {
    fc->osrRaw = reinterpret_cast<OsrRaw>(cc.base + e.offset + e.osr.entryOffset);
    for (const auto& l : e.osr.loops) fc->osrLoops.push_back({l.wasmOffset, l.slots, cc.base + e.offset + l.codeOffset});
    std::sort(fc->osrLoops.begin(), fc->osrLoops.end(),
              [](const OsrTarget& a, const OsrTarget& b) { return a.wasmOffset < b.wasmOffset; });
  }
  return fc;
}

// Store::jitFallbacks gets "function N (name): why" (store's thread).
void recordFallback(const FuncInst& f, const std::string& why) {
  if (!f.instance || !f.instance->store) return;
  std::string name = f.instance->module ? f.instance->module->funcName(f.index) : std::string();
  f.instance->store->jitFallbacks.push_back("function " + std::to_string(f.index) +
                                            (name.empty() ? "" : " (" + name + ")") + ": " + why);
}

// Store's thread: swaps the entries of the compiled functions whose entry is still `from`; the others that were
// selected get the interpreter's entry (a function the JIT cannot compile, or the whole set when linking failed).
void installCompiled(CompiledCode& cc, FuncEntry from) {
  for (const auto& [f, why] : cc.fallbacks) {
    if (f->entry == from) f->entry = interpreterEntry();
    if (verbose()) std::fprintf(stderr, "jit: function %u runs in the interpreter: %s\n", f->index, why.c_str());
    recordFallback(*f, why);
  }
  if (!cc.block) {
    for (const CompiledCode::Func& e : cc.funcs) {
      if (e.f->entry == from) e.f->entry = interpreterEntry();
      recordFallback(*e.f, cc.failure);
    }
    if (!cc.funcs.empty()) {
      cc.stats.fallbacks += cc.stats.functions;
      cc.stats.functions = 0;
      if (verbose()) std::fprintf(stderr, "jit: %zu functions stay in the interpreter: %s\n", cc.funcs.size(), cc.failure.c_str());
    }
    return;
  }
  for (const CompiledCode::Func& e : cc.funcs) {
    if (e.f->entry != from) continue;
    std::unique_ptr<JitFuncCode> fc = newFuncCode(cc, e);
    // (nothing below throws: a function is installed whole or not at all -- jitDirectEntry is entered by other
    // blocks' call stubs, so it must never outlive the code it points into)
    e.f->jitDirectEntry = cc.base + e.offset + backend()->directEntryOffset;
    e.f->jitCode = std::move(fc);
    e.f->entry = &trampolineEntry;
    if (Store* s = e.f->instance->store) {
      ++s->jitCompiledFuncs;
      if (e.optimized) ++s->optCompiledFuncs;
      // the auto tier's baseline code counts this down towards the optimizing tier (StoreConfig::optTierUp)
      e.f->optBudget = s->config().optTierUpThreshold;
      e.f->optTier = kOptCounting;
    }
    perfMapAdd(cc.base + e.offset, e.size, e.f->instance->module.get(), e.f->index);
  }
}

// Store's thread, the auto tier's third tier: the functions of `cc` (compiled by the optimizing tier alone) that still
// run the baseline code they were queued from get their optimized code (keeping that baseline code: JitFuncCode::replaced);
// the ones it refused, or all when linking failed, stay in baseline code. Either way they are settled (never queued
// again). Returns the number installed.
uint64_t installOptimized(CompiledCode& cc) {
  for (const auto& [f, why] : cc.fallbacks) {
    f->optTier = kOptSettled;
    f->optBudget = UINT32_MAX;
    if (verbose()) std::fprintf(stderr, "jit: function %u stays in baseline code: %s\n", f->index, why.c_str());
  }
  uint64_t n = 0;
  for (const CompiledCode::Func& e : cc.funcs) {
    FuncInst* f = e.f;
    f->optTier = kOptSettled;
    f->optBudget = UINT32_MAX;
    if (!cc.block || f->entry != &trampolineEntry || !f->jitCode) {
      if (!cc.block && verbose())
        std::fprintf(stderr, "jit: function %u stays in baseline code: %s\n", f->index, cc.failure.c_str());
      continue;
    }
    std::unique_ptr<JitFuncCode> fc = newFuncCode(cc, e);
    auto* old = static_cast<JitFuncCode*>(f->jitCode.get());
    fc->osrRaw = old->osrRaw;  // interpreter frames of f still enter the baseline code by OSR
    fc->osrLoops = old->osrLoops;
    fc->osrEntries = old->osrEntries;
    fc->replaced = std::move(f->jitCode);
    f->jitDirectEntry = cc.base + e.offset + backend()->directEntryOffset;
    f->jitCode = std::move(fc);
    if (Store* s = f->instance->store) ++s->optCompiledFuncs;
    perfMapAdd(cc.base + e.offset, e.size, f->instance->module.get(), f->index);
    ++n;
  }
  return n;
}

// The functions of `inst` whose entry is `from`, in index order (store's thread).
std::vector<FuncInst*> funcsWithEntry(Instance& inst, FuncEntry from) {
  std::vector<FuncInst*> out;
  for (FuncInst* f : inst.funcs)
    if (f && f->instance == &inst && f->entry == from) out.push_back(f);
  return out;
}

unsigned compileJobsOf(const Instance& inst) {
  const uint32_t j = inst.store ? inst.store->config().compileJobs : 0;
  return j ? j : defaultCompileJobs();
}

}  // namespace

std::vector<uint8_t> compiledBytes(Instance& inst, unsigned jobs) {
  std::vector<FuncInst*> funcs;
  for (FuncInst* f : inst.funcs)
    if (f && f->instance == &inst) funcs.push_back(f);
  return compileFuncs(inst, funcs, jobs, /*osrEntries=*/false, /*keepCode=*/true).code;
}

CompileStats compileInstance(Instance& inst) { return compileInstanceFrom(inst, &lazyEntry); }

bool isLazyEntry(FuncEntry e) { return e == &lazyEntry; }

Result<PortableCode> compilePortable(Instance& inst, unsigned jobs) {
  if (!backend()) return Error("unsupported: JIT on this architecture/CPU");
  std::vector<FuncInst*> funcs;
  for (FuncInst* f : inst.funcs)
    if (f && f->instance == &inst) funcs.push_back(f);
  CompiledCode cc = compileFuncs(inst, funcs, jobs, /*osrEntries=*/false, /*keepCode=*/true, /*portable=*/true);
  PortableCode pc;
  for (auto& [f, why] : cc.fallbacks) pc.fallbacks.push_back({f->index, std::move(why)});
  if (!cc.funcs.empty() && !cc.block) return Error("cannot compile: " + cc.failure);
  pc.code = std::move(cc.code);
  pc.ptrs = std::move(cc.ptrs);
  pc.typeIds = std::move(cc.typeIds);
  if (cc.block) pc.sites = cc.block->sites;
  for (size_t i = 0; i < cc.funcs.size(); ++i) {
    const CompiledCode::Func& e = cc.funcs[i];
    const uint32_t n = cc.block->siteStart[i + 1] - cc.block->siteStart[i];
    pc.funcs.push_back({e.f->index, static_cast<uint32_t>(e.offset), static_cast<uint32_t>(e.size), e.faultLanding, n});
  }
  return pc;
}

Status installPortable(Instance& inst, FuncEntry from, uint8_t* code, size_t size, std::span<const PortableFunc> funcs,
                       std::span<const CodeSite> sites, std::span<const std::pair<uint32_t, std::string>> fallbacks) {
  auto block = std::make_shared<JitBlock>();
  block->memory.adopt(code, size);  // (unmapped with the block on any failure below)
  const Backend* be = backend();
  if (!be) return Error("unsupported: JIT on this architecture/CPU");
  block->faultOffsetRegister = be->faultOffsetRegister;
  CompiledCode cc;
  std::vector<bool> done(inst.funcs.size(), false);
  size_t site = 0;
  uint64_t prevEnd = 0;
  for (const PortableFunc& pf : funcs) {
    if (pf.index >= inst.funcs.size() || !inst.funcs[pf.index] || inst.funcs[pf.index]->instance != &inst ||
        done[pf.index])
      return Error("precompiled code: bad function index " + std::to_string(pf.index));
    if (pf.offset < prevEnd || uint64_t(pf.offset) + pf.size > size || pf.size <= be->directEntryOffset ||
        pf.faultLanding >= pf.size || pf.numSites > sites.size() - site)
      return Error("precompiled code: bad code range of function " + std::to_string(pf.index));
    prevEnd = uint64_t(pf.offset) + pf.size;
    done[pf.index] = true;
    block->siteStart.push_back(static_cast<uint32_t>(site));
    site += pf.numSites;
    cc.funcs.push_back({inst.funcs[pf.index], pf.offset, pf.size, {}, pf.faultLanding});
  }
  block->siteStart.push_back(static_cast<uint32_t>(site));
  block->sites.assign(sites.begin(), sites.begin() + site);
  if (!block->memory.makeExecutable()) return Error("no executable memory");
  for (const CompiledCode::Func& e : cc.funcs) {
    block->starts.push_back(reinterpret_cast<uintptr_t>(code + e.offset));
    block->funcs.push_back(e.f);
    block->faultLandings.push_back(e.faultLanding);
  }
  block->rangeHandle = registerCodeRange(code, code + size, &JitBlock::lookup, block.get());
  if (!block->rangeHandle && !inst.memories.empty() && inst.memories[0]->guarded)
    return Error("code range not registered with the fault handler");
  for (const auto& [index, why] : fallbacks)
    if (index < inst.funcs.size() && inst.funcs[index] && inst.funcs[index]->instance == &inst && !done[index]) {
      cc.fallbacks.push_back({inst.funcs[index], why});
      done[index] = true;
    }
  for (size_t i = 0; i < inst.funcs.size(); ++i)  // (not in the artifact: as a function the JIT could not compile)
    if (!done[i] && inst.funcs[i] && inst.funcs[i]->instance == &inst)
      cc.fallbacks.push_back({inst.funcs[i], "not in the precompiled code"});
  cc.stats.functions = cc.funcs.size();
  cc.stats.fallbacks = cc.fallbacks.size();
  cc.stats.machineBytes = size;
  cc.block = std::move(block);
  cc.base = code;
  installCompiled(cc, from);
  return {};
}

CompileStats compileInstanceFrom(Instance& inst, FuncEntry from, bool osrEntries) {
  if (inst.module && inst.module->precompiled && !osrEntries) {  // ahead-of-time code (jit/aot.h): install, no compile
    const uint64_t before = inst.store ? inst.store->jitCompiledFuncs : 0;
    const Status st = installPrecompiled(inst, from);
    if (st.ok()) {
      CompileStats stats;
      stats.functions = inst.store ? inst.store->jitCompiledFuncs - before : 0;
      return stats;
    }
    // (an instance unlike the one the code was compiled for: compile as without it)
    if (verbose()) std::fprintf(stderr, "jit: precompiled code not used: %s\n", st.error().message.c_str());
    if (inst.store) inst.store->jitFallbacks.push_back("precompiled code not used: " + st.error().message);
  }
  CompiledCode cc = compileFuncs(inst, funcsWithEntry(inst, from), compileJobsOf(inst), osrEntries);
  installCompiled(cc, from);
  return cc.stats;
}

CompileStats compileForMeasurement(Instance& inst) {
  CompileStats st;
  const Backend* be = backend();
  if (!be || !inst.module) return st;
  const Module& m = *inst.module;
  const std::unique_ptr<FunctionCompiler> mc = be->newCompiler(inst);
  std::vector<uint8_t> code;
  code.reserve(machineCodeEstimate(m));
  std::vector<CallFixup> fixups;
  for (uint32_t i = m.numImportedFuncs; i < m.funcs.size(); ++i) {
    const size_t at = code.size();
    if (!mc->compile(i, code, &fixups).ok()) {
      code.resize(at);
      ++st.fallbacks;
      continue;
    }
    ++st.functions;
    st.bodyBytes += m.funcs[i].body.size;
  }
  st.machineBytes = code.size();
  return st;
}

bool optimizedCode(const FuncInst& f) {
  const auto* jc = dynamic_cast<const JitFuncCode*>(f.jitCode.get());
  return jc && jc->optimized;
}

uint64_t optOsrVersions(const FuncInst& f) {
  const auto* jc = dynamic_cast<const JitFuncCode*>(f.jitCode.get());
  return jc ? jc->osrVersions.size() : 0;
}

uint64_t osrEntries(const FuncInst& f) {
  const auto* jc = dynamic_cast<const JitFuncCode*>(f.jitCode.get());
  return jc ? jc->osrEntries : 0;
}

Status compileCheck(Instance& inst, uint32_t funcIndex) {
  const Backend* be = backend();
  if (!be) return Error("unsupported: JIT on this architecture/CPU");
  std::vector<uint8_t> code;
  return be->newCompiler(inst)->compile(funcIndex, code);
}

namespace {

TrapReason lazyEntry(ExecContext& cx, FuncInst& f, Value* io) {
  try {  // may run under JIT frames (a call into another instance): a failed host allocation leaves f interpreted
    if (f.instance) compileInstance(*f.instance);
  } catch (const std::bad_alloc&) {
  }
  if (f.entry == &lazyEntry) f.entry = interpreterEntry();  // not compilable here (no module)
  return f.entry(cx, f, io);
}

// StoreConfig::precompiledEntry of the auto tier: the entry of every function of an instance of a module with
// precompiled machine code until the first call of one, which installs the instance's code (no compile). When that code
// cannot be used here (an instance unlike the one it was compiled for), the functions go to the interpreter and tier
// up as any auto-tier function; functions the artifact left to the interpreter stay there (the JIT cannot compile them).
TrapReason precompiledEntry(ExecContext& cx, FuncInst& f, Value* io) {
  Instance* inst = f.instance;
  bool installed = false;
  try {  // may run under JIT frames: a failed host allocation leaves the functions interpreted
    if (inst && inst->module && inst->module->precompiled) {
      const Status st = installPrecompiled(*inst, &precompiledEntry);
      installed = st.ok();
      if (!installed) {
        if (verbose()) std::fprintf(stderr, "jit: precompiled code not used: %s\n", st.error().message.c_str());
        if (inst->store) inst->store->jitFallbacks.push_back("precompiled code not used: " + st.error().message);
      }
    }
  } catch (const std::bad_alloc&) {
  }
  if (inst)
    for (FuncInst* g : inst->funcs)
      if (g && g->entry == &precompiledEntry) g->entry = interpreterEntry();
  if (f.entry == &precompiledEntry) f.entry = interpreterEntry();
  if (!installed && inst && cx.tierUp) ++cx.tierUpActive;  // counted from here on, as instantiate does without code
  return f.entry(cx, f, io);
}

// ---- the auto tier's tier-up ----
// Per function: at the poll where a function `f` reaches the threshold (interpreter, store's thread), f alone is queued
// for compilation and no longer counted. The compile thread (CompileService) drains the store's queue in the order
// the functions got hot -- the hottest first -- in batches of one instance's functions (at most kTierUpBatchBytes of
// wasm code, so the first hot functions are not held back by a long tail), each batch one code block, while the
// interpreter goes on. A finished batch sets ExecContext::tierUpReady; the interpreter's next slow poll calls
// installReady on the store's thread, which swaps the entries (FuncInst::entry, jitCode, jitDirectEntry are never
// written by another thread). Functions never executed -- or executed less than the threshold -- are never compiled.
// Calls between tiers: a direct call in JIT code to a function outside its block goes through the backend's
// call-via-entry stub, which enters the callee's FuncInst::jitDirectEntry once it has one and FuncInst::entry
// (the interpreter) before, so no call site is ever patched after linking; call_indirect, call_ref and return_call*
// go through FuncInst::entry / jitDirectEntry as on the JIT tier. Interpreter frames running when their function is
// installed finish in the interpreter or move to the JIT code at a loop back-edge (OSR); new calls take the new entry.
constexpr uint64_t kTierUpBatchBytes = 128 * 1024;

constexpr uint32_t kNoOsrLoop = UINT32_MAX;  // (FunctionCompiler::setOsrLoop: the function itself)
// The third tier's budget of a function waiting for its optimized code or OSR version: its baseline code looks again
// after this many counts (optTierUp).
constexpr uint32_t kOptInstallPoll = 256;
// kOptInstallPoll, or the store's threshold when that is smaller (tests force OSR with small thresholds).
uint32_t installPoll(const FuncInst& f) {
  const Store* s = f.instance ? f.instance->store : nullptr;
  const uint32_t t = s ? s->config().optTierUpThreshold : 0;
  return t ? std::min(t, kOptInstallPoll) : kOptInstallPoll;
}

struct TierUpBatch {
  Instance* inst = nullptr;
  std::vector<FuncInst*> funcs;  // in the order they got hot
  CompiledCode code;
  bool optimize = false;  // the third tier: hot baseline code recompiled by the optimizing tier
  uint32_t osrLoop = kNoOsrLoop;  // with `optimize`: the OSR version of its one function for this loop
};
// The optimizing tier compiles at about a tenth of the baseline's speed: smaller batches.
constexpr uint64_t kOptBatchBytes = 32 * 1024;

// Per-store state (Store::tierState). Destroyed first when the store dies: `cancelled` stops the drain between
// batches, its queued item is dropped and a running one is waited for (it reads the store's instances and functions).
struct AutoTierState : TierCode {
  std::mutex mu;  // guards the fields up to `cancelled` (store's thread <-> compile thread)
  std::vector<FuncInst*> queued;                       // hot, not compiled yet, in the order they got hot
  std::vector<FuncInst*> optQueued;                    // hot in baseline code, for the optimizing tier (after `queued`)
  std::vector<std::pair<FuncInst*, uint32_t>> osrQueued;  // OSR versions (function, loop), before optQueued
  std::vector<std::unique_ptr<TierUpBatch>> finished;  // compiled, not installed yet
  bool draining = false;                               // a drain item is submitted or running
  bool cancelled = false;
  // Store's thread only: per instance, its defined functions not installed yet (compiled, or left in the
  // interpreter). At 0 the instance's hold on ExecContext::tierUpActive is dropped.
  std::unordered_map<const Instance*, size_t> remaining;
  ~AutoTierState() override {
    {
      std::lock_guard<std::mutex> lock(mu);
      cancelled = true;
    }
    CompileService::cancelIfAlive(this);
  }
};

AutoTierState* autoState(Store& s, bool create) {
  if (!s.tierState && create) s.tierState = std::make_unique<AutoTierState>();
  return static_cast<AutoTierState*>(s.tierState.get());  // an auto store's tierState is only ever this
}

// Store's thread: `n` functions of `inst` are settled (installed, or left in the interpreter for good). Never throws.
void settle(ExecContext& cx, AutoTierState& st, const Instance* inst, size_t n) {
  auto it = st.remaining.find(inst);
  if (it == st.remaining.end()) return;
  it->second -= std::min(it->second, n);
  if (it->second == 0) {
    st.remaining.erase(it);
    if (cx.tierUpActive) --cx.tierUpActive;  // every function of the instance is compiled (or stays interpreted)
  }
}

// Store's thread: installs a compiled batch.
void installBatch(ExecContext& cx, AutoTierState& st, TierUpBatch& b) {
  if (b.optimize && b.osrLoop != kNoOsrLoop) {  // an OSR version: kept by the function's optimized code
    FuncInst* f = b.funcs.empty() ? nullptr : b.funcs.front();
    if (!f) return;
    f->optTier = kOptOsrSettled;
    auto* jc = static_cast<JitFuncCode*>(f->jitCode.get());
    bool ok = false;
    if (b.code.block && b.code.funcs.size() == 1 && jc && jc->optimized) {
      try {
        jc->osrBlocks.push_back(b.code.block);
        jc->osrVersions.push_back({b.osrLoop, b.code.base + b.code.funcs[0].offset});
        ok = true;
      } catch (const std::bad_alloc&) {
      }
    }
    if (verbose())
      std::fprintf(stderr, "jit: optimizing tier: OSR version of function %u at the loop at offset %u: %s\n", f->index,
                   b.osrLoop, ok ? "installed" : !b.code.fallbacks.empty() ? b.code.fallbacks[0].second.c_str()
                                                                           : b.code.failure.c_str());
    b.code = CompiledCode{};
    return;
  }
  if (b.optimize) {
    uint64_t n = 0;
    try {  // a failed host allocation leaves the rest in baseline code
      n = installOptimized(b.code);
    } catch (const std::bad_alloc&) {
    }
    for (FuncInst* f : b.funcs) {  // (also those of a batch whose compile ran out of memory)
      f->optTier = kOptSettled;
      // optimized: one more count of a baseline frame still running it (at a loop head: its OSR version, optTierUp)
      f->optBudget = optimizedCode(*f) ? installPoll(*f) : UINT32_MAX;
    }
    if (verbose())
      std::fprintf(stderr, "jit: optimizing tier: %zu function%s (first: %u): %llu optimized, %llu stay in baseline code\n",
                   b.funcs.size(), b.funcs.size() == 1 ? "" : "s", b.funcs.empty() ? 0u : b.funcs.front()->index,
                   static_cast<unsigned long long>(n), static_cast<unsigned long long>(b.funcs.size() - n));
    b.code = CompiledCode{};
    return;
  }
  try {  // at a poll, possibly under JIT frames: a failed host allocation leaves the rest interpreted
    installCompiled(b.code, interpreterEntry());
  } catch (const std::bad_alloc&) {
  }
  settle(cx, st, b.inst, b.funcs.size());
  if (cx.osr && cx.interpActivations) cx.osrHold = true;  // running interpreter frames may still take OSR
  if (verbose())
    std::fprintf(stderr, "jit: tier-up of %zu function%s (first: %u): %llu compiled, %llu stay interpreted\n",
                 b.funcs.size(), b.funcs.size() == 1 ? "" : "s", b.funcs.empty() ? 0u : b.funcs.front()->index,
                 static_cast<unsigned long long>(b.code.stats.functions),
                 static_cast<unsigned long long>(b.code.stats.fallbacks));
  b.code = CompiledCode{};  // the functions' JitFuncCode keep the block
}

// Store's thread, at a poll (ExecContext::tierInstall): installs every finished batch.
void installReady(ExecContext& cx) {
  cx.tierUpReady.exchange(0, std::memory_order_acq_rel);  // before taking `finished`: a later finish sets it again
  AutoTierState* st = autoState(*cx.store, false);
  if (!st) return;
  std::vector<std::unique_ptr<TierUpBatch>> done;
  {
    std::lock_guard<std::mutex> lock(st->mu);
    done.swap(st->finished);
  }
  for (auto& b : done) installBatch(cx, *st, *b);
}

// Store's thread: f reached the threshold; it is no longer counted. Null when there is nothing to compile. May throw
// bad_alloc (then f stays interpreted; its instance stays counted).
FuncInst* takeHot(AutoTierState& st, FuncInst& f) {
  f.hotness = kNoTierUp;
  Instance* inst = f.instance;
  if (!inst || f.entry != interpreterEntry()) return nullptr;
  if (!st.remaining.contains(inst)) {
    size_t n = 0;
    for (const FuncInst* g : inst->funcs)
      if (g && g->instance == inst) ++n;
    st.remaining.emplace(inst, n);
  }
  return &f;
}

// Compile thread: compiles the queued functions, the first-queued first (the interpreter's, then OSR versions a baseline
// frame waits for, then the baseline code's for the optimizing tier), until the queues are empty or the store is going
// away. A failed host allocation leaves the batch's functions where they are (an empty CompiledCode installs nothing);
// without memory for a batch at all the drain stops and the queued functions stay where they are.
void drainQueue(AutoTierState& st, std::atomic<uint32_t>* ready) {
  for (;;) {
    std::unique_ptr<TierUpBatch> b;
    {
      std::lock_guard<std::mutex> lock(st.mu);
      try {
        b = std::make_unique<TierUpBatch>();
        b->funcs.reserve(std::max(st.queued.size(), st.optQueued.size()) + 1);  // (push_back must not throw in erase_if)
      } catch (const std::bad_alloc&) {
        b.reset();
      }
      if (!b || st.cancelled || (st.queued.empty() && st.optQueued.empty() && st.osrQueued.empty())) {
        st.draining = false;
        return;
      }
      if (st.queued.empty() && !st.osrQueued.empty()) {  // an OSR version: a baseline frame waits for it
        b->optimize = true;
        b->inst = st.osrQueued.front().first->instance;
        b->funcs.push_back(st.osrQueued.front().first);
        b->osrLoop = st.osrQueued.front().second;
        st.osrQueued.erase(st.osrQueued.begin());
      }
    }
    if (b->osrLoop != kNoOsrLoop) {
      try {
        b->code = compileFuncs(*b->inst, b->funcs, 1, false, false, false, /*optOnly=*/true, b->osrLoop);
      } catch (const std::bad_alloc&) {
        b->code = CompiledCode{};
      }
      std::lock_guard<std::mutex> lock(st.mu);
      try {
        st.finished.push_back(std::move(b));
      } catch (const std::bad_alloc&) {
      }
      ready->store(1, std::memory_order_release);
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(st.mu);
      // the interpreter's hot functions first (the baseline compile is the cheap, large step)
      b->optimize = st.queued.empty();
      std::vector<FuncInst*>& q = b->optimize ? st.optQueued : st.queued;
      const uint64_t limit = b->optimize ? kOptBatchBytes : kTierUpBatchBytes;
      b->inst = q.front()->instance;
      const Module& m = *b->inst->module;
      uint64_t bytes = 0;
      std::erase_if(q, [&](FuncInst* f) {
        if (f->instance != b->inst || bytes >= limit) return false;
        bytes += m.funcs[f->index].body.size;
        b->funcs.push_back(f);
        return true;
      });
    }
    try {
      b->code = b->optimize ? compileFuncs(*b->inst, b->funcs, 1, false, false, false, /*optOnly=*/true)
                            : compileFuncs(*b->inst, b->funcs, 1, /*osrEntries=*/true);
    } catch (const std::bad_alloc&) {
      b->code = CompiledCode{};
    }
    {
      std::lock_guard<std::mutex> lock(st.mu);
      try {
        st.finished.push_back(std::move(b));
      } catch (const std::bad_alloc&) {  // its functions stay interpreted (and their instance counted)
      }
    }
    ready->store(1, std::memory_order_release);
  }
}

// TierUpHook of autoConfig: queues f for the compile thread. Runs at a poll, possibly under JIT frames: nothing may
// throw (a failed host allocation leaves f interpreted).
void tierUpBackground(ExecContext& cx, FuncInst& f) {
  f.hotness = kNoTierUp;
  AutoTierState* st = nullptr;
  try {
    st = autoState(*cx.store, true);
    if (!takeHot(*st, f)) return;
    bool submit = false;
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->queued.push_back(&f);
      submit = !st->draining;
      st->draining = true;
    }
    if (!submit) return;
    std::atomic<uint32_t>* ready = &cx.tierUpReady;  // lives as long as the store, which outlives the work (cancel)
    bool queued = false;
    try {
      queued = CompileService::get().submit(st, [st, ready] { drainQueue(*st, ready); });
    } catch (const std::bad_alloc&) {
    }
    if (!queued) {  // no compile thread: what is queued stays interpreted
      std::lock_guard<std::mutex> lock(st->mu);
      for (FuncInst* g : st->queued) settle(cx, *st, g->instance, 1);
      st->queued.clear();
      st->draining = false;
    }
  } catch (const std::bad_alloc&) {
  }
}

// TierUpHook of autoConfig(..., TierUpMode::Synchronous): compiles f and installs it at the poll itself.
void tierUpSynchronous(ExecContext& cx, FuncInst& f) {
  f.hotness = kNoTierUp;
  try {
    AutoTierState* st = autoState(*cx.store, true);
    if (!takeHot(*st, f)) return;
    TierUpBatch b;
    b.inst = f.instance;
    b.funcs = {&f};
    try {  // a failed host allocation leaves f interpreted
      b.code = compileFuncs(*b.inst, b.funcs, 1, /*osrEntries=*/true);
    } catch (const std::bad_alloc&) {
      b.code = CompiledCode{};
    }
    installBatch(cx, *st, b);
  } catch (const std::bad_alloc&) {
  }
}

// ---- the auto tier's third tier: hot baseline code recompiled by the optimizing tier ----
// The auto tier's baseline code (compiled with OSR entries for a store with StoreConfig::optTierUp) counts
// FuncInst::optBudget down at its entry and loop heads, from StoreConfig::optTierUpThreshold; at 0 it calls
// optTierUpHelper (jit/common/helpers.h) -> this hook, on the store's thread, in the middle of that code. The hook
// installs finished compiles (this is the install poll of code that runs in JIT code, where the interpreter does not
// poll), then queues f for the optimizing tier (background: after the interpreter's hot functions; synchronous: compiles
// and installs at once) and gives f a small budget while it waits (kOptInstallPoll: its next polls look for the finished
// compile) or, once settled, the largest one. Installing swaps FuncInst::jitCode and jitDirectEntry (FuncInst::entry
// stays trampolineEntry): new calls from the host, the interpreter and other blocks' call stubs reach the optimized
// code; the auto tier's baseline code calls every function through the stub (compileFuncs), so its calls do too.
// Functions the optimizing tier refuses stay in baseline code for good (FuncInst::optTier).
// OSR: a baseline frame still running a loop of f once f's optimized code is installed (its next count at that loop's
// head: installing gives f kOptInstallPoll once more) gets f's OSR version for that loop compiled -- the optimized code
// entered at that loop's head with the frame's slots (opt::buildFunction's osrLoop), one per function, queued before
// the other functions waiting for the optimizing tier -- and at a count after it is installed continues in it
// (optTierUpHelper returns its entry; Masm::optOsrTransfer). Frames of other loops of f finish in baseline code.

// The entry of f's OSR version for the loop at `loopOffset` (null: none installed).
const void* osrVersion(const FuncInst& f, uint32_t loopOffset) {
  const auto* jc = static_cast<const JitFuncCode*>(f.jitCode.get());
  if (!jc || !jc->optimized) return nullptr;
  for (const auto& [loop, entry] : jc->osrVersions)
    if (loop == loopOffset) return entry;
  return nullptr;
}

// Store's thread: queues `b` (f, or f's OSR version) for the compile thread; false when that is impossible.
bool queueOpt(ExecContext& cx, FuncInst& f, uint32_t osrLoop) {
  try {
    AutoTierState* st = autoState(*cx.store, true);
    bool submit = false;
    {
      std::lock_guard<std::mutex> lock(st->mu);
      if (osrLoop == kNoOsrLoop) st->optQueued.push_back(&f);
      else st->osrQueued.push_back({&f, osrLoop});
      submit = !st->draining;
      st->draining = true;
    }
    if (!submit) return true;
    std::atomic<uint32_t>* ready = &cx.tierUpReady;  // lives as long as the store, which outlives the work (cancel)
    bool queued = false;
    try {
      queued = CompileService::get().submit(st, [st, ready] { drainQueue(*st, ready); });
    } catch (const std::bad_alloc&) {
    }
    if (!queued) {  // no compile thread: what is queued for the optimizing tier stays in baseline code
      std::lock_guard<std::mutex> lock(st->mu);
      for (FuncInst* g : st->optQueued) g->optTier = kOptSettled;
      for (const auto& [g, loop] : st->osrQueued) g->optTier = kOptOsrSettled;
      st->optQueued.clear();
      st->osrQueued.clear();
      st->draining = false;
      return false;
    }
    return true;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

// Compiles and installs f (or its OSR version) at once (the synchronous mode).
void compileOptNow(ExecContext& cx, FuncInst& f, uint32_t osrLoop) {
  try {
    TierUpBatch b;
    b.inst = f.instance;
    b.funcs = {&f};
    b.optimize = true;
    b.osrLoop = osrLoop;
    try {  // a failed host allocation leaves f in baseline code
      b.code = compileFuncs(*b.inst, b.funcs, 1, false, false, false, /*optOnly=*/true, osrLoop);
    } catch (const std::bad_alloc&) {
      b.code = CompiledCode{};
    }
    if (AutoTierState* st = autoState(*cx.store, true)) installBatch(cx, *st, b);
  } catch (const std::bad_alloc&) {
  }
}

const void* optTierUp(ExecContext& cx, FuncInst& f, uint32_t loopOffset, bool sync) {
  if (cx.tierUpReady.load(std::memory_order_acquire)) installReady(cx);
  if (f.optTier == kOptCounting && f.instance) {
    f.optTier = kOptSettled;  // (unless queued below)
    if (sync) compileOptNow(cx, f, kNoOsrLoop);
    else if (queueOpt(cx, f, kNoOsrLoop)) f.optTier = kOptQueued;
  }
  if (loopOffset != kNoWasmOffset && optimizedCode(f)) {
    if (const void* e = osrVersion(f, loopOffset)) return e;
    if (f.optTier == kOptSettled) {
      f.optTier = kOptOsrSettled;  // (unless queued below)
      if (sync) compileOptNow(cx, f, loopOffset);
      else if (queueOpt(cx, f, loopOffset)) f.optTier = kOptOsrQueued;
      if (const void* e = osrVersion(f, loopOffset)) return e;
    }
  }
  // waiting for a compile, or optimized with no OSR version asked for yet (this frame may still reach a loop): look again
  const bool again = f.optTier == kOptQueued || f.optTier == kOptOsrQueued ||
                     (f.optTier == kOptSettled && optimizedCode(f));
  f.optBudget = again ? installPoll(f) : UINT32_MAX;
  return nullptr;
}

const void* optTierUpBackground(ExecContext& cx, FuncInst& f, uint32_t loopOffset) {
  return optTierUp(cx, f, loopOffset, false);
}
const void* optTierUpSynchronous(ExecContext& cx, FuncInst& f, uint32_t loopOffset) {
  return optTierUp(cx, f, loopOffset, true);
}

}  // namespace
}  // namespace jit

bool jitAvailable() { return jit::backend() != nullptr; }

const char* jitSimdPath() {
  const jit::Backend* be = jit::backend();
  return be ? be->simdPath() : "";
}

FuncEntry jitEntry() { return &jit::lazyEntry; }

unsigned defaultCompileJobs() {
  static const unsigned v = [] {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return static_cast<unsigned>(std::clamp<long>(n, 1, kMaxDefaultCompileJobs));
  }();
  return v;
}

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

TierUpMode defaultTierUpMode() {
  static const TierUpMode v = [] {
    const char* e = std::getenv("MYRT_TIER_UP_SYNC");
    return e && *e && std::strcmp(e, "0") != 0 ? TierUpMode::Synchronous : TierUpMode::Background;
  }();
  return v;
}

uint32_t defaultOptTierUpThreshold() {
  static const uint32_t v = [] {
    const char* e = std::getenv("MYRT_OPT_TIER_UP_THRESHOLD");
    if (e && *e) {
      char* end = nullptr;
      const unsigned long n = std::strtoul(e, &end, 10);
      if (end && *end == 0 && n < UINT32_MAX) return static_cast<uint32_t>(n);
    }
    return kDefaultOptTierUpThreshold;
  }();
  return v;
}

StoreConfig autoConfig(const StoreLimits& limits, uint32_t threshold, std::optional<TierUpMode> mode,
                       std::optional<uint32_t> optThreshold) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = interpreterEntry();
  const bool sync = mode.value_or(defaultTierUpMode()) == TierUpMode::Synchronous;
  c.tierUp = sync ? &jit::tierUpSynchronous : &jit::tierUpBackground;
  c.optTierUpThreshold = optThreshold.value_or(defaultOptTierUpThreshold());
  if (c.optTierUpThreshold && optAvailable()) c.optTierUp = sync ? &jit::optTierUpSynchronous : &jit::optTierUpBackground;
  else c.optTierUpThreshold = 0;
  c.tierInstall = &jit::installReady;
  c.tierUpThreshold = threshold ? threshold : defaultTierUpThreshold();
  c.osr = osrEnabled() ? &jit::osrEnter : nullptr;
  c.precompiledEntry = &jit::precompiledEntry;
  return c;
}

namespace jit {
void finishTierUps(Store& store) {
  if (AutoTierState* st = autoState(store, false)) CompileService::get().wait(st);
  if (store.context().tierInstall) installReady(store.context());
}
}  // namespace jit

StoreConfig jitConfig(const StoreLimits& limits) {
  StoreConfig c;
  c.limits = limits;
  c.wasmEntry = jitEntry();
  return c;
}

bool optAvailable() {
  const jit::Backend* be = jit::hostBackend();
  return jitAvailable() && be && be->newOptCompiler;
}

StoreConfig optConfig(const StoreLimits& limits) {
  StoreConfig c = jitConfig(limits);
  c.optimize = true;
  return c;
}

}  // namespace myrt
