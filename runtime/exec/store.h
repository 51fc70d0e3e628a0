// runtime/exec/store.h -- the execution model: Store and the runtime objects it owns (functions, memories, tables,
// globals, tags, extern references, instances), the per-store execution context (value stack, call depth, trap
// details), canonical function-type ids and the calling convention shared by every tier.
// Layer: exec (depends on base, wasm, binary, valid). Tiers (runtime/interp, jit/) plug in through FuncEntry; the
// public entry points (instantiate, invoke, exports) are in runtime/exec/engine.h.
//
// Calling convention: every function has one entry `FuncInst::entry(ExecContext&, FuncInst&, Value* io)`. `io` holds
// the arguments on entry and receives the results (max(params, results) slots). It returns TrapReason::None or a trap;
// trap details (host message, backtrace) are in the ExecContext. A tier swaps `entry` (and `code`) to tier up.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/exec/gc_heap.h"
#include "runtime/exec/trap.h"
#include "runtime/exec/value.h"
#include "runtime/wasm/module.h"

namespace myrt {

class Store;
struct Instance;
struct FuncInst;
struct ExecContext;

using FuncEntry = TrapReason (*)(ExecContext& cx, FuncInst& f, Value* io);

// A backtrace frame's wasm code offset when none is known (host functions, code without offset records).
constexpr uint32_t kNoWasmOffset = UINT32_MAX;

// Host function: arguments in `args`, results to be written to `results`. Return TrapReason::None, or a trap (use
// ExecContext::hostTrap("message") for a custom message).
using HostFunc = std::function<TrapReason(ExecContext& cx, std::span<const Value> args, std::span<Value> results)>;

// Tier-private compiled code attached to a function (interpreter code, JIT code object ...).
struct TierCode {
  virtual ~TierCode() = default;
};

struct FuncInst {
  FuncEntry entry = nullptr;        // the one entry used by all callers (tiers swap it)
  uint32_t typeId = 0;              // canonical type id (Store::typeRegistry); call_indirect compares this
  Instance* instance = nullptr;     // defining instance (nullptr for host functions)
  uint32_t index = 0;               // index in the defining module's function space
  const CompositeType* type = nullptr;
  std::unique_ptr<TierCode> code;   // the interpreter's lowered code (nullptr until first interpreted call)
  std::unique_ptr<TierCode> jitCode;  // the JIT's code object (kept apart: interpreter frames of a function tiered
                                      // up while they run keep reading `code`)
  const void* jitDirectEntry = nullptr;  // the JIT's direct entry into `jitCode` (jit/jit.h), for tail calls that
                                         // reach a function of their own instance through a reference or a table
  uint32_t hotness = 0;             // auto tier: interpreter polls (entries, loop back-edges) counted towards tier-up
  // Auto tier with the optimizing tier (StoreConfig::optTierUp): the polls left in the function's baseline code
  // before it asks for the optimizing tier (counted down by that code at its entry and loop heads; jit/jit.h), and
  // where the function stands (OptTier: store's thread only).
  uint32_t optBudget = 0;
  uint8_t optTier = 0;
  HostFunc host;                    // host functions only
  std::unique_ptr<CompositeType> ownedType;  // host functions own their type
  bool isHost() const { return static_cast<bool>(host); }
  uint32_t numParams() const { return static_cast<uint32_t>(type->params.size()); }
  uint32_t numResults() const { return static_cast<uint32_t>(type->results.size()); }
};

constexpr uint64_t kPageSize = 65536;

struct MemoryInst {
  // JIT-visible fields first: base never moves (the reservation is made once), size changes on grow.
  uint8_t* base = nullptr;
  uint64_t size = 0;                // bytes
  MemoryType type;                  // limits.min is updated to the current size in pages (for import matching)
  uint64_t maxPages = 0;            // effective maximum (declared max, or the address type's maximum)
  uint64_t reserved = 0;            // bytes of address space reserved at base
  // Accesses need no bounds check: a 32-bit memory whose reservation (kGuardedReservation, exec/signals.h) covers
  // every base + index + offset + size and is registered with the fault handler. False: check explicitly.
  bool guarded = false;
  Store* store = nullptr;
  // A shared memory (threads proposal) may be grown by any thread whose store imports it: grow serializes on growMu,
  // commits the new pages, then publishes `size` with a release store (readers load it with acquire: a thread that
  // sees the new size sees committed pages). The base never moves, so other threads' accesses need no lock.
  std::mutex growMu;
  // Bytes at base mapped copy-on-write from a snapshot's image (Store::snapshot): such a memory is unmapped when it
  // dies, never pooled.
  uint64_t imageMapped = 0;
  ~MemoryInst();
  uint64_t currentSize() const { return __atomic_load_n(&size, __ATOMIC_ACQUIRE); }
  uint64_t pages() const { return currentSize() / kPageSize; }
  // Grows by `delta` pages; returns the old size in pages, or -1 (as uint64_t) on failure.
  uint64_t grow(uint64_t delta);
  bool inBounds(uint64_t addr, uint64_t len) const {
    const uint64_t n = currentSize();
    return addr <= n && len <= n - addr;
  }

 private:
  uint64_t growLocked(uint64_t delta);
};

struct TableInst {
  Ref* elems = nullptr;             // == storage.data(); refreshed on grow
  uint64_t size = 0;
  TableType type;                   // limits.min tracks the current size
  uint64_t maxSize = 0;             // effective maximum
  std::vector<Ref> storage;
  Store* store = nullptr;           // its elements' bytes count against the store's memory limit (Store::reserveHeapBytes)
  ~TableInst();
  // Old size, or -1 (as uint64_t) past `limit` elements, the store's memory limit, or when the host allocation fails.
  uint64_t grow(uint64_t delta, Ref init, uint64_t limit);
};

struct GlobalInst {
  Value value;                      // first: JIT code reads/writes it directly
  GlobalType type;
  uint32_t typeId = 0;              // canonical id for concrete reference types (unused otherwise)
};

struct TagInst {
  uint32_t typeId = 0;
  const CompositeType* type = nullptr;
  std::unique_ptr<CompositeType> ownedType;
};

// Objects of the `any`, `extern` and `exn` hierarchies start with this 16-byte header so casts (and the collector) can
// tell them apart. i31 values are not objects: they are tagged references (bit 0 set, value in bits 1..31).
// Conversions between `any` and `extern` (any.convert_extern / extern.convert_any) keep the reference unchanged, so an
// externref holds null, an i31, a host ExternRefObject (GcKind::Host, interned for the store's life) or a GC object.
// Structs, arrays and exceptions live in the store's garbage-collected heap (runtime/exec/gc_heap.h): one block each,
// the header then the values (16-byte Value slots), never moved; `Free` marks a free cell of that heap.
enum class GcKind : uint8_t { Struct, Array, Exn, Host, Free };
struct GcObject {
  GcKind kind = GcKind::Host;
  uint8_t mark = 0;                 // collector: reached in the current collection
  uint8_t sizeClass = 0;            // heap: the cell's size class (GcHeap::kLarge: allocated alone)
  uint8_t reserved = 0;
  uint32_t typeId = UINT32_MAX;     // canonical type id (Struct/Array)
  uint32_t length = 0;              // values after the header: fields, elements, payload
  uint32_t reserved2 = 0;
};
static_assert(sizeof(GcObject) == 16, "the GC object header is 16 bytes");
struct StructObject : GcObject {
  // Packed fields hold their value zero-extended in i32.
  std::span<Value> fields() { return {reinterpret_cast<Value*>(this + 1), length}; }
};
struct ArrayObject : GcObject {
  std::span<Value> elems() { return {reinterpret_cast<Value*>(this + 1), length}; }
};
// A thrown exception (exnref): the tag and its payload values.
struct ExnObject : GcObject {
  TagInst* tag = nullptr;
  uint64_t reserved3 = 0;
  std::span<Value> payload() { return {reinterpret_cast<Value*>(this + 1), length}; }
};
static_assert(sizeof(StructObject) == 16 && sizeof(ArrayObject) == 16 && sizeof(ExnObject) == 32);
// Stores `v` into a field of storage type `t` (packed i8/i16 fields keep only their low bits).
inline Value packField(Value v, ValType t) {
  if (t.kind == ValKind::I8) return Value::fromI32(v.i32 & 0xffu);
  if (t.kind == ValKind::I16) return Value::fromI32(v.i32 & 0xffffu);
  return v;
}
inline Ref i31Ref(uint32_t v) { return reinterpret_cast<Ref>((uintptr_t(v & 0x7fffffffu) << 1) | 1); }
inline bool isI31(Ref r) { return (reinterpret_cast<uintptr_t>(r) & 1) != 0; }
inline uint32_t i31Value(Ref r) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(r) >> 1) & 0x7fffffffu; }

struct ExternRefObject : GcObject {
  uint64_t hostValue = 0;           // the value of `ref.extern N` in scripts, or an embedder's payload
};

// An importable/exportable entity.
struct Extern {
  ExternKind kind = ExternKind::Func;
  union {
    FuncInst* func;
    TableInst* table;
    MemoryInst* memory;
    GlobalInst* global;
    TagInst* tag;
    void* ptr = nullptr;
  };
  static Extern of(FuncInst* f) { Extern e; e.kind = ExternKind::Func; e.func = f; return e; }
  static Extern of(TableInst* t) { Extern e; e.kind = ExternKind::Table; e.table = t; return e; }
  static Extern of(MemoryInst* m) { Extern e; e.kind = ExternKind::Memory; e.memory = m; return e; }
  static Extern of(GlobalInst* g) { Extern e; e.kind = ExternKind::Global; e.global = g; return e; }
  static Extern of(TagInst* t) { Extern e; e.kind = ExternKind::Tag; e.tag = t; return e; }
};

// Fixed-layout view of an instance for compiled code: everything a function body touches, at fixed offsets.
struct InstanceData {
  uint8_t* memory0Base = nullptr;   // base of memory 0 (never moves); nullptr without memories
  MemoryInst* memory0 = nullptr;    // memory0->size is the current size in bytes
  MemoryInst** memories = nullptr;
  GlobalInst** globals = nullptr;
  TableInst** tables = nullptr;
  FuncInst** funcs = nullptr;
  TagInst** tags = nullptr;
  const uint32_t* typeIds = nullptr;  // canonical type id per module type index
};

struct Instance {
  InstanceData data;                // first member: JIT code gets &instance->data
  std::shared_ptr<const Module> module;  // nullptr for host instances (spectest)
  Store* store = nullptr;
  std::vector<FuncInst*> funcs;
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  std::vector<TagInst*> tags;
  std::vector<uint32_t> typeIds;
  std::unordered_map<std::string, Extern> exports;
  std::vector<std::vector<Ref>> elemSegments;  // evaluated element segments (emptied by elem.drop)
  std::vector<bool> droppedData;               // data.drop / active segments after instantiation
  std::unique_ptr<TierCode> tierData;          // per-instance data of the executing tier (e.g. lowering context)
  std::string name;                            // for diagnostics (registered name)

  void syncData();  // refresh `data` from the vectors (after building the index spaces)
  const Extern* findExport(std::string_view n) const;
};

// Resource limits of a store.
struct StoreLimits {
  // Host memory a module can make the store allocate, all together: linear memory pages, table elements (8 bytes
  // each), GC objects and exceptions (their heap cells, GcHeap::cellBytes). At the limit memory.grow/table.grow fail (-1) and
  // allocating an object traps ("out of memory").
  uint64_t maxMemoryBytes = uint64_t(16) << 30;
  uint64_t maxTableElems = 10'000'000;          // per table
  uint32_t maxCallDepth = 50'000;               // wasm frames (all tiers and nested host calls)
  uint64_t valueStackSlots = uint64_t(1) << 22; // interpreter value stack (16 bytes each; reserved, lazily committed)
  // Native (machine) stack wasm may use below the host's entry (JIT frames, interpreter re-entries through host
  // functions), like wasmtime's max_wasm_stack; 0: bounded only by the running thread's stack minus a margin
  // (runtime/base/native_stack.h). Exceeding it traps "call stack exhausted".
  uint64_t maxNativeStack = 0;
  // Reserve 8 GiB + 64 KiB for each 32-bit memory (base never moves) and catch out-of-bounds accesses with guard
  // pages and the SIGSEGV handler (exec/signals.h) instead of explicit checks; false: explicit checks only.
  bool guardPages = true;
  // Address space reserved per linear memory (its base never moves). 0: the default -- kGuardedReservation for a
  // 32-bit memory with guardPages, else the most the memory can reach under maxMemoryBytes. Any other value below
  // kGuardedReservation (rounded up to 64 KiB pages, at least the memory's initial size) reserves that much: accesses
  // are bounds-checked explicitly and memory.grow returns -1 past it. Small reservations let a process hold many more
  // memories (128 TiB of user address space / 8 GiB = 16,384 guarded ones): `--memory-reservation`,
  // myrt_config_set_memory_reservation.
  uint64_t memoryReservation = 0;
};

// Tier-up hook (auto tier): called by the interpreter when a function's poll count reaches the threshold.
using TierUpHook = void (*)(ExecContext& cx, FuncInst& f);
// Install hook (auto tier): called by the interpreter at a poll when ExecContext::tierUpReady is set (a background
// compile finished), on the store's thread; it swaps the entries of the compiled functions.
using TierInstallHook = void (*)(ExecContext& cx);
// FuncInst::optTier: the function's baseline code counts towards the optimizing tier, is queued for it, or is settled
// (runs optimized code, or the optimizing tier refused it: it stays in baseline code, never retried); then, for a
// baseline frame still running a loop of it, its OSR version is queued, or settled (built or refused).
enum OptTier : uint8_t { kOptCounting = 0, kOptQueued = 1, kOptSettled = 2, kOptOsrQueued = 3, kOptOsrSettled = 4 };
// The auto tier's third tier (StoreConfig::optTierUp): called by baseline code whose FuncInst::optBudget ran out, at
// its entry (loopOffset kNoWasmOffset) or at the head of the loop at that wasm offset; returns the entry of f's
// optimized OSR version for that loop, which the baseline frame then continues in, or null (it goes on).
using OptTierUpHook = const void* (*)(ExecContext& cx, FuncInst& f, uint32_t loopOffset);
constexpr uint32_t kNoTierUp = UINT32_MAX;  // FuncInst::hotness of a function that is never tiered up again
// On-stack replacement (auto tier): called by the interpreter at a taken loop back-edge of `f` when f has JIT code
// (FuncInst::jitCode). `loopOffset` is the wasm code offset of the loop instruction; `fp` the interpreter frame, whose
// slots at a loop head are laid out like the JIT's (locals, then the operand stack values below the loop and its
// params, each in its own slot); cx.sp lies above the frame and cx.depth does not count it. Returns false when f's
// code has no OSR entry for that loop (the interpreter goes on). Otherwise the rest of the call ran in JIT code from
// that loop's head: `*reason` is its outcome, results are in fp[0..), and a trap's backtrace already includes f.
using OsrHook = bool (*)(ExecContext& cx, FuncInst& f, uint32_t loopOffset, Value* fp, TrapReason* reason);

// MYRT_GC_STRESS is set (and not "0") in the environment (read once): every store collects at every allocation.
bool gcStressFromEnv();
// MYRT_GC_CHECK_ROOTS is set (and not "0"): every collection checks the precise value-stack roots against the
// conservative scan (a precise root outside the stack or not holding a reference aborts; objects only the
// conservative scan would keep are counted in GcStats::conservativeOnly, and freed cells are poisoned so that a use
// of an object whose root was missed crashes). Debugging aid (the gc-stress run), not for production.
bool gcCheckRootsFromEnv();

struct StoreConfig {
  StoreLimits limits;
  // Interpreter: reuse the lowered code of a function between instances of one Module whose lowering inputs are the
  // same (canonical type ids, which memories are guarded), across stores -- a copy instead of lowering again. For
  // many short-lived instances of one module (`myrt serve`: one per request). Off: every instance lowers its own.
  bool shareInterpCode = false;
  // Guarded linear memories (the 32-bit kGuardedReservation ones, not shared) go to a process-wide pool when they die
  // and are reused by the next memory of any store with this flag: zeroed and re-protected instead of an munmap, an
  // mmap, an mprotect and the page faults of a fresh mapping. For many short-lived instances (`myrt serve`).
  bool poolMemories = false;
  FuncEntry wasmEntry = nullptr;  // entry installed into every wasm function (the tier); see interp/interp.h
  // JIT tier: compile the functions the optimizing tier supports with it (issue 16, `--tier=opt`), the rest with the
  // baseline compiler (jit/common/backend.h Backend::newOptCompiler). Ignored where the backend has no such tier.
  bool optimize = false;
  TierUpHook tierUp = nullptr;    // auto tier (tiers.h): null on interpreter-only and JIT stores
  TierInstallHook tierInstall = nullptr;  // auto tier: installs finished background compiles (with tierUp)
  uint32_t tierUpThreshold = 0;   // polls of one function (entries + loop iterations) before tierUp is called
  OsrHook osr = nullptr;          // auto tier: interpreter frames enter JIT code at loop back-edges (null: never)
  // Auto tier, third tier (jit/jit.h): baseline code compiled by the tier-up counts its polls (function entries, loop
  // heads) down from optTierUpThreshold (FuncInst::optBudget) and calls optTierUp at 0, which recompiles the function
  // with the optimizing tier. 0 / null: the auto tier stops at the baseline compiler.
  OptTierUpHook optTierUp = nullptr;
  uint32_t optTierUpThreshold = 0;
  // Auto tier: the entry of the functions of a module that carries precompiled machine code (Module::precompiled: a
  // deserialized artifact, the code cache) instead of wasmEntry and without tier-up counting; its first call installs
  // the whole instance's code (jit/aot.h). Null (other tiers): wasmEntry.
  FuncEntry precompiledEntry = nullptr;
  // Collect garbage at every allocation (tests: finds a missing root at once). Also on when the environment has
  // MYRT_GC_STRESS=1 (read once per process).
  bool gcStress = false;
  // Threads compiling one instance on the JIT tier (jit/jit.h compileInstance): 0 = defaultCompileJobs(). The code
  // is the same for every value.
  uint32_t compileJobs = 0;
  // Progress of a JIT compile of an instance (`myrt run` shows it on a terminal): called after each function with the
  // wasm code bytes compiled so far and the total, from the compiling threads (concurrently: keep it cheap and
  // thread-safe). Null: not reported.
  std::function<void(uint64_t doneBytes, uint64_t totalBytes)> compileProgress;
};

// The interrupt request of a store. Any thread may set `requested` (through the shared_ptr from
// Store::interruptHandle(), which stays valid after the store dies); running wasm code polls it at function entries and
// loop back-edges and traps with TrapReason::Interrupted ("interrupted"). The flag stays set until cleared.
// Blocking host calls (WASI poll_oneoff, reads of pipes and terminals) wait on `wakeFd()` as well: request() makes it
// readable, so the call returns at once and its host function traps "interrupted" (wasi/host/poll.h).
struct InterruptFlag {
  std::atomic<uint32_t> requested{0};
  InterruptFlag() = default;
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;
  ~InterruptFlag();
  void request();
  void clear() { requested.store(0, std::memory_order_seq_cst); }
  // An eventfd that is readable after request() (created at the first call; -1 if that fails). A waiter reads the
  // flag after getting the fd, request() sets the flag before reading the fd (both seq_cst), so no request is lost.
  int wakeFd();
  void drainWake();  // empties the eventfd (a waiter that woke for a request already cleared)

 private:
  std::atomic<int> wakeFd_{-1};
};

// Stack maps of one function's frames (precise value-stack roots, docs/design.md "Garbage collection"): per safepoint
// k, the frame slots holding references to GC objects, as Value offsets from the frame pointer (negative: below it,
// the JIT's scratch slots): slots[start[k], start[k+1]) and, unless bit 31 (kNoLocals) of start[k] is set, the locals
// of such types (refLocals). `start` ends with one entry past the last safepoint.
struct StackMaps {
  static constexpr uint32_t kNoLocals = 0x80000000u;
  std::vector<int32_t> refLocals, slots;
  std::vector<uint32_t> start;
  int32_t frameLow = 0, frameHigh = 0;  // JIT: the frame's slots are [fp + frameLow, fp + frameHigh)
  size_t count() const { return start.empty() ? 0 : start.size() - 1; }
  // Starts safepoint count() (its slots follow: slots.push_back); finish() after the last one.
  void begin(bool noLocals) { start.push_back(static_cast<uint32_t>(slots.size()) | (noLocals ? kNoLocals : 0)); }
  void finish() { start.push_back(static_cast<uint32_t>(slots.size())); }
  void collect(size_t k, Value* fp, std::vector<Value*>& out) const {
    if (!(start[k] & kNoLocals))
      for (int32_t s : refLocals) out.push_back(fp + s);
    for (uint32_t i = start[k] & ~kNoLocals, e = start[k + 1] & ~kNoLocals; i < e; ++i) out.push_back(fp + slots[i]);
  }
};

// Per-store execution state (single-threaded: one thread runs a store at a time).
struct ExecContext {
  Store* store = nullptr;
  // ---- interruption: polled by every tier at function entries and loop back-edges (cheap when off) ----
  std::atomic<uint32_t>* interrupt = nullptr;  // == &store's InterruptFlag::requested (never null once the store exists)
  // Fuel: when `fuelEnabled`, executing wasm consumes fuel (about one unit per instruction; tiers may charge per block
  // at function entries and loop back-edges) and running out traps with TrapReason::FuelExhausted. `fuel` may go
  // negative by less than one block's cost before the trap.
  bool fuelEnabled = false;
  int64_t fuel = 0;
  // Auto tier (StoreConfig::tierUp): the interpreter counts polls per function (FuncInst::hotness) and calls the hook
  // at the threshold; null otherwise (then the interpreter's polls stay one load and a test). The hook starts a
  // background compile; when one finishes, the compile thread sets `tierUpReady` and the interpreter calls
  // `tierInstall` at its next slow poll, on the store's thread: entries (FuncInst::entry, jitCode) are only ever
  // written on the store's thread.
  TierUpHook tierUp = nullptr;
  TierInstallHook tierInstall = nullptr;
  uint32_t tierUpThreshold = 0;
  OsrHook osr = nullptr;            // StoreConfig::osr
  OptTierUpHook optTierUp = nullptr;  // StoreConfig::optTierUp (called by baseline code through jit::optTierUpHelper)
  // Reasons for every interpreter poll to take the slow path (pollSlow) besides fuel: the auto tier holds one per
  // instance whose functions are still counted or whose compile is not installed yet. At 0 the polls of an auto
  // store are as cheap as an interpreter store's (one load and a test of the interrupt flag). Read by the
  // interpreter when a run starts and after every slow poll; other tier-up mechanisms may hold it too.
  uint32_t tierUpActive = 0;
  std::atomic<uint32_t> tierUpReady{0};  // set (release) by a compile thread: tierInstall has work
  // OSR: set by an install while interpreter activations run (their frames of the just-compiled functions may move to
  // JIT code at a back-edge poll, which must stay slow for that); cleared when the last interpreter activation of this
  // context ends (interpActivations back to 0).
  bool osrHold = false;
  uint32_t interpActivations = 0;  // interpreter activations (runs) live on this context
  // Interpreter value stack: [stackBase, stackEnd); `sp` is the first free slot.
  Value* stackBase = nullptr;
  Value* stackEnd = nullptr;
  Value* sp = nullptr;
  uint32_t depth = 0;               // active wasm frames
  uint32_t maxDepth = 0;
  // Native stack bound: JIT prologues and the interpreter's entry trap with CallStackExhausted when the machine stack
  // pointer is below it (0: unchecked). Set by invoke() at each outermost entry from the host (hostEntries 0 -> 1)
  // from the running thread's real stack and StoreLimits::maxNativeStack (runtime/base/native_stack.h), so it is
  // right on whichever thread runs the store now; nested entries (host function -> invoke) keep it.
  uintptr_t stackLimit = 0;
  uint32_t hostEntries = 0;         // invoke() calls active on this context
  // Innermost frame of JIT code (a link {FuncInst*, previous link} in the frame, see jit/jit.h), so a fault can
  // rebuild the backtrace; nullptr outside JIT code.
  void* jitFrames = nullptr;
  // Precise roots of the value stack (collector.cpp, docs/design.md "Garbage collection"): the innermost
  // interpreter activation (its state, private to runtime/interp, links to the next outer one) and the function that
  // reports the frames of the chain: per frame stopped at a safepoint with a stack map, the slots holding GC references
  // (`slots`) and the frame's range (`covered`: no other slot of it is a root); frames without a map are left out and
  // scanned conservatively. Set by the interpreter's entry.
  // The baseline JIT's frames (linked through jitFrames) are reported the same way by `jitFrameWalker` (jit/jit.cpp,
  // set by the JIT's entry).
  void* interpStates = nullptr;
  using FrameWalker = void (*)(const ExecContext& cx, std::vector<Value*>& slots,
                               std::vector<std::pair<Value*, Value*>>& covered, uint64_t& unmapped);
  FrameWalker interpFrames = nullptr;
  FrameWalker jitFrameWalker = nullptr;
  // Trap details (valid after an entry returned a trap).
  std::string trapMessage;          // empty: use trapMessage(reason)
  // The backtrace, innermost first, as tiers unwind: per frame the defining-module function index, its instance and
  // the wasm code offset of its instruction (module-relative byte offset into the binary: the trapping instruction in
  // the innermost frame, the call in the others; kNoWasmOffset if unknown, e.g. host functions). At most
  // kBacktraceHead innermost and kBacktraceTail outermost frames are kept: frames added beyond kBacktraceHead go to a
  // ring of the last kBacktraceTail (finishBacktrace() puts it in order and counts the frames left out between).
  static constexpr size_t kBacktraceHead = 32, kBacktraceTail = 32;
  std::vector<uint32_t> backtrace;
  std::vector<const Instance*> backtraceInstances;
  std::vector<uint32_t> backtraceOffsets;
  uint64_t backtraceFrames = 0;     // frames added since the backtrace was cleared (kept or not)
  // An exception in flight across an entry boundary: an entry returning TrapReason::UncaughtException with this set
  // lets the calling tier continue unwinding (catch it); at invoke() it becomes the "uncaught exception" trap.
  ExnObject* exception = nullptr;
  // The instance of the wasm function that called the host function now running (nullptr when called from the
  // embedder): host functions such as WASI's reach the caller's memory through it (caller->data.memory0).
  Instance* caller = nullptr;
  // Calls per tier (`myrt wast --stats`, `myrt run -v`, the auto-tier tests): `interp` counts every function call
  // that ran in the interpreter; `jitEntries` every entry into JIT code from outside it (the host, the interpreter,
  // another instance's code: calls between compiled functions of one instance go direct and are not counted); `osr`
  // the interpreter frames that continued in JIT code by on-stack replacement.
  struct TierCalls {
    uint64_t interp = 0, jitEntries = 0, osr = 0;
  } tierCalls;

  TrapReason hostTrap(std::string msg) {
    trapMessage = std::move(msg);
    return TrapReason::HostTrap;
  }
  void addFrame(const FuncInst& f, uint32_t wasmOffset = kNoWasmOffset) {
    const uint64_t n = backtraceFrames++;
    if (n < kBacktraceHead + kBacktraceTail) {
      backtrace.push_back(f.index);
      backtraceInstances.push_back(f.instance);
      backtraceOffsets.push_back(wasmOffset);
      return;
    }
    const size_t i = kBacktraceHead + (n - kBacktraceHead) % kBacktraceTail;
    backtrace[i] = f.index;
    backtraceInstances[i] = f.instance;
    backtraceOffsets[i] = wasmOffset;
  }
  void clearBacktrace() {
    backtrace.clear();
    backtraceInstances.clear();
    backtraceOffsets.clear();
    backtraceFrames = 0;
  }
  // Puts the ring of outermost frames in order; returns the number of frames left out after the first
  // kBacktraceHead (0 if all were kept).
  uint64_t finishBacktrace() {
    if (backtraceFrames <= kBacktraceHead + kBacktraceTail) return 0;
    const size_t first = kBacktraceHead + (backtraceFrames - kBacktraceTail - kBacktraceHead) % kBacktraceTail;
    auto rot = [&](auto& v) { std::rotate(v.begin() + kBacktraceHead, v.begin() + first, v.end()); };
    rot(backtrace);
    rot(backtraceInstances);
    rot(backtraceOffsets);
    return backtraceFrames - kBacktraceHead - kBacktraceTail;
  }
};

// Canonical function/composite type ids: two type indices (possibly in different modules) denote the same type iff
// their ids are equal (iso-recursive equivalence: a rec group is identified by its structure, with references inside
// the group kept relative and references outside it replaced by their canonical ids).
class TypeRegistry {
 public:
  // Canonical ids for all types of a module, in type index order.
  std::vector<uint32_t> canonicalize(const Module& m);
  // Id of a standalone function type (a final type in a rec group of its own), e.g. for host functions.
  uint32_t funcTypeId(const CompositeType& ft);
  const CompositeType* type(uint32_t id) const { return id < types_.size() ? types_[id].get() : nullptr; }
  // Declared (transitive) subtyping between canonical ids: a == b, or b is on a's chain of declared supertypes.
  bool isSubtype(uint32_t a, uint32_t b) const {
    for (unsigned steps = 0; a < supers_.size() && steps < 64; ++steps) {  // depth is bounded by the validator (63)
      if (a == b) return true;
      a = supers_[a];
    }
    return a == b;
  }
  // The collector's view of a type: which of its values hold references to GC objects (heap types outside the func
  // hierarchy): struct field indices, a func type's params (an exception's payload), {0} for an array whose elements
  // do. Empty for an unknown id.
  const std::vector<uint32_t>& tracedSlots(uint32_t id) const {
    static const std::vector<uint32_t> kNone;
    return id < traced_.size() ? traced_[id] : kNone;
  }

 private:
  static std::vector<uint32_t> tracedOf(const CompositeType& c, const Module* m);  // collector.cpp
  std::vector<std::vector<uint32_t>> traced_;  // by id
  std::vector<uint32_t> supers_;  // by id: canonical id of the declared supertype, UINT32_MAX if none
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::unique_ptr<CompositeType>> types_;  // by id (composite with module-relative indices; informational)
};

// The mutable state of a store's runtime objects at one moment (Store::snapshot): the contents and size of every
// linear memory, the elements of every table, the value of every global, the element and data segments not yet
// dropped. Store::restore puts it back, so the store's instances are as they were when it was taken -- `myrt serve`
// takes it right after instantiating a component and restores it after each request: the next request gets an
// instance in the state a fresh instantiation leaves (the code lowered or compiled by earlier requests stays).
struct StoreSnapshot {
  struct Memory {
    uint64_t size = 0;           // bytes
    std::vector<uint8_t> bytes;  // [0, size), unless `image`
    bool image = false;          // this snapshot mapped the memory copy-on-write from its image (MemoryInst::imageMapped)
  };
  std::vector<Memory> memories;                  // parallel to the store's memories
  std::vector<std::vector<Ref>> tables;          // parallel to the store's tables
  std::vector<Value> globals;                    // parallel to the store's globals
  std::vector<std::vector<std::vector<Ref>>> elemSegments;  // per instance
  std::vector<std::vector<bool>> droppedData;    // per instance
  size_t funcs = 0, tags = 0;                    // object counts (restore refuses when objects were added)
  uint64_t memoryBytes = 0;
};

class Store {
 public:
  explicit Store(const StoreConfig& config = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreConfig& config() const { return config_; }
  StoreConfig& config() { return config_; }
  ExecContext& context() { return cx_; }
  // Handle for interrupting this store from another thread (see InterruptFlag).
  std::shared_ptr<InterruptFlag> interruptHandle() const { return interrupt_; }
  InterruptFlag& interruptFlag() { return *interrupt_; }  // for blocking host calls on the store's thread
  // Fuel (see ExecContext::fuel): enable with an amount, or disable (std::nullopt-like: enabled=false).
  void setFuel(bool enabled, int64_t amount = 0) { cx_.fuelEnabled = enabled; cx_.fuel = amount; }
  TypeRegistry& types() { return types_; }
  // Takes a snapshot (StoreSnapshot) of this store's state. Errors ("unsupported: ...") for a store whose state it
  // cannot capture: a shared memory (other threads may write it), live garbage-collected objects or pinned references.
  // A memory of at least `copyOnWriteFrom` bytes is remapped copy-on-write from its image (a memfd): restoring it
  // is then an madvise(MADV_DONTNEED) that costs in proportion to the pages written since, instead of a copy of the
  // whole image. Smaller memories are copied back (a memcpy of a few pages beats the page faults).
  static constexpr uint64_t kCopyOnWriteFrom = uint64_t(1) << 20;
  Result<std::unique_ptr<StoreSnapshot>> snapshot(uint64_t copyOnWriteFrom = kCopyOnWriteFrom);
  // Puts the state of `snap` (taken of this store) back, clears a pending interrupt and the execution context.
  // Memories grown since shrink back (the pages beyond are zeroed and made inaccessible again); objects made since
  // (GC objects, exceptions) are collected. False when the store cannot be put back -- objects other than GC ones
  // were added since (functions, memories, tables, globals, tags, instances): then the caller drops the store.
  // Call it only when no wasm code of this store runs.
  bool restore(const StoreSnapshot& snap);

  // ---- object creation (objects live as long as the store, except the garbage-collected ones below) ----
  FuncInst* newHostFunc(CompositeType type, HostFunc fn);
  FuncInst* newFunc();
  Result<MemoryInst*> newMemory(const MemoryType& type);
  Result<TableInst*> newTable(const TableType& type, Ref init);
  GlobalInst* newGlobal(const GlobalType& type, Value v);
  TagInst* newTag(CompositeType type);
  TagInst* newTag();
  Instance* newInstance();
  // Extern references are interned by host value, so `ref.extern 1` is the same reference every time.
  Ref externRef(uint64_t hostValue);
  // Garbage-collected objects (runtime/exec/gc_heap.h, collector.cpp): exceptions (payload to be filled by the
  // caller), GC structs and arrays (fields/elements zeroed: null / 0). nullptr when the store's memory limit is
  // reached even after a collection, or the host allocation fails (the caller traps "out of memory").
  // Any of them may collect first (a safepoint): every reference the caller still needs must be reachable from a
  // root then (see collectGarbage); values in the value stack below cx.sp are.
  ExnObject* newException(TagInst* tag, size_t payloadSize = 0);
  StructObject* newStruct(uint32_t typeId, size_t numFields);
  ArrayObject* newArray(uint32_t typeId, size_t length);
  static uint64_t externRefValue(Ref r) { return static_cast<ExternRefObject*>(r)->hostValue; }

  // ---- garbage collection (docs/design.md "Garbage collection") ----
  // Mark-sweep from the roots: the value stack [stackBase, cx.sp) -- interpreter frames precisely by their stack
  // maps (ExecContext::interpFrames), the rest conservatively (a slot is a root when it holds the exact address of a
  // live heap object) --, globals, table elements, element segments, the exception in flight (cx.exception),
  // references pinned by the embedder (pinRef). Never moves an object.
  void collectGarbage();
  // References held outside wasm (C API handles): kept alive while pinned (counted: pin twice, unpin twice).
  void pinRef(Ref r);
  void unpinRef(Ref r);
  // While a GcInhibit exists, allocation never collects (instantiation holds references in C++ locals).
  struct GcInhibit {
    explicit GcInhibit(Store& s) : s_(s) { ++s_.gcInhibit_; }
    ~GcInhibit() { --s_.gcInhibit_; }
    GcInhibit(const GcInhibit&) = delete;
    GcInhibit& operator=(const GcInhibit&) = delete;
    Store& s_;
  };
  // Collect at every allocation (StoreConfig::gcStress, MYRT_GC_STRESS=1): finds missing roots in tests.
  bool gcStress() const { return gcStress_; }
  void setGcStress(bool on) { gcStress_ = on; }
  struct GcStats {
    uint64_t collections = 0;
    uint64_t freedBytes = 0;
    uint64_t totalPauseNs = 0, maxPauseNs = 0;
    uint64_t peakHeapBytes = 0;  // most heap bytes (heapBytes()) allocated at once
    // Value-stack roots: slots reported precisely by stack maps, slots scanned conservatively (frames without a map:
    // JIT frames, invoke's arguments, functions of modules without GC types), interpreter frames whose position had
    // no map (scanned conservatively; none expected).
    uint64_t preciseSlots = 0, conservativeSlots = 0, unmappedFrames = 0;
    // MYRT_GC_CHECK_ROOTS: objects a stack slot pointed to that the precise roots did not keep (freed and poisoned).
    uint64_t conservativeOnly = 0;
  };
  const GcStats& gcStats() const { return gcStats_; }
  // A collection is due once this many bytes were allocated since the last one, or as many as were live after it if
  // that is more: the heap stays within about twice its live size, and each collection (whose cost is proportional
  // to the live objects plus the heap's cells) is paid for by at least as many bytes of allocation.
  static constexpr uint64_t kMinGcTrigger = uint64_t(4) << 20;

  // Memory accounting: one store-wide byte limit (StoreLimits::maxMemoryBytes) for linear memory, table elements and
  // heap objects. A heap object is charged its cell size (GcHeap::cellBytes) when created and gives it back when the
  // collector frees it.
  bool reserveMemoryBytes(uint64_t bytes);
  // For memory.grow / table.grow (any tier, the C API): reserveMemoryBytes, and at the limit a collection and one
  // retry, so garbage does not make a grow fail (not while a GcInhibit exists). Callers are at a safepoint (every
  // tier's values are in the value stack below cx.sp there, as at an allocation). Never called for a shared memory,
  // which may grow on a thread other than its store's.
  bool reserveGrowBytes(uint64_t bytes);
  void releaseMemoryBytes(uint64_t bytes) { memoryBytes_ -= bytes; }
  void releaseHeapBytes(uint64_t bytes) { heapBytes_ -= bytes; releaseMemoryBytes(bytes); }
  uint64_t memoryBytes() const { return memoryBytes_; }  // everything counted (memories, tables, heap)
  uint64_t heapBytes() const { return heapBytes_; }      // live (or not yet collected) GC objects and exceptions
  // What the heap holds from the system: its chunks of small cells and its large objects (>= heapBytes()).
  uint64_t heapFootprintBytes() const { return heap_.chunkBytes() + heap_.largeBytes(); }

  // Registered instances by name (the script `register` command / host modules).
  std::unordered_map<std::string, Instance*> registered;
  // Functions the JIT tier compiled into machine code, and those it left in the interpreter with the reason
  // ("function 3 (name): unsupported: ..."), per store (jit/jit.cpp). `myrt run/wast --tier=jit` fail on a fallback.
  uint64_t jitCompiledFuncs = 0;
  uint64_t optCompiledFuncs = 0;  // of jitCompiledFuncs: compiled by the optimizing tier (StoreConfig::optimize)
  std::vector<std::string> jitFallbacks;

  // Per-store state of the executing tier (e.g. the auto tier's background compiles, jit/jit.cpp). Destroyed first
  // when the store dies, before any runtime object, so it can cancel or wait for work that refers to them.
  std::unique_ptr<TierCode> tierState;
  // Component-model state of this store (runtime/component/runtime.h: component instances, handle tables); null
  // until a component is instantiated. It refers to the store's objects but never uses them while dying.
  std::unique_ptr<TierCode> componentState;

 private:
  bool initStack();

  StoreConfig config_;
  std::shared_ptr<InterruptFlag> interrupt_ = std::make_shared<InterruptFlag>();
  ExecContext cx_;
  TypeRegistry types_;
  std::atomic<uint64_t> memoryBytes_{0};  // atomic: a shared memory may grow on another thread
  uint64_t heapBytes_ = 0;
  bool reserveHeapBytes(uint64_t bytes);
  GcObject* newHeapObject(GcKind kind, size_t headerBytes, uint64_t slots);
  void markValueStack();
  void checkConservativeOnly();
  void markFrom(Ref r);
  void drainMarkStack();
  GcHeap heap_;
  std::vector<GcObject*> markStack_;
  std::vector<Value*> rootSlots_;                       // collectGarbage's scratch: precise value-stack roots
  std::vector<std::pair<Value*, Value*>> coveredFrames_;  // and the frame ranges they came from
  std::unordered_map<Ref, uint64_t> pinned_;
  uint64_t allocatedSinceGc_ = 0;
  uint64_t gcTrigger_ = kMinGcTrigger;  // allocatedSinceGc_ at which the next allocation collects
  uint32_t gcInhibit_ = 0;
  bool gcStress_ = false;
  GcStats gcStats_;
  std::vector<std::unique_ptr<FuncInst>> funcs_;
  std::vector<std::unique_ptr<MemoryInst>> memories_;
  std::vector<std::unique_ptr<TableInst>> tables_;
  std::vector<std::unique_ptr<GlobalInst>> globals_;
  std::vector<std::unique_ptr<TagInst>> tags_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::unordered_map<uint64_t, std::unique_ptr<ExternRefObject>> externRefs_;
  size_t stackBytes_ = 0;
};

}  // namespace myrt
