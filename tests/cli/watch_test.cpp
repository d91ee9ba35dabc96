// `vigil run` through a whole observation window: the demo pipeline (configs/default.yaml, the
// embedded default) end to end, and the same window under SIGKILL at random points. Real
// processes throughout: vigil, the demo service, the webhook sink; the state is read back
// through the state database.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "core/state/state_database.hpp"
#include "tests/cli/process_runner.hpp"

namespace {

using namespace std::chrono_literals;
using vigil::testing::ChildProcess;
using vigil::testing::run_process;
namespace fs = std::filesystem;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";
const std::string kDemoConfig = VIGIL_SOURCE_DIR "/configs/default.yaml";

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-watch-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    // Whatever the test left running, the demo's own stop verbs end it.
    for (const char* pid : {"demo/service.pid", "demo/webhook-sink.pid"}) {
      if (fs::exists(path_ / pid))
        run_process({kVigil, "__demo-service", "--stop", "--pidfile", (path_ / pid).string()});
    }
    fs::remove_all(path_);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Result lines as `vigil run` logs them ("✓ health: ...", "✗ error-rate: CRITICAL - ...").
std::size_t count_result_lines(const std::string& log) {
  std::size_t n = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    for (const char* mark : {"] ✓ ", "] ⚠ ", "] ✗ ", "] ? "}) {
      if (line.find(mark) != std::string::npos) {
        ++n;
        break;
      }
    }
  }
  return n;
}

std::vector<std::string> run_args(const TempDir& dir) {
  return {kVigil, "run", "--config", kDemoConfig, "--state-dir", dir.path().string()};
}

TEST(DemoWindow, DetectsNotifiesRollsBackVerifiesAndReports) {
  TempDir dir;
  ChildProcess vigil(run_args(dir));
  const auto out = vigil.finish(240s);
  const std::string& log = out.err;
  ASSERT_EQ(out.exit_code, 0) << log;
  EXPECT_NE(log.find("preflight passed"), std::string::npos) << log;
  EXPECT_NE(log.find("ALERT FIRING [critical] error-rate-critical"), std::string::npos) << log;
  EXPECT_NE(log.find("ROLLBACK rollback started for rule:error-rate-critical:step2"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("ROLLBACK VERIFIED rollback"), std::string::npos) << log;
  EXPECT_NE(log.find("VERDICT FAILED: rolled back"), std::string::npos) << log;

  // The webhook sink got a Slack-style message about the error rate.
  const std::string webhook = slurp(dir.path() / "demo" / "webhook.jsonl");
  EXPECT_NE(webhook.find("error-rate-critical"), std::string::npos) << webhook;

  // Evidence was preserved before the rollback.
  bool bundle = false;
  for (const auto& e : fs::directory_iterator(dir.path() / "incidents"))
    bundle = bundle || fs::exists(e.path() / "results.json");
  EXPECT_TRUE(bundle);

  // The report and the snapshot.
  const std::string report = slurp(dir.path() / "report.md");
  EXPECT_NE(report.find("error-rate-critical"), std::string::npos) << report;
  EXPECT_NE(slurp(dir.path() / "report.html").find("<svg"), std::string::npos);
  const auto snapshot = nlohmann::json::parse(slurp(dir.path() / "metrics_snapshot.json"));
  EXPECT_TRUE(snapshot.contains("checks"));

  // What the state database says, through `vigil status`.
  const auto status = run_process({kVigil, "status", "--config", kDemoConfig, "--state-dir",
                                   dir.path().string(), "--format", "json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["window"]["verdict"], "failed");
  EXPECT_EQ(j["window"]["stage"], "concluded");
  EXPECT_FALSE(j["running"].get<bool>());

  // The service ends where the rollback left it: the good release, stopped by on_failure.
  EXPECT_FALSE(fs::exists(dir.path() / "demo" / "service.pid"));
}

// SIGKILL at random points of the window (a fixed seed: the points are reproducible), each
// time restarted at once. Afterwards: one window, one rollback, and every result a killed
// vigil had logged is stored (vigil stores a result before it logs it, so only results still
// in flight at a kill are lost).
TEST(DemoWindow, SurvivesKillNineAtRandomPoints) {
  TempDir dir;
  std::mt19937 rng(20261129);
  // All three kills land before the rollback (about 45 s in), so the last run concludes.
  std::uniform_int_distribution<int> pause_ms(2000, 8000);
  std::size_t logged = 0;
  std::size_t kills = 0;
  std::string last_log;
  for (int round = 0; round < 4; ++round) {
    ChildProcess vigil(run_args(dir));
    if (round < 3) {
      const auto pause = std::chrono::milliseconds(pause_ms(rng));
      // Wait by reading its output, so the log we count is the log it wrote.
      vigil.wait_for_stderr("never printed: wait out the pause", pause);
      vigil.signal(SIGKILL);
      const auto out = vigil.finish(30s);
      logged += count_result_lines(out.err);
      ++kills;
      continue;
    }
    const auto out = vigil.finish(300s);
    last_log = out.err;
    ASSERT_EQ(out.exit_code, 0) << out.err;
    logged += count_result_lines(out.err);
  }
  EXPECT_NE(last_log.find("VERDICT FAILED"), std::string::npos) << last_log;
  EXPECT_NE(last_log.find("observation window of demo resumed"), std::string::npos) << last_log;

  auto db = vigil::core::StateDatabase::open(dir.path());
  int rollbacks = 0;
  for (const auto& a : db->actions()) {
    if (a.type == "rollback" && a.status != "skipped")
      ++rollbacks;
  }
  EXPECT_EQ(rollbacks, 1);
  const auto window = db->window();
  ASSERT_TRUE(window.has_value());
  EXPECT_EQ(window->stage, "concluded");
  EXPECT_EQ(window->verdict.value_or(""), "failed");
  const std::size_t stored = db->results(std::nullopt, std::nullopt, std::nullopt).size();
  EXPECT_GE(stored, logged) << "stored " << stored << ", logged " << logged << " over " << kills
                            << " kills";
}

}  // namespace

namespace {

// A small window around noop checks, for the operator verbs and the verdict's edges.
std::string write_config(const TempDir& dir, const std::string& body) {
  const fs::path file = dir.path() / "vigil.yaml";
  std::ofstream(file) << body;
  return file.string();
}

std::vector<std::string> run_with(const std::string& config, const TempDir& dir) {
  return {kVigil, "run", "--config", config, "--state-dir", dir.path().string()};
}

TEST(WatchWindow, PreflightFailureAbortsWith69AndDoesNotWatch) {
  TempDir dir;
  const std::string config = write_config(dir, R"(
window: {duration: 10m}
pipelines:
  - name: p
    defaults: {interval: 1s, timeout: 1s}
    checks:
      - name: monitoring-up
        plugin: noop
        preflight: true
        options: {status: CRITICAL, summary: "prometheus unreachable"}
      - name: other
        plugin: noop
)");
  const auto out = run_process(run_with(config, dir), {}, 60s);
  EXPECT_EQ(out.exit_code, 69) << out.err;
  EXPECT_NE(out.err.find("PREFLIGHT FAILED monitoring-up CRITICAL: prometheus unreachable"),
            std::string::npos)
      << out.err;
  EXPECT_EQ(out.err.find("watching 2 checks"), std::string::npos) << out.err;
  // The window waits in its preflight stage for the next start.
  auto db = vigil::core::StateDatabase::open(dir.path());
  ASSERT_TRUE(db->window().has_value());
  EXPECT_EQ(db->window()->stage, "preflight");
}

TEST(WatchWindow, OperatorPromoteEndsTheWindowSuccessfully) {
  TempDir dir;
  const std::string config = write_config(dir, R"(
window: {duration: 10m, deployment: shop-7}
pipelines:
  - name: p
    defaults: {interval: 1s, timeout: 1s}
    checks:
      - {name: fine, plugin: noop}
)");
  ChildProcess vigil(run_with(config, dir));
  ASSERT_TRUE(vigil.wait_for_stderr("watching 1 check", 30s));
  const auto promote = run_process({kVigil, "promote", "--config", config, "--state-dir",
                                    dir.path().string(), "--reason", "SLOs met", "--by", "alice"},
                                   {}, 60s);
  EXPECT_EQ(promote.exit_code, 0) << promote.err;
  EXPECT_NE(promote.out.find("promote recorded"), std::string::npos) << promote.out;
  const auto out = vigil.finish(60s);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.err.find("VERDICT SUCCESSFUL: promoted by an operator: SLOs met (by alice)"),
            std::string::npos)
      << out.err;
  bool recorded = false;
  auto db = vigil::core::StateDatabase::open(dir.path());
  for (const auto& a : db->actions())
    recorded =
        recorded || (a.type == "operator" && a.action == "promote" && a.message == "SLOs met");
  EXPECT_TRUE(recorded);
  // With vigil gone, a request has nobody to go to.
  const auto late = run_process({kVigil, "abort", "--config", config, "--state-dir",
                                 dir.path().string(), "--reason", "too late"},
                                {}, 60s);
  EXPECT_EQ(late.exit_code, 69);
  EXPECT_NE(late.err.find("no vigil is running"), std::string::npos) << late.err;
}

TEST(WatchWindow, ManualRollbackRunsOnceThroughTheLoopGuard) {
  TempDir dir;
  const std::string marker = (dir.path() / "rolled-back").string();
  const std::string config = write_config(dir, R"(
actions:
  - name: rollback
    plugin: rollback
    options:
      command: [/bin/sh, -c, "echo rolled back >> )" +
                                                   marker + R"("]
window: {duration: 10m}
pipelines:
  - name: p
    defaults: {interval: 1s, timeout: 1s}
    checks:
      - {name: fine, plugin: noop}
)");
  ChildProcess vigil(run_with(config, dir));
  ASSERT_TRUE(vigil.wait_for_stderr("watching 1 check", 30s));
  const auto no_now = run_process(
      {kVigil, "rollback", "--config", config, "--state-dir", dir.path().string(), "--reason", "x"},
      {}, 60s);
  EXPECT_EQ(no_now.exit_code, 64) << no_now.err;
  const auto rb = run_process({kVigil, "rollback", "--now", "--config", config, "--state-dir",
                               dir.path().string(), "--reason", "customer 500s", "--by", "bob"},
                              {}, 60s);
  EXPECT_EQ(rb.exit_code, 0) << rb.err;
  const auto out = vigil.finish(60s);
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.err.find("VERDICT FAILED: rolled back (manual:bob)"), std::string::npos) << out.err;
  // on_failure is empty here, and the verdict did not roll back twice.
  EXPECT_EQ(slurp(marker), "rolled back\n");
}

TEST(WatchWindow, InconclusiveExtendsOnceThenConcludes) {
  TempDir dir;
  const std::string config = write_config(dir, R"(
window: {duration: 2s, extend_on_inconclusive: 2s, max_extensions: 1}
pipelines:
  - name: p
    defaults: {interval: 500ms, timeout: 400ms}
    checks:
      - {name: blind, plugin: noop, options: {status: UNKNOWN, summary: "no data"}}
)");
  const auto out = run_process(run_with(config, dir), {}, 60s);
  EXPECT_EQ(out.exit_code, 0) << out.err;
  const auto extended = out.err.find("VERDICT INCONCLUSIVE");
  ASSERT_NE(extended, std::string::npos) << out.err;
  EXPECT_NE(out.err.find("window extended by 2s", extended), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("VERDICT INCONCLUSIVE: ", extended + 1), std::string::npos) << out.err;
  auto db = vigil::core::StateDatabase::open(dir.path());
  EXPECT_EQ(db->window()->extensions, 1);
  EXPECT_EQ(db->window()->verdict.value_or(""), "inconclusive");
}

}  // namespace
