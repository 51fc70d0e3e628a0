// wasi/host/poll.h -- pollables: something the guest can wait for, built on real readiness. A Pollable says how to
// wait for it (Wait): readiness of a host fd (EPOLLIN / EPOLLOUT; a pipe, tty, socket, or an eventfd a host thread
// signals, as HTTP bodies and futures will), a deadline on the monotonic clock, or "ready now" (regular files, closed
// streams). A Poller waits for any of a list with one epoll_wait whose timeout is the nearest deadline.
//
// Extension (issue 15, WASI 0.3): sockets subscribe with their fd; an operation completed by another thread signals
// an eventfd; nothing here assumes a stream or a file. Fds that epoll refuses (regular files, /dev/null: EPERM) are
// ready at once, as poll(2) would say.
// Layer: wasi/host (Linux epoll). Used by preview1 poll_oneoff and wasi:io/poll.
#pragma once
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace myrt::wasi::host {

struct Wait {
  int fd = -1;                    // >= 0: wait for `events` on this fd
  uint32_t events = 0;            // EPOLLIN / EPOLLOUT
  uint64_t deadline = UINT64_MAX; // monotonic-clock ns; UINT64_MAX: none
  bool readyNow = false;
  static Wait ready() { return Wait{-1, 0, UINT64_MAX, true}; }
  static Wait forFd(int fd, uint32_t events) { return Wait{fd, events, UINT64_MAX, false}; }
  static Wait until(uint64_t deadline) { return Wait{-1, 0, deadline, false}; }
};

class Pollable {
 public:
  virtual ~Pollable() = default;
  virtual Wait wait() const = 0;
};

// A pollable that only carries a Wait (clock timeouts, preview1 subscriptions).
class SimplePollable final : public Pollable {
 public:
  explicit SimplePollable(Wait w) : w_(w) {}
  Wait wait() const override { return w_; }

 private:
  Wait w_;
};

uint64_t monotonicNow();

// What wakes a blocked wait early: the store's interrupt request (runtime/exec/store.h InterruptFlag; this layer sees
// only its flag and eventfd). A wait that sees it returns kInterrupted; the WASI binding then traps "interrupted".
struct Interrupt {
  const std::atomic<uint32_t>* requested = nullptr;  // nullptr: not interruptible
  int wakeFd = -1;                                    // readable after a request (drained by the Poller)
  bool pending() const { return requested && requested->load(std::memory_order_seq_cst) != 0; }
};
constexpr int kInterrupted = -2;  // Poller::poll's result when the interrupt was requested (not an errno)

class Poller {
 public:
  Poller() = default;
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  // Waits until at least one of `waits` is ready (or, with `blockAtMost` >= 0 ns, that long at most) and sets
  // revents[i] for each: 0 not ready, else the epoll events seen (EPOLLIN/EPOLLOUT/EPOLLHUP/EPOLLERR; EPOLLIN for a
  // reached deadline or a ready-now entry). Returns 0 or an errno (EINTR is retried with the time left), or
  // kInterrupted when the interrupt set by setInterrupt was requested before or during the wait.
  int poll(std::span<const Wait> waits, std::vector<uint32_t>& revents, int64_t blockAtMost = -1);
  // The interrupt every following poll honours (the binding sets it from the calling store before each call).
  void setInterrupt(Interrupt i) { interrupt_ = i; }
  const Interrupt& interrupt() const { return interrupt_; }

 private:
  int epfd_ = -1;
  Interrupt interrupt_;
};

}  // namespace myrt::wasi::host
