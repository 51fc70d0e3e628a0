// cli/wast_component.h -- component values of `myrt wast` scripts (runtime/text/wast.h CompValue) as runtime values
// (runtime/component/value.h Val) of a declared component type, and the comparison of a lifted result with an
// expected script value.
// Layer: cli (uses runtime/text and runtime/component).
#pragma once
#include <string>
#include <vector>

#include "runtime/component/value.h"
#include "runtime/text/wast.h"

namespace myrt::cli {

// The value of type `t` written as `v` (names of record fields, variant/enum cases and flags resolved against the
// type). False with a reason when the script value does not fit the type.
bool toComponentVal(const wast::CompValue& v, const component::Type* t, component::Val* out, std::string* why);

// Whether the lifted `actual` of type `t` equals `expected` (NaNs of a float type match each other: the Canonical
// ABI canonicalizes them).
bool componentValEqual(const component::Val& expected, const component::Val& actual, const component::Type* t);

// wasmtime's harness words some link errors and traps differently from myrt (which keeps the core spec's trap texts
// and wasmparser's link-check wording). The component scripts of ../shared/wasi-p2 expect wasmtime's; this explicit
// table says which of its texts stands for which of ours, and only `myrt wast`'s component assertions use it (the
// runtime's messages are unchanged). `{a}`/`{b}` capture text in the expected message and are substituted into
// myrt's form. Each entry is documented in docs/status.md "Components and WASI 0.2".
struct MessageEquivalence {
  const char* wasmtime;  // the expected message (whole), with placeholders
  const char* myrt;      // the text our message must contain, with the same placeholders
};
const std::vector<MessageEquivalence>& wasmtimeMessageEquivalences();
// Whether `actual` carries the condition `expected` names through an entry of the table.
bool equivalentMessage(const std::string& actual, const std::string& expected);

// `myrt wast --exclusions FILE`: assertions not run, each listed with its reason and reported (counted in the
// output). A line is `SCRIPT:LINE  # reason`; SCRIPT is matched as a suffix of the script's path.
struct Exclusion {
  std::string script;
  unsigned line = 0;
  std::string reason;
};
// Parses an exclusions file ("FILE:N: ..." errors for a malformed line).
bool parseExclusions(const std::string& text, const std::string& file, std::vector<Exclusion>* out, std::string* error);

}  // namespace myrt::cli
