// engine/opt_ir.cpp -- see opt_ir.h.
#include "engine/opt_ir.h"

#include "jit/opt/builder.h"
#include "jit/opt/ir.h"
#include "jit/opt/passes.h"
#include "jit/opt/regalloc.h"

namespace myrt {

Result<std::string> optIrText(const Module& m, uint32_t funcIndex, bool optimized, bool regalloc) {
  auto f = opt::buildFunction(m, funcIndex);
  if (!f.ok()) return f.error();
  if (optimized) opt::optimize(*f);
  if (Status s = opt::verify(*f); !s.ok()) return Error("internal error: the IR does not verify: " + s.error().message);
  if (!regalloc) return opt::printIr(*f, &m);
  auto a = opt::allocateRegisters(*f);
  if (!a.ok()) return Error("internal error: register allocation: " + a.error().message);
  if (Status s = opt::checkAllocation(*f, *a); !s.ok()) return Error("internal error: " + s.error().message);
  std::string out = opt::printAllocation(*f, *a, &m);
  // (appends, not `"literal" + std::to_string(n)`: GCC 12's -Wrestrict false positive)
  out += "; ";
  out += std::to_string(a->numSlots);
  out += " spill slots (";
  out += std::to_string(a->spilledAcrossCalls);
  out += " values live across calls, ";
  out += std::to_string(a->spilledForPressure);
  out += " spilled for register pressure)\n";
  for (opt::BlockId b : a->order)
    for (uint32_t s = 0; s < f->blocks[b].succs.size(); ++s) {
      const std::vector<opt::Move> moves = opt::edgeMoves(*f, *a, b, s);
      if (moves.empty()) continue;
      out += "; edge b";
      out += std::to_string(b);
      out += " -> b";
      out += std::to_string(f->blocks[b].succs[s].to);
      out += ":";
      for (const opt::Move& mv : moves) {
        out += ' ';
        out += opt::locationName(mv.dst);
        out += " <- ";
        out += opt::locationName(mv.src);
        out += ';';
      }
      out += '\n';
    }
  return out;
}

}  // namespace myrt
