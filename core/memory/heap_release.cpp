#include "core/memory/heap_release.hpp"

#include <malloc.h>

namespace vigil::core {

HeapRelease::HeapRelease(std::chrono::milliseconds min_gap) noexcept : min_gap_(min_gap) {
  // glibc raises its mmap threshold to the size of the largest block freed so far (up to 32
  // MiB) and its trim threshold to twice that, so after one large run the next one's big
  // blocks (a result's metric vector, its JSON text) come from the heap and stay there. Fixed
  // thresholds keep blocks of 128 KiB and more in mappings of their own, returned when freed.
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

bool HeapRelease::after_burst(SteadyTime now) noexcept {
  const SteadyTime::rep now_rep = now.time_since_epoch().count();
  SteadyTime::rep last = last_.load(std::memory_order_relaxed);
  const SteadyTime::rep gap = std::chrono::duration_cast<SteadyTime::duration>(min_gap_).count();
  // Once per gap: the first thread past it claims the trim with the compare-exchange.
  if (last != SteadyTime::min().time_since_epoch().count() && now_rep - last < gap)
    return false;
  if (!last_.compare_exchange_strong(last, now_rep, std::memory_order_relaxed))
    return false;
  ::malloc_trim(0);
  return true;
}

}  // namespace vigil::core
