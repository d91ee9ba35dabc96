#pragma once
// Classic (le-bucketed) Prometheus histograms: PromQL's histogram_quantile with exactly the
// semantics of Prometheus's bucketQuantile (promql/quantile.go), and the selection and
// `sum by (le)` that histogram_quantile(q, sum by (le) (x_bucket{...})) performs on one scrape.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/sdk/exposition.hpp"

namespace vigil::sdk::exposition {

struct Bucket {
  double upper_bound = 0;
  double count = 0;  // cumulative: observations <= upper_bound
};

struct QuantileResult {
  double value = std::numeric_limits<double>::quiet_NaN();
  // Prometheus reports both as annotations: counts that decreased with a growing bound were
  // raised to the running maximum, or differences within float noise (1e-12) were ignored.
  bool forced_monotonic = false;
  bool fixed_precision = false;
};

namespace detail {

// Prometheus's util/almost.Equal.
inline bool almost_equal(double a, double b, double epsilon) noexcept {
  if (std::isnan(a) && std::isnan(b))
    return true;
  if (a == b)
    return true;
  const double min_normal = std::numeric_limits<double>::min();
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < min_normal)
    return diff < epsilon * min_normal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

}  // namespace detail

// φ-quantile of cumulative buckets, as PromQL computes it for a classic histogram. Works on the
// buckets in place (sorts, merges equal bounds, removes decreases):
//   - q < 0 gives -Inf, q > 1 gives +Inf, q NaN gives NaN;
//   - NaN unless the highest bound is +Inf, there are at least 2 distinct bounds after merging
//     and at least one observation;
//   - counts are made monotonic: a difference within 1e-12 relative is ignored in either
//     direction, and a decrease is raised to the running maximum;
//   - the quantile is interpolated linearly inside its bucket; the lowest bucket starts at 0 when
//     its upper bound is positive, and returns its upper bound when that is <= 0; a rank in the
//     +Inf bucket returns the highest finite bound.
inline QuantileResult bucket_quantile(double q, std::vector<Bucket>& buckets) {
  QuantileResult out;
  if (std::isnan(q))
    return out;
  if (q < 0) {
    out.value = -std::numeric_limits<double>::infinity();
    return out;
  }
  if (q > 1) {
    out.value = std::numeric_limits<double>::infinity();
    return out;
  }
  // A NaN bound cannot be ordered (sorting with it is undefined behaviour); Prometheus does not
  // expect one either. Dropping it is the only safe reading.
  buckets.erase(std::remove_if(buckets.begin(), buckets.end(),
                               [](const Bucket& b) { return std::isnan(b.upper_bound); }),
                buckets.end());
  if (buckets.empty())
    return out;
  std::sort(buckets.begin(), buckets.end(),
            [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (!std::isinf(buckets.back().upper_bound) || buckets.back().upper_bound < 0)
    return out;

  // Merge equal bounds ("0.2" and "2e-1" are one bucket).
  std::size_t kept = 0;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == buckets[kept].upper_bound) {
      buckets[kept].count += buckets[i].count;
    } else {
      buckets[++kept] = buckets[i];
    }
  }
  buckets.resize(kept + 1);

  constexpr double kSmallDeltaTolerance = 1e-12;
  double prev = buckets[0].count;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    const double curr = buckets[i].count;
    if (curr == prev)
      continue;
    if (detail::almost_equal(prev, curr, kSmallDeltaTolerance)) {
      buckets[i].count = prev;
      out.fixed_precision = true;
      continue;
    }
    if (curr < prev) {
      buckets[i].count = prev;
      out.forced_monotonic = true;
      continue;
    }
    prev = curr;
  }

  if (buckets.size() < 2)
    return QuantileResult{};
  const double observations = buckets.back().count;
  if (observations == 0)
    return QuantileResult{};
  double rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first bucket whose count reaches the rank.
  const auto last = buckets.size() - 1;
  std::size_t b = static_cast<std::size_t>(
      std::partition_point(buckets.begin(), buckets.begin() + static_cast<std::ptrdiff_t>(last),
                           [rank](const Bucket& x) { return x.count < rank; }) -
      buckets.begin());
  if (b == last) {
    out.value = buckets[last - 1].upper_bound;
    return out;
  }
  if (b == 0 && buckets[0].upper_bound <= 0) {
    out.value = buckets[0].upper_bound;
    return out;
  }
  double bucket_start = 0;
  const double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  out.value = bucket_start + (bucket_end - bucket_start) * (rank / count);
  return out;
}

// The same, on a copy: histogram_quantile(q, buckets).
inline double histogram_quantile(double q, std::vector<Bucket> buckets) {
  return bucket_quantile(q, buckets).value;
}

// Collects one classic histogram from a page: every series of `<base>_bucket`, `<base>_sum` and
// `<base>_count` whose labels match the selector, summed by le, which is what
// sum by (le) (<base>_bucket{selector}) gives PromQL. Feed it every sample of the page.
//
// Buckets are keyed by the parsed bound, so "0.2" and "2e-1" are one bucket; a bucket whose le
// does not parse (or is NaN) is skipped and counted, as histogram_quantile skips it.
class HistogramSelection {
 public:
  HistogramSelection(std::string base_name, SeriesSelector selector)
      : base_(std::move(base_name)),
        bucket_name_(base_ + "_bucket"),
        sum_name_(base_ + "_sum"),
        count_name_(base_ + "_count"),
        selector_(std::move(selector)) {}

  void add(const Sample& s) {
    // Most samples of a page belong to other families: one prefix compare rejects them.
    if (s.name.size() <= base_.size() || s.name.compare(0, base_.size(), base_) != 0)
      return;
    if (s.name == bucket_name_) {
      if (!selector_.matches(s.labels))
        return;
      const auto bound = parse_float(s.labels.get("le"));
      if (!bound || std::isnan(*bound)) {
        ++unparsable_le_;
        return;
      }
      if (std::isinf(*bound) && *bound > 0)
        ++series_;
      for (Bucket& b : buckets_) {
        if (b.upper_bound == *bound) {
          b.count += s.value;
          return;
        }
      }
      buckets_.push_back(Bucket{*bound, s.value});
    } else if (s.name == count_name_) {
      if (!selector_.matches(s.labels))
        return;
      count_ += s.value;
      has_count_ = true;
    } else if (s.name == sum_name_) {
      if (!selector_.matches(s.labels))
        return;
      sum_ += s.value;
      has_sum_ = true;
    }
  }

  const std::string& base_name() const noexcept { return base_; }
  const SeriesSelector& selector() const noexcept { return selector_; }
  // Summed buckets in the order their bounds first appeared.
  const std::vector<Bucket>& buckets() const noexcept { return buckets_; }
  // Series that contributed, counted by their +Inf buckets.
  std::size_t series() const noexcept { return series_; }
  std::size_t unparsable_le() const noexcept { return unparsable_le_; }
  bool has_count() const noexcept { return has_count_; }
  double count() const noexcept { return count_; }
  bool has_sum() const noexcept { return has_sum_; }
  double sum() const noexcept { return sum_; }

  // The +Inf bucket's count, which is the observation count when _count is missing.
  std::optional<double> inf_bucket() const noexcept {
    for (const Bucket& b : buckets_) {
      if (std::isinf(b.upper_bound) && b.upper_bound > 0)
        return b.count;
    }
    return std::nullopt;
  }

  void clear() {
    buckets_.clear();
    series_ = unparsable_le_ = 0;
    count_ = sum_ = 0;
    has_count_ = has_sum_ = false;
  }

 private:
  std::string base_;
  std::string bucket_name_;
  std::string sum_name_;
  std::string count_name_;
  SeriesSelector selector_;
  std::vector<Bucket> buckets_;
  std::size_t series_ = 0;
  std::size_t unparsable_le_ = 0;
  double count_ = 0;
  double sum_ = 0;
  bool has_count_ = false;
  bool has_sum_ = false;
};

// Sums the series of one counter whose labels match: samples named `name`, or `name_total` so
// that both the family name and the sample name work.
class CounterSelection {
 public:
  CounterSelection(std::string name, SeriesSelector selector)
      : name_(std::move(name)), total_name_(name_ + "_total"), selector_(std::move(selector)) {
    if (name_.size() > 6 && name_.compare(name_.size() - 6, 6, "_total") == 0)
      total_name_.clear();
  }

  void add(const Sample& s) {
    if (s.name.size() < name_.size() || s.name.compare(0, name_.size(), name_) != 0)
      return;
    if (s.name != name_ && (total_name_.empty() || s.name != total_name_))
      return;
    if (!selector_.matches(s.labels))
      return;
    value_ += s.value;
    ++series_;
  }

  const std::string& name() const noexcept { return name_; }
  const SeriesSelector& selector() const noexcept { return selector_; }
  double value() const noexcept { return value_; }
  std::size_t series() const noexcept { return series_; }

 private:
  std::string name_;
  std::string total_name_;
  SeriesSelector selector_;
  double value_ = 0;
  std::size_t series_ = 0;
};

}  // namespace vigil::sdk::exposition
