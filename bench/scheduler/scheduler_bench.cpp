// The scheduler's own overhead at fleet scale: 10,000 no-op checks at 1 s intervals on the real
// clock. A no-op run costs nothing, so what remains is the scheduler: CPU for keeping time and
// handing out runs, and how late runs start against their due time.
//
//   vigil_scheduler_bench                  # 60 s, 10,000 checks at 1 s, 16 workers
//   vigil_scheduler_bench --seconds 10     # a shorter run
//
// Targets (issue): CPU < 5% of one core, p99 start lateness < 5 ms. Prints a Markdown table.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/scheduler/scheduler.hpp"
#include "core/time/clock.hpp"

namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::milliseconds;

struct BenchOptions {
  long seconds = 60;
  long checks = 10'000;
  long interval_ms = 1000;
  long workers = 16;
  long slack_ms = -1;  // the scheduler's default
};

[[noreturn]] void usage(const char* argv0, int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: %s [--seconds N] [--checks N] [--interval-ms N] [--workers N] "
               "[--slack-ms N]\n"
               "  defaults: 60 s, 10000 checks, 1000 ms, 16 workers, the scheduler's timer slack\n",
               argv0);
  std::exit(code);
}

BenchOptions parse(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help")
      usage(argv[0], 0);
    if (i + 1 >= argc)
      usage(argv[0], 2);
    char* end = nullptr;
    const long value = std::strtol(argv[++i], &end, 10);
    if (*end != '\0' || value < 0 || (value == 0 && arg != "--slack-ms"))
      usage(argv[0], 2);
    if (arg == "--seconds") {
      o.seconds = value;
    } else if (arg == "--checks") {
      o.checks = value;
    } else if (arg == "--interval-ms") {
      o.interval_ms = value;
    } else if (arg == "--workers") {
      o.workers = value;
    } else if (arg == "--slack-ms") {
      o.slack_ms = value;
    } else {
      usage(argv[0], 2);
    }
  }
  return o;
}

double cpu_seconds(const rusage& u) {
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

rusage usage_now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u;
}

// Lateness samples in microseconds, written by the run functions without a lock: each run
// claims a slot with one fetch_add, so measuring does not add contention of its own.
class LatenessRecorder {
 public:
  explicit LatenessRecorder(std::size_t capacity) : samples_(capacity) {}

  void record(microseconds lateness) {
    const std::size_t slot = next_.fetch_add(1, std::memory_order_relaxed);
    if (slot < samples_.size())
      samples_[slot] = lateness.count();
  }

  std::size_t runs() const { return next_.load(); }

  std::vector<long long> sorted() const {
    std::vector<long long> out(
        samples_.begin(),
        samples_.begin() + static_cast<std::ptrdiff_t>(std::min(runs(), samples_.size())));
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::vector<long long> samples_;
  std::atomic<std::size_t> next_{0};
};

double percentile_ms(const std::vector<long long>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return static_cast<double>(sorted[rank]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  const BenchOptions o = parse(argc, argv);
  const milliseconds interval{o.interval_ms};

  core::SystemClock clock;
  const auto expected_runs =
      static_cast<std::size_t>(static_cast<double>(o.checks) *
                               (static_cast<double>(o.seconds) * 1000.0 / o.interval_ms + 2));
  auto lateness = std::make_shared<LatenessRecorder>(expected_runs);
  std::atomic<std::size_t> unknown_results{0};

  core::SchedulerOptions options;
  options.max_workers = static_cast<std::size_t>(o.workers);
  if (o.slack_ms >= 0)
    options.timer_slack = milliseconds{o.slack_ms};
  core::Scheduler scheduler(clock, options, [&unknown_results](core::CheckResult r) {
    if (r.status == sdk::Status::Unknown)
      unknown_results.fetch_add(1, std::memory_order_relaxed);
  });
  for (long i = 0; i < o.checks; ++i) {
    core::ScheduledCheck check;
    check.name = "noop-" + std::to_string(i);
    check.plugin = "noop";
    check.pipeline = "bench";
    check.interval = interval;
    check.timeout = 10s;
    check.run = [lateness](const core::RunRequest& request) {
      lateness->record(std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now() -
                                                                request.scheduled_for));
      core::CheckResult r;
      r.status = sdk::Status::Ok;
      r.plugin_status = sdk::Status::Ok;
      return r;
    };
    scheduler.add(std::move(check));
  }

  const rusage before = usage_now();
  const auto wall_start = std::chrono::steady_clock::now();
  scheduler.start();
  std::this_thread::sleep_for(std::chrono::seconds{o.seconds});  // a benchmark, not a test
  scheduler.stop();
  const auto wall_elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const rusage after = usage_now();

  const double cpu_percent = 100.0 * (cpu_seconds(after) - cpu_seconds(before)) / wall_elapsed;
  const double switches_per_s = static_cast<double>((after.ru_nvcsw - before.ru_nvcsw) +
                                                    (after.ru_nivcsw - before.ru_nivcsw)) /
                                wall_elapsed;
  const std::vector<long long> samples = lateness->sorted();
  const double p50 = percentile_ms(samples, 0.50);
  const double p99 = percentile_ms(samples, 0.99);
  const double max = samples.empty() ? 0 : static_cast<double>(samples.back()) / 1000.0;
  const double peak_rss_mib = static_cast<double>(after.ru_maxrss) / 1024.0;  // ru_maxrss is KiB
  const core::SchedulerStats stats = scheduler.stats();
  const bool met = cpu_percent < 5.0 && p99 < 5.0;

  std::printf(
      "| checks | interval | seconds | workers | timer slack | runs | CPU %% of one core | "
      "lateness p50 | p99 | max | peak RSS | ctx switches/s | UNKNOWN | "
      "targets (CPU < 5%%, p99 < 5 ms) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::printf(
      "| %ld | %ld ms | %.1f | %ld | %lld ms | %zu | %.2f%% | %.3f ms | %.3f ms | %.3f ms | "
      "%.1f MiB | %.0f | %zu | %s |\n",
      o.checks, o.interval_ms, wall_elapsed, o.workers,
      static_cast<long long>(options.timer_slack.count()), lateness->runs(), cpu_percent, p50, p99,
      max, peak_rss_mib, switches_per_s, unknown_results.load(), met ? "met" : "MISSED");
  if (stats.missed_slots != 0 || stats.skipped_in_flight != 0 || stats.timeouts != 0) {
    std::printf("\nscheduler: %llu missed slots, %llu skipped in flight, %llu timeouts\n",
                static_cast<unsigned long long>(stats.missed_slots),
                static_cast<unsigned long long>(stats.skipped_in_flight),
                static_cast<unsigned long long>(stats.timeouts));
  }
  return 0;
}
