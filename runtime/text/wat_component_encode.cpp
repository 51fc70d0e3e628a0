// runtime/text/wat_component_encode.cpp -- component text format, second half: name resolution (with the implied
// `alias` items) and binary encoding of the desugared Scope tree built by wat_component.cpp (see wat_component.h).
// Layer: text.
#include <array>
#include <unordered_map>

#include "runtime/text/wat_component.h"

namespace myrt::wat::comp {

const char* nsName(Ns ns) {
  static const char* const names[] = {"core func", "core table",    "core memory", "core global", "core tag",
                                      "core type", "core module",   "core instance", "func",      "value",
                                      "type",      "component",     "instance"};
  return ns < NCount ? names[ns] : "item";
}

namespace {

// Component `sort` bytes of an index space.
void sortBytes(std::vector<uint8_t>& out, Ns ns) {
  static const uint8_t core[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12};
  if (ns <= NCoreInstance) {
    out.push_back(0x00);
    out.push_back(core[ns]);
    return;
  }
  static const uint8_t comp[] = {0x01, 0x02, 0x03, 0x04, 0x05};  // func value type component instance
  out.push_back(comp[ns - NFunc]);
}

void leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

void name(std::vector<uint8_t>& out, std::string_view s) {
  leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

bool isGensym(const std::string& id) { return !id.empty() && id[0] == '\x01'; }

struct Space {
  std::unordered_map<std::string, uint32_t> byName;
  uint32_t count = 0;
  std::vector<std::pair<uint32_t, std::string>> names;  // for the component-name section
};

struct State {
  Scope* scope = nullptr;
  std::array<Space, NCount> spaces;
  std::vector<std::pair<Sec, std::vector<uint8_t>>> out;  // encoded items in order
};

class Encoder {
 public:
  Result<std::vector<uint8_t>> scope(Scope& s);

 private:
  State& cur() { return *stack_.back(); }
  Result<uint32_t> registerOne(State& st, Ns ns, const std::string& id, bool named, size_t offset);
  Result<uint32_t> resolve(const Ref& r);
  Result<uint32_t> resolveNs(Ns ns, const Ref& r);
  Result<std::vector<uint8_t>> body(const Body& b);
  void emitAlias(std::vector<uint8_t> bytes) { cur().out.emplace_back(SAlias, std::move(bytes)); }
  std::vector<uint8_t> finishComponent(State& st);
  std::vector<uint8_t> finishDecls(State& st);

  std::vector<State*> stack_;
  unsigned depth_ = 0;
};

Result<uint32_t> Encoder::registerOne(State& st, Ns ns, const std::string& id, bool named, size_t offset) {
  Space& sp = st.spaces[ns];
  uint32_t idx = sp.count++;
  if (!id.empty()) {
    if (!sp.byName.emplace(id, idx).second)
      return Error(offset, std::string("duplicate ") + nsName(ns) + " identifier $" + id);
    if (named && !isGensym(id)) sp.names.emplace_back(idx, id);
  }
  return idx;
}

Result<uint32_t> Encoder::resolveNs(Ns ns, const Ref& r) {
  if (r.isNum) return r.num;
  if (r.outer >= 0) {
    if (static_cast<size_t>(r.outer) >= stack_.size()) return Error(r.offset, "outer count too large");
    State& st = *stack_[stack_.size() - 1 - r.outer];
    auto it = st.spaces[ns].byName.find(r.id);
    if (it == st.spaces[ns].byName.end()) return Error(r.offset, std::string("unknown ") + nsName(ns) + " $" + r.id);
    return it->second;
  }
  for (size_t d = 0; d < stack_.size(); ++d) {
    State& st = *stack_[stack_.size() - 1 - d];
    auto it = st.spaces[ns].byName.find(r.id);
    if (it == st.spaces[ns].byName.end()) continue;
    if (d == 0) return it->second;
    // Found in an enclosing scope: an outer alias is inserted here, one per reference and without a name (as the
    // reference tooling does).
    if (ns != NCoreModule && ns != NCoreType && ns != NType && ns != NComponent)
      return Error(r.offset, "outer item $" + r.id + " is not a module, type, or component");
    if (cur().scope->kind == Scope::ModuleType) break;  // core types are not aliased implicitly
    std::vector<uint8_t> a;
    sortBytes(a, ns);
    a.push_back(0x02);
    leb(a, d);
    leb(a, it->second);
    MYRT_ASSIGN(uint32_t idx, registerOne(cur(), ns, "", true, r.offset));
    emitAlias(std::move(a));
    return idx;
  }
  return Error(r.offset, std::string("unknown ") + nsName(ns) + " $" + r.id);
}

Result<uint32_t> Encoder::resolve(const Ref& r) {
  if (r.exports.empty()) return resolveNs(r.ns, r);
  if (r.ns <= NCoreTag) {  // (core func $i "name"): alias of a core instance export
    if (r.exports.size() != 1) return Error(r.offset, "unexpected token");
    MYRT_ASSIGN(uint32_t inst, resolveNs(NCoreInstance, r));
    std::vector<uint8_t> a;
    sortBytes(a, r.ns);
    a.push_back(0x01);
    leb(a, inst);
    name(a, r.exports[0]);
    MYRT_ASSIGN(uint32_t idx, registerOne(cur(), r.ns, "", true, r.offset));
    emitAlias(std::move(a));
    return idx;
  }
  if (r.ns == NCoreType || r.ns == NCoreInstance)
    return Error(r.offset, "core instances cannot export this kind of item");
  MYRT_ASSIGN(uint32_t idx, resolveNs(NInstance, r));
  for (size_t i = 0; i < r.exports.size(); ++i) {
    Ns kind = i + 1 == r.exports.size() ? r.ns : NInstance;
    std::vector<uint8_t> a;
    sortBytes(a, kind);
    a.push_back(0x00);
    leb(a, idx);
    name(a, r.exports[i]);
    MYRT_ASSIGN(idx, registerOne(cur(), kind, "", true, r.offset));
    emitAlias(std::move(a));
  }
  return idx;
}

Result<std::vector<uint8_t>> Encoder::body(const Body& b) {
  std::vector<uint8_t> out;
  for (const Chunk& c : b.chunks) {
    switch (c.kind) {
      case Chunk::Bytes: out.insert(out.end(), c.bytes.begin(), c.bytes.end()); break;
      case Chunk::RefIdx: {
        MYRT_ASSIGN(uint32_t idx, resolve(c.ref));
        if (c.ref.s33) {
          int64_t v = idx;
          for (;;) {
            uint8_t byte = v & 0x7F;
            v >>= 7;
            bool done = (v == 0 && !(byte & 0x40));
            out.push_back(done ? byte : (byte | 0x80));
            if (done) break;
          }
        } else {
          leb(out, idx);
        }
        break;
      }
      case Chunk::Nested: {
        MYRT_ASSIGN(std::vector<uint8_t> inner, scope(*c.scope));
        out.insert(out.end(), inner.begin(), inner.end());
        break;
      }
    }
  }
  return out;
}

Result<std::vector<uint8_t>> Encoder::scope(Scope& s) {
  if (++depth_ > 200) return Error(s.offset, "nesting too deep");
  State st;
  st.scope = &s;
  stack_.push_back(&st);
  for (Item& item : s.items) {
    auto bytes = body(item.body);
    if (!bytes.ok()) {
      stack_.pop_back();
      --depth_;
      return bytes.error();
    }
    if (item.defines != NNone) {
      for (const std::string& id : item.ids) {
        auto r = registerOne(st, item.defines, id, item.named, item.offset);
        if (!r.ok()) {
          stack_.pop_back();
          --depth_;
          return r.error();
        }
      }
    }
    st.out.emplace_back(item.sec, std::move(*bytes));
  }
  stack_.pop_back();
  --depth_;
  return s.kind == Scope::Component ? finishComponent(st) : finishDecls(st);
}

// vec(decl) of a component, instance or module type.
std::vector<uint8_t> Encoder::finishDecls(State& st) {
  std::vector<uint8_t> out;
  leb(out, st.out.size());
  bool mod = st.scope->kind == Scope::ModuleType;
  for (auto& [sec, bytes] : st.out) {
    uint8_t prefix = 0;
    if (mod) {
      prefix = sec == SImport ? 0x00 : sec == SCoreType ? 0x01 : sec == SAlias ? 0x02 : 0x03;
    } else {
      prefix = sec == SCoreType ? 0x00 : sec == SType ? 0x01 : sec == SAlias ? 0x02 : sec == SImport ? 0x03 : 0x04;
    }
    out.push_back(prefix);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

std::vector<uint8_t> Encoder::finishComponent(State& st) {
  std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00};
  auto section = [&](uint8_t id, const std::vector<uint8_t>& content) {
    out.push_back(id);
    leb(out, content.size());
    out.insert(out.end(), content.begin(), content.end());
  };
  size_t i = 0;
  while (i < st.out.size()) {
    Sec sec = st.out[i].first;
    if (sec == SCoreModule || sec == SComponent || sec == SStart || sec == SCustom) {
      section(sec, st.out[i].second);
      ++i;
      continue;
    }
    size_t j = i;
    std::vector<uint8_t> items;
    while (j < st.out.size() && st.out[j].first == sec) {
      items.insert(items.end(), st.out[j].second.begin(), st.out[j].second.end());
      ++j;
    }
    std::vector<uint8_t> content;
    leb(content, j - i);
    content.insert(content.end(), items.begin(), items.end());
    section(sec, content);
    i = j;
  }
  // component-name section
  std::vector<uint8_t> names;
  auto sub = [&](uint8_t id, const std::vector<uint8_t>& content) {
    names.push_back(id);
    leb(names, content.size());
    names.insert(names.end(), content.begin(), content.end());
  };
  if (!st.scope->id.empty()) {
    std::vector<uint8_t> c;
    name(c, st.scope->id);
    sub(0, c);
  }
  static const Ns order[] = {NCoreFunc, NCoreTable, NCoreMemory, NCoreGlobal, NCoreTag, NCoreType, NCoreModule,
                             NCoreInstance, NFunc, NValue, NType, NComponent, NInstance};
  for (Ns ns : order) {
    const auto& list = st.spaces[ns].names;
    if (list.empty()) continue;
    std::vector<uint8_t> c;
    sortBytes(c, ns);
    leb(c, list.size());
    for (const auto& [idx, n] : list) {
      leb(c, idx);
      name(c, n);
    }
    sub(1, c);
  }
  if (!names.empty()) {
    std::vector<uint8_t> c;
    name(c, "component-name");
    c.insert(c.end(), names.begin(), names.end());
    section(0, c);
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> encodeComponent(Scope& top) {
  Encoder e;
  return e.scope(top);
}

}  // namespace myrt::wat::comp
