// wasi/host/clock_random.cpp -- clocks (clock_gettime/clock_getres) and randomness (getrandom; xoshiro256**).
// Layer: wasi/host (Linux).
#include "wasi/host/clock_random.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cstring>

namespace myrt::wasi::host {

namespace {

clockid_t hostClock(Clock c) {
  switch (c) {
    case Clock::Realtime: return CLOCK_REALTIME;
    case Clock::Monotonic: return CLOCK_MONOTONIC;
    case Clock::ProcessCpu: return CLOCK_PROCESS_CPUTIME_ID;
    case Clock::ThreadCpu: return CLOCK_THREAD_CPUTIME_ID;
  }
  return CLOCK_MONOTONIC;
}

uint64_t toNs(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec); }

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

int clockNow(Clock c, uint64_t& ns) {
  timespec ts;
  if (clock_gettime(hostClock(c), &ts) != 0) return errno;
  ns = toNs(ts);
  return 0;
}

int clockResolution(Clock c, uint64_t& ns) {
  timespec ts;
  if (clock_getres(hostClock(c), &ts) != 0) return errno;
  ns = toNs(ts);
  return 0;
}

int randomBytes(uint8_t* p, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(p + done, std::min<size_t>(len - done, 1u << 20), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += size_t(n);
  }
  return 0;
}

InsecureRandom::InsecureRandom() {
  uint64_t init[6] = {0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull, 1, 2, 3};
  (void)randomBytes(reinterpret_cast<uint8_t*>(init), sizeof init);  // on failure: the fixed constants
  std::memcpy(s_, init, sizeof s_);
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  seed_ = {init[4], init[5]};
}

uint64_t InsecureRandom::next() {  // xoshiro256** (Blackman, Vigna)
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void InsecureRandom::fill(uint8_t* p, size_t len) {
  while (len > 0) {
    uint64_t v = next();
    size_t n = std::min<size_t>(len, 8);
    std::memcpy(p, &v, n);
    p += n;
    len -= n;
  }
}

}  // namespace myrt::wasi::host
