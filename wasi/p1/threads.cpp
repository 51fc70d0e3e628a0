// wasi/p1/threads.cpp -- wasi-threads' thread-spawn: a store and instance per thread, the program's ending
// (first proc_exit or trap wins, every store interrupted), joining. See threads.h.
// Layer: wasi/p1 (depends on runtime/exec).
#include "wasi/p1/threads.h"

#include <system_error>

namespace myrt::wasi {

struct WasiThreads::Thread {
  uint32_t tid = 0;
  std::shared_ptr<InterruptFlag> interrupt;
  std::thread thread;
  std::atomic<bool> done{false};
};

namespace {
constexpr uint32_t kMaxTid = 0x1FFFFFFF;  // the ABI's thread ids are 1 .. 2^29-1 (wasi-libc keeps 3 bits for flags)
}  // namespace

WasiThreads::WasiThreads(WasiContext& ctx, ThreadsConfig config) : ctx_(ctx), config_(std::move(config)) {}

WasiThreads::~WasiThreads() { stopAndJoin(); }

Instance* WasiThreads::addToStore(Store& store) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!mainInterrupt_) mainInterrupt_ = store.interruptHandle();
  }
  Instance* inst = store.newInstance();
  inst->name = kThreadsModuleName;
  CompositeType ft;
  ft.kind = CompKind::Func;
  ft.params.push_back(ValType::i32());
  ft.results.push_back(ValType::i32());
  FuncInst* f = store.newHostFunc(std::move(ft), [this](ExecContext&, std::span<const Value> args,
                                                        std::span<Value> results) {
    results[0] = Value::fromI32(static_cast<uint32_t>(spawn(args[0].i32)));
    return TrapReason::None;
  });
  inst->funcs.push_back(f);
  inst->exports.emplace("thread-spawn", Extern::of(f));
  inst->exports.emplace("thread_spawn", Extern::of(f));  // the name of the proposal's first drafts
  store.registered[kThreadsModuleName] = inst;
  return inst;
}

int32_t WasiThreads::spawn(uint32_t startArg) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (end_ || stopping_) return -1;
    reapFinished();
    if (running_.load() >= config_.maxThreads) return -1;
  }
  const uint32_t tid = nextTid_.fetch_add(1);
  if (tid > kMaxTid) return -1;
  auto made = config_.newStore();
  if (!made.ok()) return -1;
  std::unique_ptr<Store> store = std::move(made).value();
  store->registered[kModuleName] = ctx_.createInstance(*store, config_.module.get());
  addToStore(*store);
  auto imports = config_.link(*store);
  if (!imports.ok()) return -1;
  std::optional<Trap> startTrap;
  auto inst = instantiate(*store, config_.module, *imports, &startTrap);
  if (!inst.ok()) {
    // A start function that calls proc_exit ends the program like any other thread's exit.
    if (startTrap && isExitTrap(*startTrap) && ctx_.exitCode()) endProgram(ThreadsEnd{tid, ctx_.exitCode(), {}, nullptr});
    return -1;
  }
  FuncInst* start = findExportedFunc(**inst, "wasi_thread_start");
  if (!start || start->numParams() != 2 || start->numResults() != 0 || start->type->params[0] != ValType::i32() ||
      start->type->params[1] != ValType::i32())
    return -1;
  auto t = std::make_unique<Thread>();
  t->tid = tid;
  t->interrupt = store->interruptHandle();
  Thread& ref = *t;
  std::lock_guard<std::mutex> lock(mu_);
  if (end_ || stopping_) return -1;
  running_.fetch_add(1);
  try {
    ref.thread = std::thread([this, &ref, s = std::move(store), start, startArg]() mutable {
      runThread(ref, std::move(s), start, startArg);
    });
  } catch (const std::system_error&) {  // the host refused a thread (EAGAIN): the guest sees an error
    running_.fetch_sub(1);
    return -1;
  }
  threads_.push_back(std::move(t));
  spawned_.fetch_add(1);
  return static_cast<int32_t>(tid);
}

void WasiThreads::runThread(Thread& t, std::unique_ptr<Store> store, FuncInst* start, uint32_t startArg) {
  const Value args[2] = {Value::fromI32(t.tid), Value::fromI32(startArg)};
  InvokeResult r = invoke(*store, start, args, {});
  if (r.trap) {
    ThreadsEnd e;
    e.tid = t.tid;
    if (isExitTrap(*r.trap) && ctx_.exitCode()) e.exitCode = ctx_.exitCode();
    else e.trap = std::move(*r.trap);
    if (e.trap) e.trapStore = std::shared_ptr<Store>(std::move(store));
    endProgram(std::move(e));  // no effect when the program has ended already (then this thread was interrupted)
  }
  store.reset();  // the thread's instance and store end on their own thread (unless its trap ends the program)
  running_.fetch_sub(1);
  t.done.store(true);
}

void WasiThreads::reapFinished() {
  std::erase_if(threads_, [](std::unique_ptr<Thread>& t) {
    if (!t->done.load()) return false;
    if (t->thread.joinable()) t->thread.join();  // it has finished its work: the join returns at once
    return true;
  });
}

bool WasiThreads::endProgram(ThreadsEnd end) {
  std::lock_guard<std::mutex> lock(mu_);
  if (end_) return false;
  end_ = std::move(end);
  if (mainInterrupt_) mainInterrupt_->request();
  for (auto& t : threads_)
    if (!t->done.load()) t->interrupt->request();
  return true;
}

std::optional<ThreadsEnd> WasiThreads::programEnd() const {
  std::lock_guard<std::mutex> lock(mu_);
  return end_;
}

void WasiThreads::stopAndJoin() {
  std::vector<std::unique_ptr<Thread>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;  // no thread starts after this
    for (auto& t : threads_)
      if (!t->done.load()) t->interrupt->request();
    all.swap(threads_);
  }
  for (auto& t : all)
    if (t->thread.joinable()) t->thread.join();
}

}  // namespace myrt::wasi
