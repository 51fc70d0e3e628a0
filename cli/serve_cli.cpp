// cli/serve_cli.cpp -- `myrt serve [OPTIONS] FILE`: argument handling for the HTTP server of serve/ (a wasi:http proxy
// component, a fresh instance per request).
// Layer: cli.
#include <iostream>

#include "cli/cli.h"

#if MYRT_HAVE_SERVE
#include "runtime/component/component.h"
#include "serve/handler.h"
#include "serve/server.h"

namespace myrt::cli {

int cmdServe(const ServeOptions& opts) {
  bool failed = false;
  auto bytes = componentBytesOf(opts.file, &failed);
  if (failed) return kExitError;
  if (!bytes) {
    std::cerr << "myrt: serve: " << opts.file
              << ": not a component (myrt serve runs wasi:http proxy components; modules run with `myrt run`)\n";
    return kExitError;
  }
  auto comp = component::loadComponent(*bytes);
  if (!comp) {
    std::cerr << "myrt: " << formatError(opts.file, comp.error()) << "\n";
    return kExitError;
  }
  serve::HandlerConfig hc;
  hc.tier = opts.tier;
  if (!opts.maxMemory.empty()) {
    auto n = parseSize(opts.maxMemory);
    if (!n) {
      std::cerr << "myrt: serve: invalid --max-memory '" << opts.maxMemory << "'\n";
      return kExitUsage;
    }
    hc.limits.maxMemoryBytes = *n;
  }
  if (auto n = parseSize(opts.maxBody); n) {
    hc.bodyLimit = *n;
  } else {
    std::cerr << "myrt: serve: invalid --max-body '" << opts.maxBody << "'\n";
    return kExitUsage;
  }
  if (!opts.fuel.empty()) {
    hc.fuel = parseFuel(opts.fuel);
    if (!hc.fuel) {
      std::cerr << "myrt: serve: invalid --fuel '" << opts.fuel << "' (expected a non-negative integer)\n";
      return kExitUsage;
    }
  }
  if (!opts.timeout.empty()) {
    hc.timeoutMs = parseDuration(opts.timeout);
    if (!hc.timeoutMs) {
      std::cerr << "myrt: serve: invalid --timeout '" << opts.timeout << "' (expected e.g. 500ms, 2s, 1m)\n";
      return kExitUsage;
    }
  }
  if (auto e = guestEnvironment(opts.inheritEnv, opts.env, hc.wasi.env)) {
    std::cerr << "myrt: serve: " << *e << "\n";
    return kExitUsage;
  }
  if (auto e = networkGrants(opts, hc.wasi.network)) {
    std::cerr << "myrt: serve: " << *e << "\n";
    return kExitUsage;
  }
  for (auto [list, ro] : {std::pair{&opts.dirs, false}, std::pair{&opts.dirsReadOnly, true}}) {
    for (const std::string& d : *list) {
      auto p = wasi::parsePreopen(d, ro);
      if (!p) {
        std::cerr << "myrt: serve: --dir " << d << ": " << p.error().message << "\n";
        return kExitUsage;
      }
      hc.wasi.preopens.push_back(*p);
    }
  }
  auto handler = serve::ProxyHandler::create(*comp, std::move(hc));
  if (!handler) {
    std::cerr << "myrt: serve: " << opts.file << ": " << handler.error().message << "\n";
    return kExitError;
  }
  serve::ServerConfig sc;
  sc.addr = opts.addr;
  sc.threads = opts.threads;
  sc.connectionLimit = opts.connectionLimit;
  sc.idleTimeoutSec = opts.idleTimeoutSec;
  sc.verbose = opts.verbose;
  sc.name = opts.file;
  return serve::runServer(**handler, sc);
}

}  // namespace myrt::cli

#else  // built with -DMYRT_SERVE=OFF (no libmicrohttpd)

namespace myrt::cli {

int cmdServe(const ServeOptions&) {
  std::cerr << "myrt: unsupported: serve (this myrt was built without libmicrohttpd, -DMYRT_SERVE=OFF)\n";
  return kExitError;
}

}  // namespace myrt::cli
#endif
