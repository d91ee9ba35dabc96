// latency_histogram: quantiles of a Prometheus histogram on a /metrics page, with PromQL's
// histogram_quantile semantics, so that "p95 under 300 ms" means here what it means on a
// Grafana panel built on histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))).
//
// In the default increase mode the window is the time between two runs of the check: the
// previous scrape's summed buckets live in the check's state store and each run reports the
// quantiles of the buckets' increase since then. The first run has no window and says so
// (UNKNOWN, the cumulative figures in the details) rather than passing off figures since the
// process started as recent latency.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <vigil/sdk/histogram.hpp>
#include <vigil/sdk/scrape.hpp>
#include <vigil/sdk/sdk.hpp>

namespace {

namespace expo = vigil::sdk::exposition;
using vigil::sdk::ConfigError;
using vigil::sdk::Context;
using vigil::sdk::Options;
using vigil::sdk::Result;

enum class Mode { Increase, Cumulative };

// One scrape's view of the selected histogram, summed over the matching series.
struct Snapshot {
  std::vector<expo::Bucket> buckets;
  double count = 0;
  std::optional<double> sum;
};

struct Quantile {
  double q = 0;
  std::string metric;  // "p95", "p99.9"
};

std::string percentile_name(double q) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%.10g", q * 100);
  return buf;
}

std::string format_value(double v, const std::string& unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf + unit;
}

std::string format_count(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string format_buckets(const std::vector<expo::Bucket>& buckets) {
  std::string out;
  for (const auto& b : buckets) {
    if (!out.empty())
      out += ", ";
    // Written as on the page, where the last bound is "+Inf".
    const std::string le = std::isinf(b.upper_bound) && b.upper_bound > 0
                               ? std::string("+Inf")
                               : expo::format_number(b.upper_bound);
    out += "le=" + le + ": " + format_count(b.count);
  }
  return out;
}

// State text: "v1 <fingerprint> <unix ms> <count> <sum or -> <le>:<count>,<le>:<count>..."
std::string encode_state(std::uint64_t fingerprint, std::int64_t time_ms, const Snapshot& s) {
  std::string out = "v1 " + std::to_string(fingerprint) + " " + std::to_string(time_ms) + " " +
                    expo::format_number(s.count) + " " +
                    (s.sum ? expo::format_number(*s.sum) : std::string("-")) + " ";
  for (std::size_t i = 0; i < s.buckets.size(); ++i) {
    if (i > 0)
      out += ',';
    out += expo::format_number(s.buckets[i].upper_bound) + ":" +
           expo::format_number(s.buckets[i].count);
  }
  return out;
}

struct Previous {
  std::int64_t time_ms = 0;
  Snapshot snapshot;
};

std::optional<Previous> decode_state(const std::string& text, std::uint64_t fingerprint) {
  std::vector<std::string_view> fields;
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    fields.push_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  }
  if (fields.size() != 6 || fields[0] != "v1" || fields[1] != std::to_string(fingerprint)) {
    return std::nullopt;
  }
  Previous p;
  const auto time_ms = vigil::sdk::parse_int(fields[2]);
  const auto count = expo::parse_float(fields[3]);
  if (!time_ms || !count)
    return std::nullopt;
  p.time_ms = *time_ms;
  p.snapshot.count = *count;
  if (fields[4] != "-") {
    p.snapshot.sum = expo::parse_float(fields[4]);
    if (!p.snapshot.sum)
      return std::nullopt;
  }
  std::string_view buckets = fields[5];
  while (!buckets.empty()) {
    const auto comma = buckets.find(',');
    const std::string_view item = buckets.substr(0, comma);
    buckets = comma == std::string_view::npos ? std::string_view{} : buckets.substr(comma + 1);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos)
      return std::nullopt;
    const auto bound = expo::parse_float(item.substr(0, colon));
    const auto bucket_count = expo::parse_float(item.substr(colon + 1));
    if (!bound || !bucket_count)
      return std::nullopt;
    p.snapshot.buckets.push_back({*bound, *bucket_count});
  }
  return p;
}

const expo::Bucket* find_bucket(const std::vector<expo::Bucket>& buckets, double bound) {
  for (const auto& b : buckets) {
    if (b.upper_bound == bound)
      return &b;
  }
  return nullptr;
}

// The increase from `prev` to `cur`. Any bucket or the count decreasing means the counters
// started again (a restart): then the current values are the increase, as PromQL's increase()
// takes a reset. A changed bucket layout is read the same way, having no other sound reading.
Snapshot window_between(const Snapshot& prev, const Snapshot& cur, bool& reset) {
  reset = cur.count < prev.count || prev.buckets.size() != cur.buckets.size();
  for (const auto& b : cur.buckets) {
    const auto* before = find_bucket(prev.buckets, b.upper_bound);
    if (before == nullptr || b.count < before->count)
      reset = true;
  }
  if (reset)
    return cur;
  Snapshot w;
  w.count = cur.count - prev.count;
  if (cur.sum && prev.sum)
    w.sum = *cur.sum - *prev.sum;
  for (const auto& b : cur.buckets) {
    w.buckets.push_back({b.upper_bound, b.count - find_bucket(prev.buckets, b.upper_bound)->count});
  }
  return w;
}

class LatencyHistogramCheck final : public vigil::sdk::Check {
 public:
  explicit LatencyHistogramCheck(const Options& options)
      : source_(expo::PageSource::from_options(options)),
        timeout_(options.duration("timeout")),
        selection_(metric_from_options(options), selector_from(options)) {
    const std::string mode = options.string("mode");
    if (mode == "increase") {
      mode_ = Mode::Increase;
    } else if (mode == "cumulative") {
      mode_ = Mode::Cumulative;
    } else {
      throw ConfigError("mode", "mode must be increase or cumulative, got \"" + mode + "\"");
    }
    for (const double q : options.numbers("quantiles")) {
      if (!(q >= 0 && q <= 1)) {
        throw ConfigError("quantiles", "a quantile lies between 0 and 1, got " +
                                           vigil::sdk::Options::to_text(vigil::sdk::Scalar{q}));
      }
      Quantile quantile{q, percentile_name(q)};
      for (const auto& other : quantiles_) {
        if (other.metric == quantile.metric) {
          throw ConfigError("quantiles", "quantile " + quantile.metric + " is listed twice");
        }
      }
      quantiles_.push_back(std::move(quantile));
    }
    if (quantiles_.empty())
      throw ConfigError("quantiles", "list at least one quantile");
    const std::string& base = selection_.base_name();
    unit_ = base.size() > 8 && base.compare(base.size() - 8, 8, "_seconds") == 0 ? "s" : "";
    what_ = base + selection_.selector().to_string();
    fingerprint_ = expo::fingerprint(what_);
  }

  Result run(Context& ctx) override {
    selection_.clear();
    auto visitor = expo::on_samples([this](const expo::Sample& s) { selection_.add(s); });
    expo::Parser parser(visitor);
    const auto outcome = expo::scrape(source_, timeout_, parser, &ctx);
    if (!outcome.ok) {
      return Result::unknown(outcome.malformed ? source_.where() + ": " + outcome.error
                                               : outcome.error);
    }
    if (selection_.series() == 0) {
      auto r = Result::unknown("no histogram " + selection_.base_name() + "_bucket" +
                               selection_.selector().to_string() +
                               " with an le=\"+Inf\" bucket on " + source_.where());
      if (selection_.unparsable_le() > 0) {
        r.detail(std::to_string(selection_.unparsable_le()) +
                 " bucket samples had an le that is not a number");
      }
      return r;
    }
    Snapshot current;
    current.buckets = selection_.buckets();
    current.count = selection_.has_count() ? selection_.count() : *selection_.inf_bucket();
    if (selection_.has_sum())
      current.sum = selection_.sum();

    if (mode_ == Mode::Cumulative)
      return report(current, "since the process started", false);

    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now().time_since_epoch()).count();
    const auto stored = ctx.state().get(kStateKey);
    const auto previous = stored ? decode_state(*stored, fingerprint_) : std::nullopt;
    ctx.state().set(kStateKey, encode_state(fingerprint_, now_ms, current));
    if (!previous) {
      auto r = Result::unknown("first scrape, no window yet");
      r.detail("the next run reports the quantiles of the observations made in between");
      r.detail("since the process started: " + format_count(current.count) + " observations" +
               (current.sum && current.count > 0
                    ? ", avg " + format_value(*current.sum / current.count, unit_)
                    : std::string()));
      for (const auto& q : quantiles_) {
        auto buckets = current.buckets;
        const double v = expo::bucket_quantile(q.q, buckets).value;
        if (!std::isnan(v))
          r.detail("since the process started: " + q.metric + " " + format_value(v, unit_));
      }
      return r;
    }
    bool reset = false;
    const Snapshot window = window_between(previous->snapshot, current, reset);
    const double seconds = static_cast<double>(now_ms - previous->time_ms) / 1000.0;
    auto result = report(window, "in the last " + format_count(std::round(seconds)) + "s", reset);
    return result;
  }

 private:
  static constexpr const char* kStateKey = "previous_scrape";

  static std::string metric_from_options(const Options& options) {
    std::string metric = options.string("metric");
    // x_bucket is what a user sees on the page; the histogram is x.
    if (metric.size() > 7 && metric.compare(metric.size() - 7, 7, "_bucket") == 0) {
      metric.resize(metric.size() - 7);
    }
    bool valid =
        !metric.empty() && expo::detail::kChars.metric_start[expo::detail::byte(metric[0])];
    for (const char c : metric)
      valid = valid && expo::detail::kChars.metric[expo::detail::byte(c)];
    if (!valid)
      throw ConfigError("metric", "\"" + metric + "\" is not a metric name");
    return metric;
  }

  static expo::SeriesSelector selector_from(const Options& options) {
    auto selector = expo::selector_from_options(options, "labels");
    for (const auto& m : selector.matchers()) {
      if (m.name() == "le") {
        throw ConfigError("labels",
                          "labels.le would select single buckets; a quantile needs all of them");
      }
    }
    return selector;
  }

  Result report(const Snapshot& window, const std::string& span, bool reset) const {
    const auto inf = find_bucket(window.buckets, std::numeric_limits<double>::infinity());
    const double observations = inf != nullptr ? inf->count : 0;
    const std::string series = std::to_string(selection_.series()) +
                               (selection_.series() == 1 ? " series" : " series summed by le");
    if (window.count <= 0 || observations <= 0) {
      auto r = Result::unknown("no observations " + span);
      r.metric("count", std::max(window.count, 0.0));
      r.detail(what_ + " on " + source_.where() + ", " + series);
      if (reset)
        r.detail("counters were reset (a restart): the current values are the window");
      return r;
    }
    std::vector<std::pair<const Quantile*, expo::QuantileResult>> values;
    bool forced_monotonic = false;
    for (const auto& q : quantiles_) {
      auto buckets = window.buckets;
      const auto v = expo::bucket_quantile(q.q, buckets);
      if (std::isnan(v.value)) {
        return Result::unknown(what_ + " has fewer than two buckets: no quantile can be computed");
      }
      forced_monotonic = forced_monotonic || v.forced_monotonic;
      values.emplace_back(&q, v);
    }
    std::string summary;
    for (const auto& [q, v] : values) {
      summary += (summary.empty() ? "" : ", ") + q->metric + " " + format_value(v.value, unit_);
    }
    std::optional<double> avg;
    if (window.sum)
      avg = *window.sum / window.count;
    if (avg)
      summary += ", avg " + format_value(*avg, unit_);
    summary += " over " + format_count(window.count) + " observations " + span;
    auto r = Result::ok(summary);
    for (const auto& [q, v] : values)
      r.metric(q->metric, v.value, unit_);
    if (avg)
      r.metric("avg", *avg, unit_);
    r.metric("count", window.count);
    r.detail(what_ + " on " + source_.where() + ", " + series);
    r.detail("buckets " + span + ": " + format_buckets(window.buckets));
    if (reset)
      r.detail("counters were reset (a restart): the current values are the window");
    if (forced_monotonic) {
      r.detail("bucket counts fell as le grew; raised to the running maximum as Prometheus does");
    }
    return r;
  }

  expo::PageSource source_;
  std::chrono::milliseconds timeout_;
  expo::HistogramSelection selection_;
  Mode mode_ = Mode::Increase;
  std::vector<Quantile> quantiles_;
  std::string unit_;
  std::string what_;  // http_request_duration_seconds{code=~"2.."}
  std::uint64_t fingerprint_ = 0;
};

}  // namespace

VIGIL_PLUGIN("latency_histogram", VIGIL_SDK_VERSION_STRING,
             "Quantiles of a Prometheus histogram, as histogram_quantile computes them") {
  using vigil::sdk::OptionType;
  plugin
      .add_check<LatencyHistogramCheck>(
          "latency_histogram",
          "Quantiles, average and count of a Prometheus histogram between two scrapes")
      .optional("url", OptionType::String, {}, "The /metrics page to scrape (http or https)")
      .optional("file", OptionType::String, {}, "A saved exposition page to read instead of url")
      .required("metric", OptionType::String,
                "Histogram base name, e.g. http_request_duration_seconds")
      .map("labels", OptionType::String,
           "Label matchers: \"200\" is =, \"!500\" is !=, \"~2..\" is =~, \"!~5..\" is !~")
      .list("quantiles", OptionType::Double, "[0.95]",
            "Quantiles to report, each as a metric p<percentile> (0.95 is p95, 0.999 is p99.9)")
      .optional("mode", OptionType::String, "increase",
                "increase: over the buckets' increase since the previous run; cumulative: over "
                "the buckets as they are")
      .optional("timeout", OptionType::Duration, "10s", "Limit for fetching the page");
}
