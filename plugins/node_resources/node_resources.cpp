// node_resources: CPU, memory, disk and load of this host, read from /proc and statvfs, or of
// another host from its node_exporter page. Every figure is a metric and the status is OK: the
// limits are the host's thresholds, so the plugin only says UNKNOWN when a figure cannot be read.
//
// CPU percent is a rate, so it needs two readings of the cumulative CPU times. The previous run's
// reading lives in the check's state store and the figure covers the time since that run; the
// first run (and a run whose previous reading is unusable) takes two readings cpu_window (200 ms)
// apart. The same holds with a url: the first run scrapes twice, so no run is UNKNOWN just for
// being first.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <vigil/sdk/scrape.hpp>
#include <vigil/sdk/sdk.hpp>

#include "node_figures.hpp"
#include "url_scraper.hpp"

namespace {

namespace expo = vigil::sdk::exposition;
namespace node = vigil::node_resources;
using vigil::sdk::ConfigError;
using vigil::sdk::Context;
using vigil::sdk::Options;
using vigil::sdk::Result;

constexpr std::chrono::milliseconds kStopPollStep{10};

std::string format(const char* spec, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

// Everything one reading found; a figure that could not be read has its reason instead.
struct Snapshot {
  std::optional<node::CpuTimes> cpu;
  std::optional<node::Memory> memory;
  std::optional<node::Load> load;
  std::vector<std::optional<node::DiskSpace>> disks;  // parallel to the mounts option
  std::string cpu_error;
  std::string memory_error;
  std::string load_error;
  std::vector<std::string> disk_errors;
  std::string page_error;  // with a url: the page could not be fetched or parsed at all
};

class NodeResourcesCheck final : public vigil::sdk::Check {
 public:
  explicit NodeResourcesCheck(const Options& options)
      : mounts_(options.strings("mounts")),
        url_(options.find_string("url").value_or("")),
        timeout_(options.duration("timeout")),
        cpu_window_(options.duration("cpu_window")) {
    if (cpu_window_.count() < 0)
      throw ConfigError("cpu_window", "cpu_window must not be negative");
    for (const auto& m : mounts_) {
      if (m.empty() || m.front() != '/')
        throw ConfigError("mounts", "mounts: \"" + m + "\" is not an absolute path");
    }
    if (!url_.empty()) {
      if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
        throw ConfigError("url", "url must start with http:// or https://, got \"" + url_ + "\"");
      // Only now is libcurl loaded (url_scrape.hpp says why).
      try {
        url_scraper_.emplace();
      } catch (const std::runtime_error& e) {
        throw ConfigError("url", e.what());
      }
    }
    source_fingerprint_ = expo::fingerprint(url_.empty() ? std::string("local") : url_);
  }

  Result run(Context& ctx) override {
    Snapshot now = take_snapshot(ctx);
    if (!now.page_error.empty())
      return Result::unknown(now.page_error);

    std::optional<double> cpu_percent;
    std::string cpu_error = now.cpu_error;
    bool cpu_skipped = false;  // cpu_window 0: a first run leaves CPU out rather than wait
    if (now.cpu) {
      const auto previous = stored_cpu(ctx);
      if (previous && now.cpu->total > previous->total && now.cpu->busy >= previous->busy) {
        cpu_percent = percent(*previous, *now.cpu);
      } else if (cpu_window_.count() == 0) {
        cpu_skipped = true;
      } else if (wait_for_second_sample(ctx)) {
        const node::CpuTimes first = *now.cpu;
        now = take_snapshot(ctx);  // with a url the whole page is newer; use all of it
        if (!now.page_error.empty())
          return Result::unknown(now.page_error);
        cpu_error = now.cpu_error;
        if (now.cpu && now.cpu->total > first.total)
          cpu_percent = percent(first, *now.cpu);
        else if (now.cpu)
          cpu_error = "no CPU time passed between two readings";
      } else {
        cpu_error = "stopped before the second CPU reading";
      }
      if (now.cpu)
        store_cpu(ctx, *now.cpu);
    }
    Result r = report(now, cpu_percent, cpu_skipped ? std::string() : cpu_error);
    if (cpu_skipped)
      r.detail("cpu_percent comes from the next run (cpu_window: 0s and no previous reading)");
    return r;
  }

 private:
  static constexpr const char* kCpuStateKey = "cpu_times";

  static double percent(const node::CpuTimes& before, const node::CpuTimes& after) {
    const double busy = after.busy - before.busy;
    const double total = after.total - before.total;
    return std::clamp(100 * busy / total, 0.0, 100.0);
  }

  Snapshot take_snapshot(Context& ctx) const {
    Snapshot s;
    s.disks.resize(mounts_.size());
    s.disk_errors.resize(mounts_.size());
    if (url_.empty()) {
      s.cpu = local_.cpu(s.cpu_error);
      s.memory = local_.memory(s.memory_error);
      s.load = local_.load(s.load_error);
      for (std::size_t i = 0; i < mounts_.size(); ++i)
        s.disks[i] = node::LocalReader::disk(mounts_[i], s.disk_errors[i]);
      return s;
    }
    node::ExporterPage page(mounts_);
    auto visitor = expo::on_samples([&](const expo::Sample& sample) { page.add(sample); });
    expo::Parser parser(visitor);
    const auto outcome = url_scraper_->scrape(url_, timeout_, parser, ctx);
    if (!outcome.ok) {
      s.page_error = outcome.malformed ? url_ + ": " + outcome.error : outcome.error;
      return s;
    }
    s.cpu = page.cpu();
    if (!s.cpu)
      s.cpu_error = "no node_cpu_seconds_total on " + url_ + " (cpu collector off?)";
    s.memory = page.memory();
    if (!s.memory)
      s.memory_error = "no node_memory_MemTotal_bytes and MemAvailable_bytes on " + url_;
    s.load = page.load();
    if (!s.load)
      s.load_error = "no node_load1, node_load5 and node_load15 on " + url_;
    for (std::size_t i = 0; i < mounts_.size(); ++i) {
      s.disks[i] = page.disk(mounts_[i]);
      if (!s.disks[i])
        s.disk_errors[i] = "no filesystem mounted at " + mounts_[i] + " on " + url_;
    }
    return s;
  }

  // Sleeps out the first run's CPU window in short steps so a stop request is honoured promptly.
  bool wait_for_second_sample(const Context& ctx) const {
    const auto until = std::chrono::steady_clock::now() +
                       std::min<std::chrono::milliseconds>(cpu_window_, ctx.remaining() / 2);
    while (std::chrono::steady_clock::now() < until) {
      if (ctx.stop_requested())
        return false;
      std::this_thread::sleep_for(kStopPollStep);
    }
    return !ctx.stop_requested();
  }

  // State text: "v1 <source fingerprint> <busy> <total>"; one written for another source (the
  // url changed) is no previous reading of this one.
  std::optional<node::CpuTimes> stored_cpu(Context& ctx) const {
    const auto text = ctx.state().get(kCpuStateKey);
    if (!text)
      return std::nullopt;
    char version[4] = {};
    unsigned long long fingerprint = 0;
    double busy = 0;
    double total = 0;
    if (std::sscanf(text->c_str(), "%3s %llu %lf %lf", version, &fingerprint, &busy, &total) != 4 ||
        std::string_view(version) != "v1" || fingerprint != source_fingerprint_) {
      return std::nullopt;
    }
    return node::CpuTimes{busy, total};
  }

  void store_cpu(Context& ctx, const node::CpuTimes& t) const {
    ctx.state().set(kCpuStateKey, "v1 " + std::to_string(source_fingerprint_) + " " +
                                      expo::format_number(t.busy) + " " +
                                      expo::format_number(t.total));
  }

  Result report(const Snapshot& s, std::optional<double> cpu_percent,
                const std::string& cpu_error) const {
    std::vector<std::string> errors;
    std::string summary;
    auto add_part = [&summary](const std::string& part) {
      summary += summary.empty() ? part : ", " + part;
    };
    std::vector<vigil::sdk::Metric> metrics;
    if (cpu_percent) {
      metrics.emplace_back("cpu_percent", *cpu_percent, "%");
      add_part("cpu " + format("%.1f%%", *cpu_percent));
    } else if (!cpu_error.empty()) {
      errors.push_back(cpu_error);
    }
    if (s.memory) {
      const double total = static_cast<double>(s.memory->total_bytes);
      const double available =
          static_cast<double>(std::min(s.memory->available_bytes, s.memory->total_bytes));
      const double available_percent = 100 * available / total;
      metrics.emplace_back("memory_used_percent", 100 - available_percent, "%");
      metrics.emplace_back("memory_available_bytes", available, "B");
      metrics.emplace_back("memory_available_percent", available_percent, "%");
      add_part("memory " + format("%.1f%% used", 100 - available_percent) + " (" +
               format("%.2f GiB available", available / (1024.0 * 1024 * 1024)) + ")");
    } else {
      errors.push_back(s.memory_error);
    }
    for (std::size_t i = 0; i < mounts_.size(); ++i) {
      if (s.disks[i]) {
        const double used = node::df_used_percent(*s.disks[i]);
        metrics.emplace_back("disk_used_percent", used, "%",
                             vigil::sdk::Labels{{"mount", mounts_[i]}});
        add_part(mounts_[i] + " " + format("%.0f%% used", used));
      } else {
        errors.push_back(s.disk_errors[i]);
      }
    }
    if (s.load) {
      metrics.emplace_back("load1", s.load->load1);
      metrics.emplace_back("load5", s.load->load5);
      metrics.emplace_back("load15", s.load->load15);
      add_part("load " + format("%.2f", s.load->load1) + " " + format("%.2f", s.load->load5) + " " +
               format("%.2f", s.load->load15));
    } else {
      errors.push_back(s.load_error);
    }
    std::string error_text;
    for (const auto& e : errors)
      error_text += error_text.empty() ? e : "; " + e;
    auto r = errors.empty() ? Result::ok(summary) : Result::unknown(error_text);
    if (!errors.empty() && !summary.empty())
      r.detail("read: " + summary);
    if (!url_.empty())
      r.detail("from " + url_);
    for (auto& m : metrics)
      r.metric(std::move(m));
    return r;
  }

  std::vector<std::string> mounts_;
  std::string url_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds cpu_window_;
  std::uint64_t source_fingerprint_ = 0;
  node::LocalReader local_;
  std::optional<node::UrlScraper> url_scraper_;  // with a url only
};

}  // namespace

VIGIL_PLUGIN("node_resources", VIGIL_SDK_VERSION_STRING,
             "CPU, memory, disk and load of this host or of a node_exporter") {
  using vigil::sdk::OptionType;
  plugin
      .add_check<NodeResourcesCheck>(
          "node_resources",
          "CPU, memory and disk used percent and load average, as top, free and df show them")
      .list("mounts", OptionType::String, "[/]",
            "Mount points whose used percent to report, as df shows it")
      .optional("url", OptionType::String, {},
                "A node_exporter /metrics page to read instead of this host (http or https)")
      .optional("timeout", OptionType::Duration, "10s", "Limit for fetching the url")
      .optional("cpu_window", OptionType::Duration, "200ms",
                "Time between the two CPU readings of a run without a previous one; 0s leaves "
                "cpu_percent out of such a run instead of waiting");
}
