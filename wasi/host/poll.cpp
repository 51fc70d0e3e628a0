// wasi/host/poll.cpp -- Poller: one epoll instance per context; a poll registers the list's fds, waits with the
// nearest deadline as timeout, and removes them again (so closing a stream never leaves a stale registration).
// Layer: wasi/host (Linux epoll).
#include "wasi/host/poll.h"

#include <errno.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <unordered_map>

namespace myrt::wasi::host {

uint64_t monotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

namespace {
void drainEventFd(int fd) {
  uint64_t v;
  ssize_t r = read(fd, &v, sizeof v);
  (void)r;
}
}  // namespace

Poller::~Poller() {
  if (epfd_ >= 0) close(epfd_);
}

int Poller::poll(std::span<const Wait> waits, std::vector<uint32_t>& revents, int64_t blockAtMost) {
  revents.assign(waits.size(), 0);
  if (waits.empty()) return EINVAL;  // nothing could ever wake the wait
  bool any = false;
  uint64_t deadline = UINT64_MAX;
  // fd -> events wanted (several entries may wait on one fd)
  std::unordered_map<int, uint32_t> fds;
  for (size_t i = 0; i < waits.size(); ++i) {
    const Wait& w = waits[i];
    if (w.readyNow) {
      revents[i] = EPOLLIN;
      any = true;
    } else if (w.fd >= 0) {
      fds[w.fd] |= w.events;
    } else {
      deadline = std::min(deadline, w.deadline);
    }
  }
  if (epfd_ < 0) {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return errno;
  }
  std::vector<int> registered;
  std::unordered_map<int, uint32_t> seen;
  for (auto& [fd, ev] : fds) {
    epoll_event e{};
    e.events = ev;
    e.data.fd = fd;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &e) == 0) {
      registered.push_back(fd);
    } else if (errno == EPERM) {
      seen[fd] = ev;  // regular files, /dev/null: always ready
    } else if (errno == EBADF) {
      seen[fd] = EPOLLERR;
    } else {
      int err = errno;
      for (int r : registered) epoll_ctl(epfd_, EPOLL_CTL_DEL, r, nullptr);
      return err;
    }
  }
  if (!seen.empty()) any = true;
  // The interrupt's eventfd joins the wait (data.fd -1 marks it); checked after registering it, so a request made
  // before is seen here and one made later wakes epoll_wait.
  const Interrupt intr = interrupt_;
  bool intrRegistered = false;
  if (intr.requested && intr.wakeFd >= 0 && (!registered.empty() || !any)) {
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.fd = -1;
    intrRegistered = epoll_ctl(epfd_, EPOLL_CTL_ADD, intr.wakeFd, &e) == 0;
  }
  auto unregister = [&] {
    for (int r : registered) epoll_ctl(epfd_, EPOLL_CTL_DEL, r, nullptr);
    if (intrRegistered) epoll_ctl(epfd_, EPOLL_CTL_DEL, intr.wakeFd, nullptr);
  };
  if (intr.pending()) {
    unregister();
    return kInterrupted;
  }
  int err = 0;
  uint64_t now = monotonicNow();
  if (deadline <= now) any = true;
  uint64_t limit = deadline;
  if (blockAtMost >= 0) limit = std::min(limit, now + uint64_t(blockAtMost));
  if (!registered.empty() || !any) {
    std::vector<epoll_event> events(registered.size() + 1);
    for (;;) {
      int timeoutMs = -1;  // an empty epoll set with a timeout just sleeps
      if (any) {
        timeoutMs = 0;
      } else if (limit != UINT64_MAX) {
        uint64_t left = limit > now ? limit - now : 0;
        timeoutMs = static_cast<int>(std::min<uint64_t>((left + 999999) / 1000000, INT32_MAX));  // round up
      }
      int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeoutMs);
      now = monotonicNow();
      if (n < 0 && errno == EINTR) continue;  // a signal for the host: wait again for what is left
      if (n < 0) {
        err = errno;
        break;
      }
      bool woken = false;
      for (int i = 0; i < n; ++i) {
        if (events[size_t(i)].data.fd == -1) {
          woken = true;
          continue;
        }
        seen[events[size_t(i)].data.fd] |= events[size_t(i)].events;
      }
      if (woken) {
        if (intr.pending()) {
          unregister();
          return kInterrupted;
        }
        drainEventFd(intr.wakeFd);  // a request that was cleared again: wait on
        if (n == 1 && !any && limit > now) continue;
      }
      if (n > 0 || any || limit <= now) break;
    }
  }
  unregister();
  if (err) return err;
  for (size_t i = 0; i < waits.size(); ++i) {
    const Wait& w = waits[i];
    if (w.readyNow) continue;
    if (w.fd >= 0) {
      auto it = seen.find(w.fd);
      if (it != seen.end()) revents[i] = it->second & (w.events | EPOLLHUP | EPOLLERR);
    } else if (w.deadline <= now) {
      revents[i] = EPOLLIN;
    }
  }
  return 0;
}

}  // namespace myrt::wasi::host
