#include "core/demo/request_histogram.hpp"

#include <algorithm>

namespace vigil::demo {

void RequestHistogram::observe(double seconds) {
  // le is "less than or equal": an observation on a bound belongs to that bound's bucket.
  const auto* bound = std::lower_bound(kUpperBounds.begin(), kUpperBounds.end(), seconds);
  if (bound != kUpperBounds.end())
    ++per_bucket_[static_cast<std::size_t>(bound - kUpperBounds.begin())];
  ++count_;
  sum_ += seconds;
}

std::array<std::uint64_t, RequestHistogram::kUpperBounds.size()>
RequestHistogram::cumulative_counts() const {
  std::array<std::uint64_t, kUpperBounds.size()> cumulative{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < per_bucket_.size(); ++i) {
    running += per_bucket_[i];
    cumulative[i] = running;
  }
  return cumulative;
}

}  // namespace vigil::demo
