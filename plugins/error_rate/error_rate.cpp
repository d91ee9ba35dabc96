// error_rate: the share of requests that failed between two runs of the check, from the
// counters on a /metrics page: increase(errors) / increase(total) * 100, the figure behind an SLO
// such as "error rate below 0.1%, critical above 1%".
//
// The previous run's counter sums live in the check's state store, so the window is the time
// between two runs. The first run has no window and says so (UNKNOWN, with the figures since the
// process started in the details); a window without requests is UNKNOWN too, since a rate of
// nothing is not 0%.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
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

struct Reading {
  double errors = 0;
  double total = 0;
};

struct Previous {
  std::int64_t time_ms = 0;
  Reading reading;
};

std::string format_count(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string format_percent(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4g%%", v);
  return buf;
}

// State text: "v1 <fingerprint> <unix ms> <errors> <total>"
std::string encode_state(std::uint64_t fingerprint, std::int64_t time_ms, const Reading& r) {
  return "v1 " + std::to_string(fingerprint) + " " + std::to_string(time_ms) + " " +
         expo::format_number(r.errors) + " " + expo::format_number(r.total);
}

// False for a state this selection did not write or cannot read: then there is no previous
// scrape. (An out-parameter rather than optional<Previous>, on which GCC 12 wrongly warns that
// the doubles may be read uninitialised.)
bool decode_state(const std::string& text, std::uint64_t fingerprint, Previous& out) {
  std::vector<std::string_view> fields;
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    fields.push_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  }
  if (fields.size() != 5 || fields[0] != "v1" || fields[1] != std::to_string(fingerprint)) {
    return false;
  }
  const auto time_ms = vigil::sdk::parse_int(fields[2]);
  const auto errors = expo::parse_float(fields[3]);
  const auto total = expo::parse_float(fields[4]);
  if (!time_ms || !errors || !total)
    return false;
  out = Previous{*time_ms, Reading{*errors, *total}};
  return true;
}

std::string metric_name(const Options& options, const std::string& key) {
  const std::string name = options.string(key);
  bool valid = !name.empty() && expo::detail::kChars.metric_start[expo::detail::byte(name[0])];
  for (const char c : name)
    valid = valid && expo::detail::kChars.metric[expo::detail::byte(c)];
  if (!valid)
    throw ConfigError(key, "\"" + name + "\" is not a metric name");
  return name;
}

expo::SeriesSelector errors_selector(const Options& options) {
  const auto common = expo::selector_from_options(options, "labels");
  const auto only_errors = expo::selector_from_options(options, "error_labels");
  std::vector<expo::LabelMatcher> matchers = common.matchers();
  matchers.insert(matchers.end(), only_errors.matchers().begin(), only_errors.matchers().end());
  return expo::SeriesSelector(std::move(matchers));
}

class ErrorRateCheck final : public vigil::sdk::Check {
 public:
  explicit ErrorRateCheck(const Options& options)
      : source_(expo::PageSource::from_options(options)),
        timeout_(options.duration("timeout")),
        errors_name_(metric_name(options, "errors_metric")),
        total_name_(metric_name(options, "total_metric")),
        errors_selector_(errors_selector(options)),
        total_selector_(expo::selector_from_options(options, "labels")) {
    errors_what_ = errors_name_ + errors_selector_.to_string();
    total_what_ = total_name_ + total_selector_.to_string();
    if (errors_what_ == total_what_) {
      throw ConfigError("error_labels",
                        "errors and total select the same series; name an error counter in "
                        "errors_metric or narrow it with error_labels (e.g. code: \"~5..\")");
    }
    fingerprint_ = expo::fingerprint(errors_what_ + " / " + total_what_);
  }

  Result run(Context& ctx) override {
    expo::CounterSelection errors(errors_name_, errors_selector_);
    expo::CounterSelection total(total_name_, total_selector_);
    auto visitor = expo::on_samples([&](const expo::Sample& s) {
      errors.add(s);
      total.add(s);
    });
    expo::Parser parser(visitor);
    const auto outcome = expo::scrape(source_, timeout_, parser, &ctx);
    if (!outcome.ok) {
      return Result::unknown(outcome.malformed ? source_.where() + ": " + outcome.error
                                               : outcome.error);
    }
    if (total.series() == 0) {
      return Result::unknown("no counter " + total_what_ + " on " + source_.where());
    }
    const Reading current{errors.value(), total.value()};
    std::vector<std::string> notes;
    notes.push_back(errors_what_ + " / " + total_what_ + " on " + source_.where());
    if (errors.series() == 0) {
      // Many services create an error series with its first error; its absence is zero errors.
      notes.push_back("no series of " + errors_what_ + " yet: counted as 0 errors");
    }

    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now().time_since_epoch()).count();
    const auto stored = ctx.state().get(kStateKey);
    Previous previous;
    const bool has_previous = stored && decode_state(*stored, fingerprint_, previous);
    ctx.state().set(kStateKey, encode_state(fingerprint_, now_ms, current));
    if (!has_previous) {
      auto r = Result::unknown("first scrape, no window yet");
      r.detail("the next run reports the error rate of the requests made in between");
      std::string since = "since the process started: " + format_count(current.errors) +
                          " errors of " + format_count(current.total) + " requests";
      if (current.total > 0)
        since += " (" + format_percent(100 * current.errors / current.total) + ")";
      r.detail(since);
      for (auto& n : notes)
        r.detail(std::move(n));
      return r;
    }

    const double error_increase = expo::counter_increase(previous.reading.errors, current.errors);
    const double request_increase = expo::counter_increase(previous.reading.total, current.total);
    if (current.errors < previous.reading.errors || current.total < previous.reading.total) {
      notes.push_back("counters were reset (a restart): their current values are the increase");
    }
    const double seconds = static_cast<double>(now_ms - previous.time_ms) / 1000.0;
    const std::string span = "in the last " + format_count(std::round(seconds)) + "s";
    if (request_increase <= 0) {
      auto r = Result::unknown("no requests " + span);
      r.metric("errors", error_increase).metric("requests", 0);
      for (auto& n : notes)
        r.detail(std::move(n));
      return r;
    }
    const double rate = 100 * error_increase / request_increase;
    auto r = Result::ok("error rate " + format_percent(rate) + ": " + format_count(error_increase) +
                        " errors of " + format_count(request_increase) + " requests " + span);
    r.metric("error_rate", rate, "%");
    r.metric("errors", error_increase);
    r.metric("requests", request_increase);
    for (auto& n : notes)
      r.detail(std::move(n));
    return r;
  }

 private:
  static constexpr const char* kStateKey = "previous_scrape";

  expo::PageSource source_;
  std::chrono::milliseconds timeout_;
  std::string errors_name_;
  std::string total_name_;
  expo::SeriesSelector errors_selector_;
  expo::SeriesSelector total_selector_;
  std::string errors_what_;
  std::string total_what_;
  std::uint64_t fingerprint_ = 0;
};

}  // namespace

VIGIL_PLUGIN("error_rate", VIGIL_SDK_VERSION_STRING,
             "Error rate between two scrapes of a Prometheus /metrics page") {
  using vigil::sdk::OptionType;
  plugin
      .add_check<ErrorRateCheck>(
          "error_rate", "Percent of requests that failed since the previous run, from two counters")
      .optional("url", OptionType::String, {}, "The /metrics page to scrape (http or https)")
      .optional("file", OptionType::String, {}, "A saved exposition page to read instead of url")
      .required("errors_metric", OptionType::String,
                "Counter of failed requests, e.g. http_requests_failed_total")
      .required("total_metric", OptionType::String,
                "Counter of all requests, e.g. http_requests_total")
      .map("labels", OptionType::String,
           "Label matchers for both counters: \"200\" is =, \"!500\" is !=, \"~2..\" is =~, "
           "\"!~5..\" is !~")
      .map("error_labels", OptionType::String,
           "More matchers for the errors counter only, e.g. code: \"~5..\" when errors and "
           "total are one counter")
      .optional("timeout", OptionType::Duration, "10s", "Limit for fetching the page");
}
