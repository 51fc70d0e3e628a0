// engine/opt_ir.cpp -- see opt_ir.h.
#include "engine/opt_ir.h"

#include "jit/opt/builder.h"
#include "jit/opt/ir.h"
#include "jit/opt/passes.h"

namespace myrt {

Result<std::string> optIrText(const Module& m, uint32_t funcIndex, bool optimized) {
  auto f = opt::buildFunction(m, funcIndex);
  if (!f.ok()) return f.error();
  if (optimized) opt::optimize(*f);
  if (Status s = opt::verify(*f); !s.ok()) return Error("internal error: the IR does not verify: " + s.error().message);
  return opt::printIr(*f, &m);
}

}  // namespace myrt
