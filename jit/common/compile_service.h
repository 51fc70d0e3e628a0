// jit/common/compile_service.h -- the background compile thread of the auto tier: one process-wide worker that runs
// submitted work items in order, with per-owner cancellation (a store that dies drops its queued work and waits for
// the item that is running). Process-wide rather than per store: an embedder may create many stores, and the auto
// tier submits one drain of a store's queue of hot functions at a time, so one thread serves them all without
// multiplying threads; one worker
// also keeps the compile from competing with more than one core of the program it speeds up.
// Layer: jit/common (depends only on the C++ library).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace myrt::jit {

class CompileService {
 public:
  // The process's service (its thread starts with the first submit and is joined at exit).
  static CompileService& get();
  ~CompileService();

  // Runs `work` on the compile thread, after the work submitted before it. `owner` names the submitter for cancel()
  // and wait().
  // False when it cannot run (the service stopped, or no compile thread could be started): nothing was queued.
  bool submit(const void* owner, std::function<void()> work);
  // Drops the owner's queued work (destroying it unrun) and waits until none of the owner's work is running. After
  // it returns, the service no longer touches anything the owner's work captured.
  void cancel(const void* owner);
  // Waits until none of the owner's work is queued or running.
  void wait(const void* owner);
  // cancel(owner) on the process's service if it exists and has not been destroyed at exit yet (a store that dies
  // during static destruction, after the service: its work was dropped or finished when the service was joined).
  static void cancelIfAlive(const void* owner);

 private:
  CompileService() = default;
  void loop();
  struct Item {
    const void* owner;
    std::function<void()> work;
  };
  std::mutex mu_;
  std::condition_variable cv_;      // work queued or stop
  std::condition_variable idle_;    // an item finished
  std::deque<Item> queue_;
  const void* running_ = nullptr;   // owner of the item being run
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace myrt::jit
