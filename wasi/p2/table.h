// wasi/p2/table.h -- the host side of a resource table: reps (1-based, reused after a drop) naming entries of a
// std::variant whose alternative index is the resource kind. WasiP2 (context.h) and WasiHttp (http.h) keep theirs.
// Layer: wasi/p2.
#pragma once
#include <algorithm>
#include <optional>
#include <variant>
#include <vector>

#include "wasi/p2/types.h"

namespace myrt::wasi::p2 {

template <class Entry>  // a std::variant
class ResourceTable {
 public:
  Rep add(Entry e) {
    if (!free_.empty()) {
      Rep r = free_.back();
      free_.pop_back();
      slots_[r - 1] = std::move(e);
      return r;
    }
    slots_.emplace_back(std::move(e));
    return static_cast<Rep>(slots_.size());
  }
  // The entry of kind I named by rep, or nullptr (unknown rep, dropped, another kind).
  template <size_t I>
  std::variant_alternative_t<I, Entry>* find(Rep rep) {
    if (rep == 0 || rep > slots_.size() || !slots_[rep - 1] || slots_[rep - 1]->index() != I) return nullptr;
    return &std::get<I>(*slots_[rep - 1]);
  }
  // Ends rep if it names an entry of `kind` (false otherwise).
  bool erase(Rep rep, size_t kind) {
    if (rep == 0 || rep > slots_.size() || !slots_[rep - 1] || slots_[rep - 1]->index() != kind) return false;
    slots_[rep - 1].reset();
    free_.push_back(rep);
    return true;
  }
  size_t live() const {
    return size_t(std::count_if(slots_.begin(), slots_.end(), [](const auto& e) { return e.has_value(); }));
  }
  void clear() {
    slots_.clear();
    free_.clear();
  }

 private:
  std::vector<std::optional<Entry>> slots_;  // rep - 1
  std::vector<Rep> free_;
};

}  // namespace myrt::wasi::p2
