// Parses a whole exposition page with the SDK's streaming parser and computes a quantile of every
// classic histogram series on it: the work behind the "parse + P95 of every histogram"
// figure, without the vigil process around it. Prints one line:
//   <samples> samples, <histograms> histograms, p95 checksum <sum of finite p95s>
//
// Usage: every_histogram PAGE [QUANTILE]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <vigil/sdk/exposition.hpp>
#include <vigil/sdk/histogram.hpp>
#include <vigil/sdk/scrape.hpp>

namespace {

namespace expo = vigil::sdk::exposition;

// A histogram series is a run of `_bucket` samples with one name and one label set apart from
// le; exposition pages keep a series' buckets together, so a change of key ends a series and no
// page-wide map of series is needed.
class EveryHistogram final : public expo::Visitor {
 public:
  explicit EveryHistogram(double q) : q_(q) {}

  void sample(const expo::Sample& s) override {
    ++samples_;
    const bool bucket = s.name.size() > 7 && s.name.substr(s.name.size() - 7) == "_bucket";
    if (!bucket) {
      finish_series();
      return;
    }
    key_.assign(s.name.data(), s.name.size());
    const expo::Label* le = nullptr;
    for (const auto& l : s.labels) {
      if (l.name == "le") {
        le = &l;
        continue;
      }
      key_ += '\xff';
      key_.append(l.name.data(), l.name.size());
      key_ += '=';
      key_.append(l.value.data(), l.value.size());
    }
    if (le == nullptr)
      return;
    if (key_ != current_) {
      finish_series();
      current_.swap(key_);
    }
    if (const auto bound = expo::parse_float(le->value))
      buckets_.push_back({*bound, s.value});
  }

  void finish_series() {
    if (buckets_.empty())
      return;
    const double v = expo::bucket_quantile(q_, buckets_).value;
    if (std::isfinite(v))
      checksum_ += v;
    ++histograms_;
    buckets_.clear();
    current_.clear();
  }

  std::size_t samples_ = 0;
  std::size_t histograms_ = 0;
  double checksum_ = 0;

 private:
  double q_;
  std::string key_;
  std::string current_;
  std::vector<expo::Bucket> buckets_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PAGE [QUANTILE]\n", argv[0]);
    return 2;
  }
  EveryHistogram every(argc > 2 ? std::atof(argv[2]) : 0.95);
  expo::Parser parser(every);
  const auto outcome = expo::scrape_file(argv[1], parser);
  if (!outcome.ok) {
    std::fprintf(stderr, "%s: %s\n", argv[1], outcome.error.c_str());
    return 1;
  }
  every.finish_series();
  std::printf("%zu samples, %zu histograms, p95 checksum %.9g\n", every.samples_, every.histograms_,
              every.checksum_);
  return 0;
}
