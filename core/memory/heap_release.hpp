#pragma once
// Gives the pages of freed heap memory back to the kernel once a burst of work is over.
//
// glibc keeps what a thread frees in that thread's malloc arena for reuse, and returns only a
// free top of the heap, and only past a threshold. A check whose result is large (1,000
// http_probe targets make 7,000 labelled metrics, copied on their way to the log, the state
// database and the alert engine) leaves megabytes of free chunks between the few blocks that
// stay, so the daemon's RSS would keep the high-water mark of its largest run, once per worker
// arena. malloc_trim(0) returns every free page of every arena (madvise DONTNEED): the memory
// is really released, and the next large run takes fresh pages as the first did.
//
// It walks every arena's free lists, so it is rate-limited: a scheduler running 10,000 quick
// checks a second trims at most once per min_gap (a fifth of a second), not once per run.
#include <atomic>
#include <chrono>

namespace vigil::core {

class HeapRelease {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Also fixes glibc's mmap and trim thresholds at 128 KiB for the process (see the .cpp).
  explicit HeapRelease(std::chrono::milliseconds min_gap = std::chrono::milliseconds(200)) noexcept;

  // Trims the heap unless it was trimmed less than min_gap before `now`; thread-safe (one of
  // two threads arriving together trims). True when it trimmed.
  bool after_burst(SteadyTime now) noexcept;

 private:
  const std::chrono::milliseconds min_gap_;
  std::atomic<SteadyTime::rep> last_{SteadyTime::min().time_since_epoch().count()};
};

}  // namespace vigil::core
