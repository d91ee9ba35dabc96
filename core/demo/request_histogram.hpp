#pragma once
// The demo service's latency histogram, kept the way a Prometheus client keeps one: a count per
// bucket plus the sum and count of every observation, so /metrics can render the cumulative
// _bucket series, _sum and _count from one consistent state.
#include <array>
#include <cstdint>

namespace vigil::demo {

class RequestHistogram {
 public:
  // The Prometheus client libraries' default buckets (DefBuckets), 5 ms to 10 s: what a service
  // that never thought about its buckets exposes.
  static constexpr std::array<double, 11> kUpperBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1,    2.5,   5,    10};

  void observe(double seconds);

  // Observations <= kUpperBounds[i], cumulative as exposed in _bucket{le=...}.
  std::array<std::uint64_t, kUpperBounds.size()> cumulative_counts() const;
  // The +Inf bucket: every observation.
  std::uint64_t count() const noexcept { return count_; }
  double sum() const noexcept { return sum_; }

 private:
  std::array<std::uint64_t, kUpperBounds.size()> per_bucket_{};  // not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace vigil::demo
