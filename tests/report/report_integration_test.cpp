// `vigil report` end to end: a scripted window written through the StateDatabase API, the
// report made by the real binary, and the HTML page rendered by a real browser (Debian's
// chromium, headless) to check that it lays out and that every chart is in the page.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../cli/process_runner.hpp"
#include "core/state/state_database.hpp"

namespace vigil::core {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using vigil::testing::run_process;

const std::string kVigil = std::string(VIGIL_BINARY_DIR) + "/bin/vigil";
const char* const kChromium = "/usr/bin/chromium";
// 2026-11-28T10:00:00Z
const sdk::TimePoint kStart = sdk::TimePoint(std::chrono::seconds(1795860000));
constexpr std::size_t kMetricSeries = 4;  // pass_rate, error_rate, p95, p50

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "vigil-report-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

CheckResult result(const std::string& check, sdk::TimePoint at, sdk::Status status,
                   std::vector<sdk::Metric> metrics) {
  CheckResult r;
  r.check = check;
  r.plugin = "noop";
  r.pipeline = "genesis";
  r.status = status;
  r.plugin_status = sdk::Status::Ok;
  r.summary = "scripted";
  r.metrics = std::move(metrics);
  r.started = at;
  r.duration = 10ms;
  return r;
}

// Two hours watched every five minutes: the pass rate dips below its critical bound for 20
// minutes in the middle, a rule fires, a rollback runs and the window concludes failed.
void script_window(const fs::path& dir) {
  auto db = StateDatabase::open(dir);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= 24; ++i) {
    const auto at = kStart + 5min * i;
    const bool dip = i >= 12 && i < 16;
    sdk::Metric pass("pass_rate", dip ? 90.0 : 99.5, "%");
    pass.warn = sdk::Range{98, kInf, false};
    pass.crit = sdk::Range{95, kInf, false};
    db->record_result(result("tests", at, dip ? sdk::Status::Critical : sdk::Status::Ok, {pass}),
                      false);
    sdk::Metric errors("error_rate", dip ? 2.0 : 0.2, "%");
    errors.crit = sdk::Range{-kInf, 1, false};
    db->record_result(
        result("api-errors", at, dip ? sdk::Status::Critical : sdk::Status::Ok, {errors}), false);
    sdk::Metric p95("p95", 0.1 + 0.01 * i, "s");
    p95.warn = sdk::Range{-kInf, 0.2, false};
    p95.crit = sdk::Range{-kInf, 0.5, false};
    db->record_result(result("latency", at, i == 24 ? sdk::Status::Unknown : sdk::Status::Ok,
                             {p95, sdk::Metric("p50", 0.05, "s")}),
                      false);
  }
  AlertTransitionRecord t;
  t.rule = "pass-rate-low";
  t.check = "tests";
  t.pipeline = "genesis";
  t.severity = "critical";
  t.kind = "state";
  t.from = "pending";
  t.to = "firing";
  t.at = kStart + 65min;
  t.reason = "pass_rate 90 < 95";
  t.value = 90;
  db->record_transition(t);
  t.from = "firing";
  t.to = "resolved";
  t.at = kStart + 80min;
  db->record_transition(t);

  Silence s;
  s.matchers = {SilenceMatcher::parse("check=api-errors")};
  s.starts_at = kStart + 55min;
  s.ends_at = kStart + 90min;
  s.comment = "known flaky upstream";
  s.created_by = "ops";
  db->add_silence(s);

  ActionRecord a;
  a.action = "rollback";
  a.type = "rollback";
  a.trigger = "rule:pass-rate-low:step1";
  a.rule = "pass-rate-low";
  a.started_at = kStart + 66min;
  a.status = "running";
  const auto id = db->begin_action(a);
  db->finish_action(id, "ok", "rolled back and verified", "restarted", 1, kStart + 67min);

  WindowRecord w;
  w.deployment = "phase-4";
  w.started_at = kStart;
  w.duration = 2h;
  w.stage = "concluded";
  w.verdict = "failed";
  w.concluded_at = kStart + 2h;
  w.verdict_reason = "critical rule pass-rate-low fired";
  db->save_window(w);
}

class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override { script_window(dir_.path() / "state"); }

  vigil::testing::ProcessOutput report(std::vector<std::string> args) {
    std::vector<std::string> argv = {kVigil, "report", "--state-dir",
                                     (dir_.path() / "state").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    // No configuration: the state directory is given.
    return run_process(argv, {"VIGIL_CONFIG=", "VIGIL_ENV="});
  }

  TempDir dir_;
};

TEST_F(ReportCommand, MarkdownHasTheSeedsFiguresFromTheStoredWindow) {
  const auto out = report({"--format", "md"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("# 2-Hour Monitoring Report - 2026-11-28\n"), std::string::npos)
      << out.out;
  EXPECT_NE(out.out.find("- Start: 2026-11-28T10:00:00Z\n"), std::string::npos);
  EXPECT_NE(out.out.find("- End: 2026-11-28T12:00:00Z\n"), std::string::npos);
  EXPECT_NE(out.out.find("- Status: ❌ FAILED\n"), std::string::npos);
  // 21 samples at 99.5 and 4 at 90.
  EXPECT_NE(out.out.find("- Average Pass Rate: 97.98%\n"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("| tests | genesis | 25 | 21 | 0 | 4 | 0 | 84% | OK |"),
            std::string::npos);
  EXPECT_NE(out.out.find("| latency | genesis | 25 | 24 | 0 | 0 | 1 | 100% | UNKNOWN |"),
            std::string::npos);
  EXPECT_NE(out.out.find("- [critical] pass-rate-low (tests): fired 1 time, firing 15m in total"),
            std::string::npos);
  EXPECT_NE(out.out.find("known flaky upstream"), std::string::npos);
  EXPECT_NE(out.out.find("| rollback | rollback | rule:pass-rate-low:step1 | ok | 1 |"),
            std::string::npos);
}

TEST_F(ReportCommand, JsonCarriesEverySampleAndWritesToAFile) {
  const fs::path file = dir_.path() / "report.json";
  const auto out = report({"--format", "json", "--output", file.string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, "");
  const auto j = nlohmann::json::parse(read_file(file));
  EXPECT_EQ(j["summary"]["outcome"], "FAILED");
  EXPECT_DOUBLE_EQ(j["summary"]["error_rate"]["avg"].get<double>(), (21 * 0.2 + 4 * 2.0) / 25);
  EXPECT_NEAR(j["summary"]["p95"]["max"].get<double>(), 0.34, 1e-12);
  ASSERT_EQ(j["checks"].size(), 3u);
  EXPECT_EQ(j["checks"][2]["metrics"].size(), 2u);
  EXPECT_EQ(j["checks"][0]["metrics"][0]["points"].size(), 25u);
  EXPECT_EQ(j["checks"][0]["metrics"][0]["critical"], "95:");
  EXPECT_EQ(j["alerts"]["episodes"][0]["ended"], "2026-11-28T11:20:00Z");
}

TEST_F(ReportCommand, SinceAndUntilNarrowTheReport) {
  const auto out = report(
      {"--format", "json", "--since", "2026-11-28T11:00:00Z", "--until", "2026-11-28T11:30:00Z"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const auto j = nlohmann::json::parse(out.out);
  EXPECT_EQ(j["checks"][0]["results"], 7);  // 11:00 to 11:30 inclusive, every 5 minutes
  EXPECT_EQ(j["checks"][0]["critical"], 4);
}

TEST_F(ReportCommand, RefusesWhatItCannotUse) {
  auto out = report({"--format", "pdf"});
  EXPECT_EQ(out.exit_code, 64);
  EXPECT_NE(out.err.find("--format: expected md, html or json, got \"pdf\""), std::string::npos);
  out = report({"--since", "yesterday"});
  EXPECT_EQ(out.exit_code, 64);
  out = run_process({kVigil, "report", "--state-dir", (dir_.path() / "nowhere").string()},
                    {"VIGIL_CONFIG="});
  EXPECT_EQ(out.exit_code, 66);
  EXPECT_NE(out.err.find("no state database in"), std::string::npos) << out.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "nowhere"));
}

// The HTML page as a browser sees it: Chromium lays it out, screenshots it, and dumps the DOM
// after parsing, so a chart the parser dropped (bad escaping, broken SVG) would be missing.
TEST_F(ReportCommand, HtmlRendersInHeadlessChromiumWithEveryChart) {
  const fs::path html = dir_.path() / "report.html";
  const auto out = report({"--format", "html", "--output", html.string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const std::string page = read_file(html);
  ASSERT_EQ(count_of(page, "<svg"), kMetricSeries);

  if (!fs::exists(kChromium))
    GTEST_SKIP() << kChromium << " is not installed (packaging/install-deps --with-tests)";
  const fs::path profile = dir_.path() / "chromium-profile";
  fs::create_directories(profile);
  const std::vector<std::string> flags = {kChromium,
                                          "--headless",
                                          "--no-sandbox",
                                          "--disable-gpu",
                                          "--disable-quic",
                                          "--no-first-run",
                                          "--disable-background-networking",
                                          "--disable-component-update",
                                          "--disable-sync",
                                          "--user-data-dir=" + profile.string()};
  const std::string url = "file://" + html.string();
  const fs::path png = dir_.path() / "report.png";
  auto argv = flags;
  argv.insert(argv.end(), {"--screenshot=" + png.string(), "--window-size=1280,2000", url});
  const auto shot = run_process(argv, {"HOME=" + dir_.path().string()}, std::chrono::seconds(120));
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  ASSERT_TRUE(fs::exists(png)) << shot.err;
  const std::string image = read_file(png);
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // A blank 1280x2000 page compresses to a few KiB; tables and charts take far more.
  EXPECT_GT(image.size(), 30000u) << "screenshot looks empty";

  argv = flags;
  argv.insert(argv.end(), {"--dump-dom", url});
  const auto dom = run_process(argv, {"HOME=" + dir_.path().string()}, std::chrono::seconds(120));
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(count_of(dom.out, "<svg"), kMetricSeries) << dom.out.substr(0, 2000);
  EXPECT_EQ(count_of(dom.out, "<polyline"), kMetricSeries);
  EXPECT_EQ(count_of(dom.out, "class=\"threshold critical\""), 3u);   // pass, errors, p95
  EXPECT_EQ(count_of(dom.out, "class=\"alert-span critical\""), 1u);  // on the tests chart
  EXPECT_NE(dom.out.find("<span class=\"outcome failed\">FAILED</span>"), std::string::npos);
}

}  // namespace
}  // namespace vigil::core
