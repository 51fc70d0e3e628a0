// wasi/host/clock_random.h -- clocks and randomness for preview1 and WASI 0.2: wall (realtime), monotonic and the
// CPU-time clocks preview1 names; cryptographic random bytes (getrandom), a fast insecure generator and a per-context
// insecure seed (wasi:random/insecure, insecure-seed).
// Layer: wasi/host (Linux).
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

namespace myrt::wasi::host {

enum class Clock : uint8_t { Realtime, Monotonic, ProcessCpu, ThreadCpu };

// ns since the clock's epoch / the clock's resolution in ns. 0 or errno.
int clockNow(Clock c, uint64_t& ns);
int clockResolution(Clock c, uint64_t& ns);

// Fills [p, p+len) from the kernel's CSPRNG (getrandom, EINTR retried). 0 or errno.
int randomBytes(uint8_t* p, size_t len);

// Not for secrets: a xoshiro256** stream seeded from randomBytes at construction.
class InsecureRandom {
 public:
  InsecureRandom();
  uint64_t next();
  void fill(uint8_t* p, size_t len);
  // wasi:random/insecure-seed: fixed for the context's lifetime.
  std::pair<uint64_t, uint64_t> seed() const { return seed_; }

 private:
  uint64_t s_[4];
  std::pair<uint64_t, uint64_t> seed_;
};

}  // namespace myrt::wasi::host
