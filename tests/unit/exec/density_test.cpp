// tests/unit/exec/density_test.cpp -- instance density (issue 11): with a small memory reservation
// (StoreLimits::memoryReservation) a process holds far more one-page instances than with 8 GiB + 64 KiB guarded ones
// (16,384 at most in 128 TiB), and the explicit bounds checks those memories get trap like guard pages on every tier.
#include <catch2/catch.hpp>

#include <set>

#include "exec_harness.h"

using namespace myrt;
using namespace myrt::test;

namespace {

constexpr const char* kOnePage = R"((module
  (memory (export "memory") 1)
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
)";

}  // namespace

TEST_CASE("20,000 one-page instances with 64 KiB reservations (more than guarded reservations allow)") {
  // 20,000 x (8 GiB + 64 KiB) would be 160 TiB of address space: instantiation failed past ~16,000 before.
  StoreLimits limits;
  limits.memoryReservation = kPageSize;
  auto store = makeStore(Tier::Interp, limits);
  REQUIRE(store.ok());
  auto mod = compileWat(kOnePage);
  REQUIRE(mod.ok());
  std::vector<Instance*> insts;
  for (int i = 0; i < 20000; ++i) {
    auto inst = instantiate(**store, *mod, {});
    REQUIRE(inst.ok());
    insts.push_back(*inst);
  }
  for (Instance* inst : {insts.front(), insts[12345], insts.back()}) {
    REQUIRE(inst->memories[0]->reserved == kPageSize);
    REQUIRE_FALSE(inst->memories[0]->guarded);
  }
}

TEST_CASE("small memory reservations: explicit bounds checks and grow up to the reservation, on every tier") {
  for (const ExecTier& tier : tiers()) {
    DYNAMIC_SECTION(tier.name) {
      StoreLimits limits;
      limits.memoryReservation = 3 * kPageSize + 1;  // rounded up: 4 pages
      Session s(tier, limits);
      REQUIRE(s.load(kOnePage) == "");
      REQUIRE_FALSE(s.last->memories[0]->guarded);
      REQUIRE(s.call("poke", {I32(65532), I32(7)}) == "");
      REQUIRE(s.i32("peek", {I32(65532)}) == 7);
      REQUIRE(s.call("peek", {I32(65533)}) == "out of bounds memory access");
      REQUIRE(s.call("poke", {I32(65536), I32(1)}) == "out of bounds memory access");
      REQUIRE(s.i32("grow", {I32(3)}) == 1);
      REQUIRE(s.i32("grow", {I32(1)}) == 0xffffffffu);  // past the reservation: -1 (memory.grow may always fail)
      REQUIRE(s.i32("size") == 4);
      REQUIRE(s.i32("peek", {I32(4 * 65536 - 4)}) == 0);
      REQUIRE(s.call("peek", {I32(4 * 65536 - 3)}) == "out of bounds memory access");
    }
  }
}

TEST_CASE("pooled memories (StoreConfig::poolMemories): reused zeroed, with guard pages past the new size, every tier") {
  // `myrt serve`: a memory that dies goes back to a process-wide pool and the next store's memory reuses it. Each
  // round's store writes near the end of its memory and grows it; the next sees zeros and traps past its size.
  for (const ExecTier& tier : tiers()) {
    DYNAMIC_SECTION(tier.name) {
      std::set<const uint8_t*> earlier;  // the bases of the memories of the rounds before
      for (int round = 0; round < 4; ++round) {
        Session s(tier);
        s.store->config().poolMemories = true;
        REQUIRE(s.load(kOnePage) == "");
        REQUIRE(s.last->memories[0]->guarded);
        if (round > 0) REQUIRE(earlier.count(s.last->memories[0]->base) == 1);  // reused
        for (Instance* i : {s.last, s.store->registered["spectest"]})
          if (i && !i->memories.empty()) earlier.insert(i->memories[0]->base);
        REQUIRE(s.i32("size") == 1);
        REQUIRE(s.i32("peek", {I32(65532)}) == 0);
        REQUIRE(s.call("peek", {I32(65533)}) == "out of bounds memory access");
        REQUIRE(s.call("poke", {I32(65536), I32(1)}) == "out of bounds memory access");
        REQUIRE(s.call("poke", {I32(65532), I32(7 + round)}) == "");
        REQUIRE(s.i32("grow", {I32(round == 1 ? 20 : 2)}) == 1);  // round 1: past the memset threshold (madvise)
        const uint32_t end = (round == 1 ? 21 : 3) * 65536;
        REQUIRE(s.i32("peek", {I32(end - 4)}) == 0);
        REQUIRE(s.call("poke", {I32(end - 4), I32(9)}) == "");
        REQUIRE(s.call("peek", {I32(end - 3)}) == "out of bounds memory access");
      }
    }
  }
}
