// runtime/component/describe.cpp -- WIT-like text of a component's imports and exports (`myrt inspect`).
// GCC 12 reports a false -Wrestrict in std::string concatenation ("a" + std::string(b); GCC bug 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "runtime/component/component.h"

namespace myrt::component {

namespace {
// One line per item: pad + word ("import "/"export "/"") + name + its type; instance/component bodies nested.
void describeItem(std::string& o, const std::string& pad, const char* word, const ExternDecl& d, int depth) {
  const ExternType& t = d.type;
  const std::string head = pad + word;
  switch (t.sort) {
    case Sort::Func: o += head + d.name + ": " + typeToString(t.type) + "\n"; return;
    case Sort::Type:
      if (t.subResource || (t.type && t.type->kind == TK::Resource)) o += head + "resource " + d.name + "\n";
      else o += head + "type " + d.name + " = " + typeToString(t.type) + "\n";
      return;
    case Sort::Instance:
    case Sort::Component: {
      o += head + d.name + ": " + (t.sort == Sort::Instance ? "instance" : "component") + " {\n";
      if (t.type && depth < 8) {
        for (auto& i : t.type->imports) describeItem(o, pad + "  ", "import ", i, depth + 1);
        for (auto& e : t.type->exports) describeItem(o, pad + "  ", "", e, depth + 1);
      }
      o += pad + "}\n";
      return;
    }
    case Sort::CoreModule: o += head + d.name + ": core module\n"; return;
    default: o += head + d.name + ": " + sortName(t.sort) + "\n"; return;
  }
}
}  // namespace

std::string describeComponent(const Component& c) {
  std::string o;
  o += "component: " + std::to_string(c.modules.size()) + " core module(s), " + std::to_string(c.components.size()) +
       " nested component(s), " + std::to_string(c.numCoreInstances) + " core instance(s), " +
       std::to_string(c.numInstances) + " instance(s), " + std::to_string(c.numFuncs) + " func(s), " +
       std::to_string(c.numTypes) + " type(s)\n";
  for (auto& i : c.imports) describeItem(o, "", "import ", i, 0);
  for (auto& e : c.exports) describeItem(o, "", "export ", e, 0);
  return o;
}

}  // namespace myrt::component
