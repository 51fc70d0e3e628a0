// runtime/component/wave.h -- WAVE text of component values (wasmtime's `--invoke` syntax).
// Layer: component.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "runtime/component/value.h"

namespace myrt::component {

// The WAVE text of a value of type `t`.
std::string toWave(const Val& v, const Type* t);
// Parses the comma-separated arguments of a call (`1, "x", [1, 2]`) for the parameters of `ft`. False with a reason.
bool parseWaveArgs(std::string_view text, const Type& ft, std::vector<Val>* out, std::string* error);

}  // namespace myrt::component
