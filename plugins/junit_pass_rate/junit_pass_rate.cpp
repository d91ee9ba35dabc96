// junit_pass_rate: the pass rate of JUnit XML test reports, the seed protocol's "pytest
// tests/test_production_health.py, expect >= 95% passing" as a check. Optionally runs the test
// command first; then counts every <testcase> in every report the path or glob matches.
//
// The plugin measures (tests, passed, failed, errors, skipped, pass_rate); whether a pass rate is
// too low is a threshold in the operator's config, judged by the host. The plugin itself only
// reports UNKNOWN when it cannot tell (no report, a malformed one, zero tests, a run that failed
// to start or timed out) and WARNING when a report is older than max_age.
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <vigil/sdk/sdk.hpp>

#include "report_reader.hpp"
#include "tally.hpp"
#include "test_command.hpp"

namespace vigil::junit_pass_rate {

namespace {

using std::chrono::milliseconds;

// Reports are named in the details; a glob over a years-old directory must not flood them.
constexpr std::size_t kMaxReportsNamed = 5;
constexpr std::size_t kMaxOutputLinesShown = 10;

enum class SkippedPolicy { Exclude, Fail, Pass };

SkippedPolicy parse_skipped_policy(const std::string& text) {
  if (text == "exclude")
    return SkippedPolicy::Exclude;
  if (text == "fail")
    return SkippedPolicy::Fail;
  if (text == "pass")
    return SkippedPolicy::Pass;
  throw sdk::ConfigError("skipped", "skipped must be exclude, fail or pass, got \"" + text + "\"");
}

bool has_glob_characters(const std::string& pattern) {
  return pattern.find_first_of("*?[{") != std::string::npos;
}

std::string quoted_command(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) {
    if (!text.empty())
      text += ' ';
    text += arg.find_first_of(" \t'\"") == std::string::npos ? arg : "'" + arg + "'";
  }
  constexpr std::size_t kMaxShown = 160;
  if (text.size() > kMaxShown)
    text = text.substr(0, kMaxShown) + "...";
  return text;
}

std::string format_percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string out = text;
  while (out.back() == '0')
    out.pop_back();
  if (out.back() == '.')
    out.pop_back();
  return out + "%";
}

sdk::TimePoint to_time_point(const timespec& time) {
  return sdk::TimePoint{std::chrono::duration_cast<sdk::TimePoint::duration>(
      std::chrono::seconds{time.tv_sec} + std::chrono::nanoseconds{time.tv_nsec})};
}

bool not_before(const timespec& time, const timespec& reference) {
  return time.tv_sec != reference.tv_sec ? time.tv_sec > reference.tv_sec
                                         : time.tv_nsec >= reference.tv_nsec;
}

// File timestamps come from the kernel's coarse clock; reading the same clock makes "written
// after the command started" exact instead of off by up to a tick.
timespec coarse_realtime_now() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
  return now;
}

std::vector<std::string> last_lines(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::size_t end = text.size();
  while (end > 0 && lines.size() < count) {
    const std::size_t newline = text.rfind('\n', end - 1);
    const std::size_t begin = newline == std::string::npos ? 0 : newline + 1;
    std::string line = text.substr(begin, end - begin);
    for (char& c : line) {
      if (static_cast<unsigned char>(c) < 0x20)
        c = ' ';
    }
    if (!line.empty())
      lines.push_back(std::move(line));
    if (newline == std::string::npos)
      break;
    end = newline;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

struct MatchedReport {
  std::string path;
  timespec modified{};
};

struct Matches {
  std::vector<MatchedReport> reports;
  std::string problem;  // set when nothing usable matched
};

Matches match_reports(const std::string& pattern) {
  Matches matches;
  glob_t found{};
  const int status = ::glob(pattern.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &found);
  if (status == GLOB_NOMATCH) {
    if (has_glob_characters(pattern)) {
      matches.problem = "no file matches '" + pattern + "'";
    } else {
      matches.problem = "report '" + pattern + "' does not exist";
    }
    return matches;
  }
  if (status != 0) {
    ::globfree(&found);
    matches.problem = "cannot expand '" + pattern + "': " +
                      (status == GLOB_ABORTED ? "a directory could not be read" : "out of memory");
    return matches;
  }
  std::set<std::pair<dev_t, ino_t>> seen;  // brace expansion can name one file twice
  std::size_t not_files = 0;
  for (std::size_t i = 0; i < found.gl_pathc; ++i) {
    struct stat info {};
    if (::stat(found.gl_pathv[i], &info) != 0 || !S_ISREG(info.st_mode)) {
      ++not_files;
      continue;
    }
    if (seen.insert({info.st_dev, info.st_ino}).second) {
      matches.reports.push_back({found.gl_pathv[i], info.st_mtim});
    }
  }
  ::globfree(&found);
  if (matches.reports.empty()) {
    matches.problem =
        "'" + pattern + "' matches " + std::to_string(not_files) + " entries but no regular file";
  }
  return matches;
}

class JunitPassRateCheck final : public sdk::Check {
 public:
  explicit JunitPassRateCheck(const sdk::Options& options)
      : pattern_(options.string("path")),
        skipped_policy_(parse_skipped_policy(options.string("skipped"))),
        run_timeout_(options.duration("run_timeout")) {
    if (pattern_.empty())
      throw sdk::ConfigError("path", "path must not be empty");
    if (options.has("max_age")) {
      max_age_ = options.duration("max_age");
      if (max_age_->count() <= 0)
        throw sdk::ConfigError("max_age", "max_age must be positive");
    }
    if (options.has("run"))
      run_argv_ = options.strings("run");
    if (!run_argv_.empty() && run_argv_.front().empty()) {
      throw sdk::ConfigError("run", "run's first element must name a program");
    }
    if (run_timeout_.count() <= 0) {
      throw sdk::ConfigError("run_timeout", "run_timeout must be positive");
    }
    const std::int64_t listed = options.integer("max_failures_listed");
    if (listed < 0) {
      throw sdk::ConfigError("max_failures_listed", "max_failures_listed must not be negative");
    }
    max_failures_listed_ = static_cast<std::size_t>(listed);
    run_dir_ = options.find_string("run_dir").value_or("");
    // Reports the command writes are naturally named relative to where it runs.
    resolved_pattern_ = pattern_;
    if (!run_dir_.empty() && pattern_.front() != '/' && pattern_.front() != '~') {
      resolved_pattern_ = run_dir_ + (run_dir_.back() == '/' ? "" : "/") + pattern_;
    }
  }

  sdk::Result run(sdk::Context& ctx) override {
    std::optional<CommandOutcome> ran;
    timespec run_started{};
    if (!run_argv_.empty()) {
      run_started = coarse_realtime_now();
      ran = run_command(ctx);
      if (ran->end == CommandEnd::NotStarted || ran->end == CommandEnd::TimedOut ||
          ran->end == CommandEnd::Stopped) {
        return with_output_tail(
            sdk::Result::unknown("run: '" + quoted_command(run_argv_) + "' " + describe(*ran)),
            *ran);
      }
    }

    Matches matches = match_reports(resolved_pattern_);
    if (!matches.problem.empty()) {
      auto result = sdk::Result::unknown(matches.problem);
      if (ran)
        result.detail(run_detail(*ran));
      return ran ? with_output_tail(std::move(result), *ran) : result;
    }
    std::vector<std::string> not_rewritten;
    if (ran) {
      not_rewritten = drop_reports_older_than(run_started, matches.reports);
      if (matches.reports.empty()) {
        return with_output_tail(
            sdk::Result::unknown("run: '" + quoted_command(run_argv_) + "' " + describe(*ran) +
                                 " but wrote no report matching '" + resolved_pattern_ + "'"),
            *ran);
      }
    }

    Tally tally(max_failures_listed_);
    Staleness staleness;
    if (auto unreadable = read_reports(ctx, matches.reports, tally, staleness)) {
      return std::move(*unreadable);
    }
    ctx.log().debug("counted " + std::to_string(tally.counts().tests) + " testcases in " +
                    std::to_string(matches.reports.size()) + " report(s)");

    auto result = judge(tally.counts(), describe_reports(matches.reports));
    for (const auto& failing : tally.listed_failures()) {
      result.detail((failing.outcome == Outcome::Error ? "error: " : "failed: ") + failing.name);
    }
    if (tally.unlisted_failures() > 0) {
      result.detail("... and " + std::to_string(tally.unlisted_failures()) + " more");
    }
    if (ran)
      result.detail(run_detail(*ran));
    for (std::size_t i = 0; i < not_rewritten.size() && i < kMaxReportsNamed; ++i) {
      result.detail("not written by this run, ignored: " + not_rewritten[i]);
    }
    if (not_rewritten.size() > kMaxReportsNamed) {
      result.detail("... and " + std::to_string(not_rewritten.size() - kMaxReportsNamed) +
                    " more reports not written by this run");
    }
    if (staleness.count > 0) {
      std::string why = "stale: " + staleness.oldest_path + " is " +
                        sdk::format_duration(staleness.oldest_age) + " old (max_age " +
                        sdk::format_duration(*max_age_) + ")";
      if (staleness.count > 1)
        why += " and " + std::to_string(staleness.count - 1) + " more reports";
      result.escalate(sdk::Status::Warning, why);
    }
    return result;
  }

 private:
  struct Staleness {
    std::size_t count = 0;
    std::string oldest_path;
    milliseconds oldest_age{0};
  };

  CommandOutcome run_command(sdk::Context& ctx) const {
    TestCommand command;
    command.argv = run_argv_;
    command.working_dir = run_dir_;
    command.timeout = std::min(run_timeout_, ctx.remaining());
    CommandOutcome ran = run_test_command(command, [&ctx] { return ctx.stop_requested(); });
    ctx.log().info("run " + quoted_command(run_argv_) + ": " + describe(ran));
    return ran;
  }

  // Removes the reports last modified before the run started and returns their paths: they
  // hold an older run's results, not this one's.
  static std::vector<std::string> drop_reports_older_than(const timespec& started,
                                                          std::vector<MatchedReport>& reports) {
    const auto old_begin = std::stable_partition(
        reports.begin(), reports.end(),
        [&](const MatchedReport& report) { return not_before(report.modified, started); });
    std::vector<std::string> dropped;
    for (auto it = old_begin; it != reports.end(); ++it)
      dropped.push_back(it->path);
    reports.erase(old_begin, reports.end());
    return dropped;
  }

  // Counts every report into `tally`; returns the UNKNOWN result for the first one that cannot
  // be read or is malformed.
  std::optional<sdk::Result> read_reports(sdk::Context& ctx,
                                          const std::vector<MatchedReport>& reports, Tally& tally,
                                          Staleness& staleness) const {
    ReportReader reader;
    for (const auto& report : reports) {
      if (ctx.stop_requested())
        return sdk::Result::unknown("stopped before reading every report");
      const int fd = ::open(report.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        return sdk::Result::unknown("cannot open " + report.path + ": " + std::strerror(errno));
      }
      struct stat info {};
      const timespec modified = ::fstat(fd, &info) == 0 ? info.st_mtim : report.modified;
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      const auto defect = reader.read(fd, tally);
      ::close(fd);
      if (defect) {
        return sdk::Result::unknown(report.path + ": malformed XML at byte " +
                                    std::to_string(defect->offset) + ": " + defect->reason);
      }
      if (!max_age_)
        continue;
      const auto age =
          std::chrono::floor<std::chrono::seconds>(ctx.now() - to_time_point(modified));
      if (age > *max_age_) {
        ++staleness.count;
        if (age > staleness.oldest_age) {
          staleness.oldest_path = report.path;
          staleness.oldest_age = age;
        }
      }
    }
    return std::nullopt;
  }

  std::string describe_reports(const std::vector<MatchedReport>& reports) const {
    if (reports.size() == 1)
      return reports.front().path;
    return std::to_string(reports.size()) + " reports matching '" + resolved_pattern_ + "'";
  }

  sdk::Result judge(const TestCounts& counts, const std::string& reports) const {
    const auto count_metric = [&](sdk::Result& result) {
      result.metric("tests", static_cast<double>(counts.tests))
          .metric("passed", static_cast<double>(counts.passed()))
          .metric("failed", static_cast<double>(counts.failed))
          .metric("errors", static_cast<double>(counts.errors))
          .metric("skipped", static_cast<double>(counts.skipped));
    };
    if (counts.tests == 0) {
      auto result =
          sdk::Result::unknown("no testcases in " + reports + ": zero tests is not a pass rate");
      count_metric(result);
      return result;
    }
    std::uint64_t passing = counts.passed();
    std::uint64_t counted = counts.tests;
    std::string skipped_text = std::to_string(counts.skipped) + " skipped";
    switch (skipped_policy_) {
      case SkippedPolicy::Exclude:
        counted -= counts.skipped;
        skipped_text += " (excluded)";
        break;
      case SkippedPolicy::Fail:
        skipped_text += " (counted as failing)";
        break;
      case SkippedPolicy::Pass:
        passing += counts.skipped;
        skipped_text += " (counted as passing)";
        break;
    }
    if (counted == 0) {
      auto result =
          sdk::Result::unknown("all " + std::to_string(counts.tests) + " tests in " + reports +
                               " were skipped: no pass rate (skipped: exclude)");
      count_metric(result);
      return result;
    }
    const double pass_rate = 100.0 * static_cast<double>(passing) / static_cast<double>(counted);
    auto result = sdk::Result::ok(
        "pass rate " + format_percent(pass_rate) + ": " + std::to_string(counts.passed()) +
        " passed, " + std::to_string(counts.failed) + " failed, " + std::to_string(counts.errors) +
        (counts.errors == 1 ? " error, " : " errors, ") + skipped_text + " of " +
        std::to_string(counts.tests) + " tests in " + reports);
    count_metric(result);
    result.metric(sdk::Metric("pass_rate", pass_rate, "%").with_bounds(0.0, 100.0));
    return result;
  }

  std::string run_detail(const CommandOutcome& ran) const {
    return "run: '" + quoted_command(run_argv_) + "' " + describe(ran) + " after " +
           sdk::format_duration(ran.elapsed);
  }

  static sdk::Result with_output_tail(sdk::Result result, const CommandOutcome& ran) {
    for (auto& line : last_lines(ran.output_tail, kMaxOutputLinesShown)) {
      result.detail("output: " + line);
    }
    return result;
  }

  std::string pattern_;
  std::string resolved_pattern_;
  SkippedPolicy skipped_policy_;
  std::optional<milliseconds> max_age_;
  std::vector<std::string> run_argv_;
  std::string run_dir_;
  milliseconds run_timeout_;
  std::size_t max_failures_listed_ = 10;
};

}  // namespace

}  // namespace vigil::junit_pass_rate

VIGIL_PLUGIN("junit_pass_rate", "1.0.0", "Pass rate of JUnit XML test reports") {
  using vigil::sdk::OptionType;
  plugin
      .add_check<vigil::junit_pass_rate::JunitPassRateCheck>(
          "junit_pass_rate",
          "Pass rate of JUnit XML reports (pytest, GoogleTest, CTest, Surefire, Jest, Mocha)")
      .required("path", OptionType::String,
                "A JUnit XML report, or a glob of reports whose counts are summed")
      .optional("max_age", OptionType::Duration, std::nullopt,
                "A report last modified longer ago than this is stale: WARNING at least")
      .optional("skipped", OptionType::String, "exclude",
                "How skipped tests count in pass_rate: exclude, fail or pass")
      .list("run", OptionType::String, std::nullopt,
            "Test command that writes the report, run first: argv, no shell")
      .optional("run_dir", OptionType::String, std::nullopt,
                "Working directory of run; a relative path is taken relative to it")
      .optional("run_timeout", OptionType::Duration, "10m",
                "Time limit of run, never beyond the check's own timeout")
      .optional("max_failures_listed", OptionType::Int, "10",
                "How many failing tests the details name");
}
