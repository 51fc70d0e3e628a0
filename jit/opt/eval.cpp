// jit/opt/eval.cpp -- the IR's reference evaluator (see eval.h).
#include "jit/opt/eval.h"

#include <cstring>
#include <unordered_map>

namespace myrt::opt {

namespace {

V128 constValue(const Func& f, const Inst& in) {
  if (in.ty == Ty::V128) return f.v128s[in.aux];
  V128 c = V128::zero();
  std::memcpy(c.bytes, &in.imm, in.ty == Ty::I32 || in.ty == Ty::F32 ? 4 : 8);
  return c;
}

uint32_t lowI32(const V128& v) {
  uint32_t x;
  std::memcpy(&x, v.bytes, 4);
  return x;
}

EvalResult unsupported(const Inst& in) {
  EvalResult r;
  r.status = EvalResult::Status::Unsupported;
  r.why = in.kind == Kind::Numeric || in.kind == Kind::Load || in.kind == Kind::Store || in.kind == Kind::Opaque
              ? std::string(opName(in.op))
              : std::string(kindName(in.kind));
  return r;
}

}  // namespace

EvalResult evaluate(const Func& f, std::span<const V128> args, EvalEnv& env, uint32_t depth) {
  std::vector<V128> val(f.insts.size(), V128::zero());
  const Block& entry = f.blocks[0];
  for (size_t i = 0; i < entry.params.size() && i < args.size(); ++i) val[entry.params[i]] = args[i];
  BlockId b = 0;
  std::vector<V128> edgeArgs;
  std::unordered_map<ValueId, std::vector<V128>> results;  // calls with several results
  for (;;) {
    const Block& bl = f.blocks[b];
    for (ValueId id : bl.insts) {
      if (env.steps == 0) return {EvalResult::Status::Exhausted, TrapReason::None, {}, {}};
      --env.steps;
      const Inst& in = f.insts[id];
      switch (in.kind) {
        case Kind::Const: val[id] = constValue(f, in); break;
        case Kind::Numeric: {
          V128 a[3] = {V128::zero(), V128::zero(), V128::zero()};
          for (size_t i = 0; i < in.args.size() && i < 3; ++i) a[i] = val[in.args[i]];
          const NumResult<V128> r = evalNumeric(in.op, a, in.aux != kNoId ? f.v128s[in.aux] : V128::zero());
          if (!r.ok()) return {EvalResult::Status::Trapped, r.trap, {}, {}};
          val[id] = r.value;
          break;
        }
        case Kind::Select: val[id] = lowI32(val[in.args[2]]) ? val[in.args[0]] : val[in.args[1]]; break;
        case Kind::Call: {
          if (!env.call) return unsupported(in);
          if (depth + 1 > env.maxDepth) return {EvalResult::Status::Exhausted, TrapReason::None, {}, {}};
          std::vector<V128> a;
          for (ValueId x : in.args) a.push_back(val[x]);
          EvalResult r = env.call(in.aux, a, depth + 1);
          if (r.status != EvalResult::Status::Returned) return r;
          if (!r.values.empty()) val[id] = r.values[0];
          if (r.values.size() > 1) results[id] = std::move(r.values);  // read by its Proj instructions
          break;
        }
        case Kind::Proj: {
          auto it = results.find(in.args[0]);
          if (it == results.end() || in.imm >= it->second.size()) return unsupported(in);
          val[id] = it->second[in.imm];
          break;
        }
        case Kind::Jump:
        case Kind::Branch:
        case Kind::Switch: {
          size_t s = 0;
          if (in.kind == Kind::Branch) s = lowI32(val[in.args[0]]) ? 0 : 1;
          if (in.kind == Kind::Switch) {
            const uint32_t k = lowI32(val[in.args[0]]);
            s = k < bl.succs.size() - 1 ? k : bl.succs.size() - 1;
          }
          const Edge& e = bl.succs[s];
          edgeArgs.clear();
          for (ValueId a : e.args) edgeArgs.push_back(val[a]);
          const Block& to = f.blocks[e.to];
          for (size_t i = 0; i < to.params.size(); ++i) val[to.params[i]] = edgeArgs[i];
          b = e.to;
          goto next_block;
        }
        case Kind::Return: {
          EvalResult r;
          for (ValueId a : in.args) r.values.push_back(val[a]);
          return r;
        }
        case Kind::Trap: return {EvalResult::Status::Trapped, static_cast<TrapReason>(in.imm), {}, {}};
        default: return unsupported(in);
      }
    }
    return unsupported(f.insts[bl.insts.back()]);  // (a block without terminator: not reached for verified IR)
  next_block:;
  }
}

}  // namespace myrt::opt
