// jit/common/compile_service.cpp -- see compile_service.h.
#include "jit/common/compile_service.h"

#include <system_error>

#include <algorithm>
#include <atomic>

namespace myrt::jit {

namespace {
// Whether the service exists and is not destroyed yet (constant-initialized and trivially destructible, so it can be
// read during static destruction).
std::atomic<bool> gAlive{false};
}  // namespace

CompileService& CompileService::get() {
  static CompileService service;  // destroyed at exit: the destructor stops and joins the thread
  gAlive.store(true, std::memory_order_release);
  return service;
}

void CompileService::cancelIfAlive(const void* owner) {
  if (gAlive.load(std::memory_order_acquire)) get().cancel(owner);
}

CompileService::~CompileService() {
  gAlive.store(false, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool CompileService::submit(const void* owner, std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return false;
    queue_.push_back(Item{owner, std::move(work)});  // std::bad_alloc: nothing queued
    if (!thread_.joinable()) {
      try {
        thread_ = std::thread([this] { loop(); });
      } catch (const std::system_error&) {
        queue_.pop_back();
        return false;
      }
    }
  }
  cv_.notify_one();
  return true;
}

void CompileService::cancel(const void* owner) {
  std::deque<Item> dropped;  // destroyed outside the lock
  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->owner == owner) {
      dropped.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  idle_.wait(lock, [&] { return running_ != owner; });
  lock.unlock();
}

void CompileService::wait(const void* owner) {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [&] {
    return running_ != owner && std::none_of(queue_.begin(), queue_.end(), [&](const Item& i) { return i.owner == owner; });
  });
}

void CompileService::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    running_ = item.owner;
    lock.unlock();
    item.work();
    item.work = nullptr;  // captured state is released before the owner can see the item finished
    lock.lock();
    running_ = nullptr;
    idle_.notify_all();
  }
}

}  // namespace myrt::jit
