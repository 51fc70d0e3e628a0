// serve/handler.cpp -- one request = one Store + one instance of the component + handle(request, response-out)
// (see handler.h), on a Worker (host contexts + Linker) taken from a pool.
// Layer: serve.
#include "serve/handler.h"

#include "runtime/component/instance.h"
#include "runtime/exec/engine.h"
#include "wasi/p2/context.h"
#include "wasi/p2/http_link.h"
#include "wasi/p2/link.h"
#include "wasi/p2/sockets_link.h"

namespace myrt::serve {

using wasi::p2::HttpRequestData;

// ---------------------------------------------------------------------------------------------------------------
// Deadlines

Deadlines::~Deadlines() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Deadlines::Id Deadlines::add(std::chrono::steady_clock::time_point when, std::shared_ptr<InterruptFlag> flag) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  const Id id = next_++;
  const bool first = pending_.empty() || when < pending_.begin()->first;
  pending_.emplace(when, std::make_pair(id, std::move(flag)));
  if (first) cv_.notify_all();
  return id;
}

void Deadlines::remove(Id id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->second.first != id) continue;
    pending_.erase(it);
    return;
  }
}

void Deadlines::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    if (std::chrono::steady_clock::now() >= first->first) {
      first->second.second->request();
      pending_.erase(first);
      continue;
    }
    const auto when = first->first;  // a copy: the entry may be removed while this thread waits
    cv_.wait_until(lock, when);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ProxyHandler

struct ProxyHandler::Worker {
  std::unique_ptr<wasi::p2::WasiP2> io;
  std::unique_ptr<wasi::p2::WasiHttp> http;
  std::unique_ptr<wasi::p2::WasiSockets> sockets;
  component::Linker linker;
  wasi::p2::HttpResourceTypes types;
  // The instance the next request runs on: a store with the component instantiated (null: instantiate afresh), and
  // when its state could be captured right after instantiation, that state (null: the store serves one request).
  std::unique_ptr<Store> store;
  component::ComponentFunc* handle = nullptr;
  std::unique_ptr<StoreSnapshot> snap;
  std::shared_ptr<const component::ComponentSnapshot> componentSnap;
};

namespace {

constexpr const char* kHandlerInterface = "wasi:http/incoming-handler@0.2.0";  // any 0.2.x export matches

std::string errorText(const Error& e) { return e.offset != Error::kNoOffset ? e.toString() : e.message; }

}  // namespace

ProxyHandler::ProxyHandler(std::shared_ptr<const component::Component> comp, HandlerConfig config)
    : comp_(std::move(comp)), config_(std::move(config)) {}

ProxyHandler::~ProxyHandler() = default;

Result<std::unique_ptr<ProxyHandler::Worker>> ProxyHandler::makeWorker() {
  auto w = std::make_unique<Worker>();
  MYRT_ASSIGN(w->io, wasi::p2::WasiP2::create(config_.wasi));
  w->http = std::make_unique<wasi::p2::WasiHttp>(*w->io, config_.bodyLimit, config_.wasi.network);
  wasi::p2::addToLinker(w->linker, *w->io);
  w->types = wasi::p2::addHttpToLinker(w->linker, *w->io, *w->http);
  w->sockets = std::make_unique<wasi::p2::WasiSockets>(*w->io, config_.wasi.network);
  wasi::p2::addSocketsToLinker(w->linker, *w->io, *w->sockets);
  return w;
}

void ProxyHandler::limit(Worker& w, Store& store, std::optional<Deadlines::Id>* deadline) {
  if (config_.fuel) store.setFuel(true, static_cast<int64_t>(*config_.fuel));
  if (!config_.timeoutMs) return;
  InterruptFlag& flag = store.interruptFlag();
  w.io->setInterrupt(wasi::host::Interrupt{&flag.requested, flag.wakeFd()});
  *deadline = deadlines_.add(std::chrono::steady_clock::now() + std::chrono::milliseconds(*config_.timeoutMs),
                             store.interruptHandle());
}

Status ProxyHandler::instantiate(Worker& w, std::optional<Deadlines::Id>* deadline) {
  w.store.reset();
  w.snap.reset();
  w.componentSnap.reset();
  w.handle = nullptr;
  MYRT_ASSIGN(std::unique_ptr<Store> store, makeStore(config_.tier, config_.limits));
  store->config().shareInterpCode = true;  // the same modules every instantiation: lower each function once
  store->config().poolMemories = true;     // and reuse their memories' reservations
  if (deadline) limit(w, *store, deadline);
  auto inst = component::instantiate(*store, comp_, w.linker);
  if (!inst) return Error("instantiation failed: " + errorText(inst.error()));
  w.handle = component::findFunc(**inst, kHandlerInterface, "handle");
  if (!w.handle) return Error("the component exports no wasi:http/incoming-handler@0.2.x (a wasi:http proxy world component is needed)");
  // The state right after instantiation, put back after each request (restore): the next request's instance is
  // as a fresh instantiation leaves it, without instantiating again. Not when that state cannot be captured (a start
  // function called the host, a shared memory, GC objects): then every request instantiates afresh.
  if (auto snap = store->snapshot()) {
    if (auto csnap = component::snapshotComponents(*store)) {
      w.snap = std::move(*snap);
      w.componentSnap = std::move(*csnap);
    }
  }
  w.store = std::move(store);
  return okStatus();
}

Result<std::unique_ptr<ProxyHandler>> ProxyHandler::create(std::shared_ptr<const component::Component> comp,
                                                           HandlerConfig config) {
  config.wasi.args.clear();
  config.wasi.stdinFd = -1;
  std::unique_ptr<ProxyHandler> h(new ProxyHandler(std::move(comp), std::move(config)));
  MYRT_ASSIGN(auto worker, h->makeWorker());
  // Instantiate once: missing imports and a missing handler export are errors now, not 500s later. The instance
  // serves the first request (its snapshot the next ones).
  MYRT_TRY(h->instantiate(*worker, nullptr));
  h->release(std::move(worker));
  return h;
}

std::unique_ptr<ProxyHandler::Worker> ProxyHandler::acquire(std::string* error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto w = std::move(idle_.back());
      idle_.pop_back();
      return w;
    }
  }
  auto w = makeWorker();
  if (!w) {
    *error = w.error().message;
    return nullptr;
  }
  return std::move(*w);
}

void ProxyHandler::release(std::unique_ptr<Worker> w) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(w));
}

Outcome ProxyHandler::handle(HttpRequestData request) {
  Outcome out;
  std::unique_ptr<Worker> w = acquire(&out.error);
  if (!w) return out;
  w->io->reset();
  w->http->reset();
  w->sockets->reset();
  std::optional<Deadlines::Id> deadline;
  bool keep = false;  // the store is put back to its snapshot for the next request
  if (!w->store) {
    if (Status made = instantiate(*w, &deadline); !made) out.error = made.error().message;
  } else {
    limit(*w, *w->store, &deadline);
  }
  if (out.error.empty()) {
    Store& store = *w->store;
    const wasi::p2::Rep req = w->http->newIncomingRequest(std::move(request));
    const wasi::p2::Rep param = w->http->newResponseOutparam();
    component::Val args[2] = {component::Val::own(w->types.incomingRequest, req),
                              component::Val::own(w->types.responseOutparam, param)};
    InvokeResult r = component::call(store, *w->handle, args, nullptr);
    const wasi::p2::HttpResponseData& resp = w->http->response();
    if (r.trap) {
      out.error = r.trap->reason == TrapReason::Interrupted ? "timeout (--timeout " + std::to_string(*config_.timeoutMs) + " ms): " : "trap: ";
      out.trapText = r.trap->toString();
      out.error += out.trapText;
      out.trap = std::move(r.trap);
      out.trap->backtraceInstances.clear();  // they die with the store
    } else {
      keep = true;
      if (!resp.set) {
        out.error = "the handler returned without setting a response";
      } else if (resp.isError) {
        out.error = "the handler answered error-code " + resp.errorName;
      } else if (!w->http->responseComplete()) {
        out.error = "the response body was not finished (outgoing-body.finish)";
      } else {
        out.status = resp.status;
        out.headers = resp.headers;
        if (resp.body) out.body = std::move(*resp.body);
      }
    }
  }
  if (deadline) deadlines_.remove(*deadline);
  w->io->setInterrupt({});
  // The host side first (its resources' destructors may refer to the guest's handles), then the guest's state: put
  // back to the snapshot, or the store dies (a trap, no snapshot) and the next request instantiates afresh.
  w->io->reset();
  w->http->reset();
  w->sockets->reset();
  if (w->store) {
    keep = keep && w->snap && w->componentSnap && w->store->restore(*w->snap) &&
           component::restoreComponents(*w->store, *w->componentSnap);
    if (!keep) {
      w->store.reset();
      w->snap.reset();
      w->componentSnap.reset();
      w->handle = nullptr;
    }
  }
  release(std::move(w));
  if (!out.error.empty()) {
    out.status = 500;
    out.headers = {{"content-type", "text/plain"}};
    out.body = "internal server error\n";
  }
  return out;
}

}  // namespace myrt::serve
