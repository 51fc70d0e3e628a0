// cli/wast_component.h -- component values of `myrt wast` scripts (runtime/text/wast.h CompValue) as runtime values
// (runtime/component/value.h Val) of a declared component type, and the comparison of a lifted result with an
// expected script value.
// Layer: cli (uses runtime/text and runtime/component).
#pragma once
#include <string>

#include "runtime/component/value.h"
#include "runtime/text/wast.h"

namespace myrt::cli {

// The value of type `t` written as `v` (names of record fields, variant/enum cases and flags resolved against the
// type). False with a reason when the script value does not fit the type.
bool toComponentVal(const wast::CompValue& v, const component::Type* t, component::Val* out, std::string* why);

// Whether the lifted `actual` of type `t` equals `expected` (NaNs of a float type match each other: the Canonical
// ABI canonicalizes them).
bool componentValEqual(const component::Val& expected, const component::Val& actual, const component::Type* t);

}  // namespace myrt::cli
