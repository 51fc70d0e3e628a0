// serve/handler.h -- running a wasi:http proxy component (one that exports wasi:http/incoming-handler) for one request
// at a time per calling thread, with a fresh instance per request: each request runs on an instance of the one decoded
// and validated Component in the state instantiation leaves, so nothing a request leaves behind (memory, globals,
// tables, handles) reaches the next, and a trap, timeout, fuel exhaustion or memory limit ends only that request (its
// outcome is an error, which the server answers with 500).
//
// Per thread (a pool of Workers, one taken per request) the WASI 0.2 and wasi:http host contexts and the Linker bound
// to them are built once and reset between requests, and one Store holds the instantiated component with a snapshot
// of its state right after instantiation (Store::snapshot, component::snapshotComponents), put back after every
// request: a request pays for its call and the restore, not for an instantiation. After a trap the store is dropped
// and the next request instantiates again; without a snapshot (a start function called the host, a shared memory)
// every request does (docs/design.md "myrt serve").
// Timeouts: one timer thread for all requests requests an interrupt of a request's store at its deadline.
// Layer: serve (depends on engine, runtime/component, wasi). Used by serve/server.cpp and the C API.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/tiers.h"
#include "runtime/exec/engine.h"
#include "runtime/base/result.h"
#include "runtime/component/component.h"
#include "wasi/host/config.h"
#include "wasi/p2/http.h"

namespace myrt::serve {

struct HandlerConfig {
  Tier tier = Tier::Interp;
  StoreLimits limits;                      // per request (--max-memory ...)
  std::optional<uint64_t> fuel;            // per request
  std::optional<uint64_t> timeoutMs;       // per request, wall time
  uint64_t bodyLimit = uint64_t(64) << 20;  // request and response bodies (bytes)
  wasi::WasiConfig wasi;                   // env, preopens for the guest (no args, no stdin)
};

// The answer to one request. `error` is set when the guest failed (the server answers 500 and logs it); when the
// guest trapped (a timeout is the trap "interrupted"), `trap` is that trap too, its frames without instances (the
// request's store is gone): function indices and offsets; `trapText` is its whole text with function names.
struct Outcome {
  uint16_t status = 500;
  wasi::p2::HeaderList headers;
  std::string body;
  std::string error;  // "" = the guest's own response
  std::optional<Trap> trap;
  std::string trapText;
};

// Requests an interrupt of a store at a deadline (one thread for every request).
class Deadlines {
 public:
  Deadlines() = default;
  ~Deadlines();
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;
  using Id = uint64_t;
  Id add(std::chrono::steady_clock::time_point when, std::shared_ptr<InterruptFlag> flag);
  void remove(Id id);

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::pair<Id, std::shared_ptr<InterruptFlag>>> pending_;
  Id next_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

class ProxyHandler {
 public:
  // Checks that the component links against the WASI 0.2 + wasi:http host and exports
  // wasi:http/incoming-handler#handle, by instantiating it once.
  static Result<std::unique_ptr<ProxyHandler>> create(std::shared_ptr<const component::Component> comp,
                                                      HandlerConfig config);
  ~ProxyHandler();
  // Runs one request on the calling thread (any number of threads at once).
  Outcome handle(wasi::p2::HttpRequestData request);
  const HandlerConfig& config() const { return config_; }

 private:
  struct Worker;
  ProxyHandler(std::shared_ptr<const component::Component> comp, HandlerConfig config);
  Result<std::unique_ptr<Worker>> makeWorker();
  // A new store with the component instantiated for `w` (and its snapshot when it can be taken); with `deadline`
  // under the per-request fuel and timeout (the deadline it added).
  Status instantiate(Worker& w, std::optional<Deadlines::Id>* deadline);
  // Puts the per-request fuel and timeout on `store` (the deadline added goes to *deadline).
  void limit(Worker& w, Store& store, std::optional<Deadlines::Id>* deadline);
  std::unique_ptr<Worker> acquire(std::string* error);
  void release(std::unique_ptr<Worker> w);

  std::shared_ptr<const component::Component> comp_;
  HandlerConfig config_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Worker>> idle_;
  Deadlines deadlines_;
};

}  // namespace myrt::serve
