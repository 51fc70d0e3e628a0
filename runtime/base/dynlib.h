// runtime/base/dynlib.h -- an optional shared library loaded at first use: dlopen, then dlsym into typed function
// pointers. myrt loads libraries that only some commands need this way (libmicrohttpd for `myrt serve`, libcurl for
// outgoing HTTP), so a plain `myrt run` neither links nor initializes them (and their TLS libraries).
// Layer: runtime/base (header only; users link ${CMAKE_DL_LIBS}).
#pragma once
#include <dlfcn.h>

#include <string>
#include <type_traits>

namespace myrt {

class DynLib {
 public:
  // Opens `soname` (RTLD_NOW | RTLD_LOCAL; never closed). `package`: the Debian package that has it, for the message.
  DynLib(const char* soname, const char* package) : soname_(soname) {
    lib_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib_) why_ = std::string("cannot load ") + soname + " (Debian: apt install " + package + "): " + dlerror();
  }
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  // Resolves `name` into `fn`; the first symbol missing becomes the reason (`why`); `need` is added to it.
  template <class F>
  DynLib& bind(F& fn, const char* name, const char* need = "") {
    static_assert(std::is_pointer_v<F>);
    fn = lib_ ? reinterpret_cast<F>(dlsym(lib_, name)) : nullptr;
    if (!fn && why_.empty()) why_ = soname_ + " has no " + name + need;
    return *this;
  }

 private:
  void* lib_ = nullptr;
  std::string soname_, why_;
};

}  // namespace myrt
