// wasi/p1/threads.h -- wasi-threads: the `wasi` module's `thread-spawn` (the wasm32-wasip1-threads ABI, as wasmtime
// and WAMR implement it). A program imports a shared memory and `wasi.thread-spawn(start_arg) -> tid`; each spawned
// thread gets a store of its own with a fresh instance of the same module, importing the same shared memory (its
// MemoryInst: the base never moves, growth is serialized, runtime/exec/store.h) and the same WASI context (one fd
// table: wasi/p1/context.h WasiState::mu), and runs its exported `wasi_thread_start(tid, start_arg)` on a new host
// thread. thread-spawn returns the tid (1 .. 0x1FFFFFFF) or -1 (too many running threads, instantiation failed).
//
// Ending: returning from wasi_thread_start ends that thread only. proc_exit or a trap in any thread ends the whole
// program: the first ending (ThreadsEnd) is recorded and every store of the program -- the main one and each
// thread's -- is interrupted (busy loops stop at their next poll, memory.atomic.wait within 20 ms, WASI waits at
// once: runtime/exec/store.h InterruptFlag); the embedder (cli/run.cpp) reports the recorded ending. When the main
// thread's _start ends, the embedder calls endProgram too, and the destructor (or stopAndJoin) interrupts and joins
// every thread.
// Layer: wasi/p1 (depends on runtime/exec); stores are made by the embedder (ThreadsConfig::newStore), so no tier
// is known here.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "runtime/base/result.h"
#include "runtime/exec/engine.h"
#include "runtime/exec/store.h"
#include "wasi/p1/wasi.h"

namespace myrt::wasi {

constexpr uint32_t kDefaultMaxThreads = 256;  // spawned threads running at once (`myrt run --max-threads`)
constexpr const char* kThreadsModuleName = "wasi";

// How a program ended, when a thread ended it (or the main thread, through endProgram).
struct ThreadsEnd {
  uint32_t tid = 0;                  // 0: the main thread
  std::optional<uint32_t> exitCode;  // proc_exit's status
  std::optional<Trap> trap;          // a trap (exitCode is then unset)
  // A spawned thread's store, kept while its trap may be reported: the backtrace names functions of its instance.
  std::shared_ptr<Store> trapStore;
};

struct ThreadsConfig {
  std::shared_ptr<const Module> module;  // every thread instantiates this module
  // A store for a new thread (the embedder's tier, limits, fuel...). Called on the spawning thread.
  std::function<Result<std::unique_ptr<Store>>()> newStore;
  // The imports of a thread's instance in `store`, whose `registered` map already holds this program's
  // wasi_snapshot_preview1 and wasi (thread-spawn) instances; shared memory imports must resolve to the main
  // instance's memories.
  std::function<Result<std::vector<Extern>>(Store& store)> link;
  uint32_t maxThreads = kDefaultMaxThreads;  // running at once; thread-spawn returns -1 beyond
};

class WasiThreads {
 public:
  WasiThreads(WasiContext& ctx, ThreadsConfig config);
  ~WasiThreads();  // stopAndJoin()
  WasiThreads(const WasiThreads&) = delete;
  WasiThreads& operator=(const WasiThreads&) = delete;

  // A host instance exporting `thread-spawn` (also under its older name `thread_spawn`) in `store`, registered as
  // store.registered["wasi"]. The first store it is added to is the main thread's (interrupted by endProgram).
  Instance* addToStore(Store& store);

  // Records `end` if nothing ended the program before and interrupts every store of it. Returns true if this call
  // was the first ending.
  bool endProgram(ThreadsEnd end);
  // The first ending recorded (by a thread, or by the main thread through endProgram).
  std::optional<ThreadsEnd> programEnd() const;
  // Interrupts every thread still running and joins them all (the program is over).
  void stopAndJoin();

  uint32_t spawnedTotal() const { return spawned_.load(); }
  uint32_t running() const { return running_.load(); }

 private:
  struct Thread;
  int32_t spawn(uint32_t startArg);
  void runThread(Thread& t, std::unique_ptr<Store> store, FuncInst* start, uint32_t startArg);
  void reapFinished();  // joins threads that have ended (called with mu_ held)

  WasiContext& ctx_;
  ThreadsConfig config_;
  mutable std::mutex mu_;
  std::shared_ptr<InterruptFlag> mainInterrupt_;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::optional<ThreadsEnd> end_;
  bool stopping_ = false;  // stopAndJoin ran: thread-spawn fails
  std::atomic<uint32_t> nextTid_{1}, spawned_{0}, running_{0};
};

}  // namespace myrt::wasi
