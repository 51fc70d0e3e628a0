// runtime/component/type_builder.h -- component value types built by hand (tests, fuzz targets), without a component
// binary: a TypeBuilder owns its nodes for as long as it lives.
// Layer: component.
#pragma once
#include <deque>
#include <string>
#include <vector>

#include "runtime/component/types.h"

namespace myrt::component {

struct TypeBuilder {
  std::deque<Type> nodes;
  // A node of kind k (elems/labels as in Type: record fields, variant cases, list element, result ok/err ...).
  const Type* make(TK k, std::vector<const Type*> elems = {}, std::vector<std::string> labels = {}) {
    Type& t = nodes.emplace_back();
    t.kind = k;
    t.elems = std::move(elems);
    t.labels = std::move(labels);
    return &t;
  }
  // A function type taking `params` (named p0, p1, ...), no result.
  const Type* func(std::vector<const Type*> params) {
    std::vector<std::string> names;
    for (size_t i = 0; i < params.size(); ++i) names.push_back("p" + std::to_string(i));
    return make(TK::Func, std::move(params), std::move(names));
  }
};

}  // namespace myrt::component
