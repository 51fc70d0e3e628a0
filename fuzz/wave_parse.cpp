// fuzz/wave_parse.cpp -- libFuzzer target: arbitrary text -> component::parseWaveArgs (WAVE, the `myrt run --invoke`
// argument syntax) for one of a fixed set of parameter types chosen by the first byte; a value that parses is
// printed (toWave), parsed again and printed again, which must succeed and give the same text (abort otherwise).
// Must never crash, hang or trip a sanitizer; rejecting the text is the normal outcome.
// Layer: fuzz (uses runtime/component). Built only with -DMYRT_FUZZ=ON and clang; see fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/component/type_builder.h"
#include "runtime/component/wave.h"

using namespace myrt::component;

namespace {

struct Types : TypeBuilder {
  std::vector<const Type*> funcs;  // one single-parameter function per value type, then two with several
  Types() {
    const Type* u8 = make(TK::U8);
    const Type* u32 = make(TK::U32);
    const Type* str = make(TK::String);
    const Type* optU8 = make(TK::Option, {u8});
    const Type* optStr = make(TK::Option, {str});
    std::vector<const Type*> all = {
        u8, make(TK::S64), make(TK::F32), make(TK::F64), make(TK::Char), str, make(TK::Bool),
        make(TK::List, {u32}), make(TK::Tuple, {make(TK::Bool), str}),
        make(TK::Record, {u8, optStr}, {"a", "b-c"}), make(TK::Record, {optU8}, {"only"}),
        make(TK::Variant, {nullptr, make(TK::List, {u8}), str}, {"empty", "body", "err"}),
        make(TK::Enum, {}, {"ok", "not-found", "none"}), make(TK::Option, {optU8}), optU8,
        make(TK::Result, {u32, str}), make(TK::Result, {nullptr, str}), make(TK::Result, {optU8, nullptr}),
        make(TK::Flags, {}, {"read", "write", "exec"}), make(TK::List, {make(TK::List, {str})})};
    for (const Type* t : all) funcs.push_back(func({t}));
    funcs.push_back(func(all));
    funcs.push_back(func({u8, optU8, optStr}));  // trailing options may be left out
  }
};

std::string printArgs(const Type& ft, const std::vector<Val>& vals) {
  std::string o;
  for (size_t i = 0; i < vals.size(); ++i) o += (i ? ", " : "") + toWave(vals[i], ft.elems[i]);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Types types;
  if (size == 0) return 0;
  const Type& ft = *types.funcs[data[0] % types.funcs.size()];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<Val> vals;
  std::string why;
  if (!parseWaveArgs(text, ft, &vals, &why)) return 0;
  const std::string printed = printArgs(ft, vals);
  std::vector<Val> again;
  if (!parseWaveArgs(printed, ft, &again, &why)) std::abort();  // what we print must parse
  if (printArgs(ft, again) != printed) std::abort();            // and mean the same
  return 0;
}
