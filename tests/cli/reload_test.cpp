// SIGHUP through the vigil binary: a running `vigil run` re-reads its configuration and applies
// the difference (a check added, one removed, one retimed, one left alone, rules keeping their
// alert state), then refuses a broken configuration and keeps running the last good one. Every
// wait is for a log line, with a deadline; the state database is read once vigil has stopped.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/state/state_database.hpp"
#include "tests/cli/process_runner.hpp"

namespace {

using namespace std::chrono_literals;
using vigil::testing::ChildProcess;
using vigil::testing::run_process;
namespace fs = std::filesystem;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-reload-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write(const fs::path& file, const std::string& text) {
  // Written beside and renamed over, as an editor or a config manager does.
  const fs::path tmp = file.string() + ".tmp";
  std::ofstream(tmp) << text;
  fs::rename(tmp, file);
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

// The part of the log after the first `marker`.
std::string after(const std::string& log, const std::string& marker) {
  const auto pos = log.find(marker);
  return pos == std::string::npos ? std::string() : log.substr(pos);
}

// `failing` is CRITICAL every time: failing-now fires at once, failing-long stays pending for
// an hour. `goner` is removed by the reload, `newbie` added, `retimed` goes from 5s to 300ms,
// `steady` (every second) is left alone.
const char* const kRules = R"(    rules:
      - {name: failing-now, check: failing, when: "status >= CRITICAL", severity: critical}
      - {name: failing-long, check: failing, when: "status >= CRITICAL", for: 1h}
)";

std::string config_v1() {
  return std::string(R"(pipelines:
  - name: web
    defaults: {interval: 300ms, timeout: 250ms}
    checks:
      - {name: steady, plugin: noop, interval: 1s, options: {summary: steady-run}}
      - {name: goner, plugin: noop, options: {summary: goner-run}}
      - {name: retimed, plugin: noop, interval: 5s, options: {summary: retimed-run}}
      - {name: failing, plugin: noop, options: {status: CRITICAL, summary: failing-run}}
)") + kRules;
}

std::string config_v2() {
  return std::string(R"(pipelines:
  - name: web
    defaults: {interval: 300ms, timeout: 250ms}
    checks:
      - {name: steady, plugin: noop, interval: 1s, options: {summary: steady-run}}
      - {name: retimed, plugin: noop, interval: 300ms, options: {summary: retimed-run}}
      - {name: failing, plugin: noop, options: {status: CRITICAL, summary: failing-run}}
      - {name: newbie, plugin: noop, options: {summary: newbie-run}}
)") + kRules;
}

// Line 7, column 48: `soon` is no duration. Line 8, column 32: a type no plugin provides.
std::string config_broken() {
  return std::string(R"(pipelines:
  - name: web
    defaults: {interval: 300ms, timeout: 250ms}
    checks:
      - {name: steady, plugin: noop, interval: 1s, options: {summary: steady-run}}
      - {name: retimed, plugin: noop, interval: 300ms, options: {summary: retimed-run}}
      - {name: newbie, plugin: noop, interval: soon, options: {summary: newbie-run}}
      - {name: exotic, plugin: not_installed_anywhere}
      - {name: failing, plugin: noop, options: {status: CRITICAL, summary: failing-run}}
)") + kRules;
}

// Waits until `needle` occurs `n` times in the log after `marker`.
bool wait_for_count(ChildProcess& vigil, const std::string& marker, const std::string& needle,
                    std::size_t n, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (count(after(vigil.stderr_so_far(), marker), needle) >= n)
      return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms)
      return false;
    // Returns when more output came (or the time is up): the needle is never printed.
    vigil.wait_for_stderr("\x01never printed\x01", std::min(left, 200ms));
  }
}

TEST(Reload, SighupAppliesTheDifferenceKeepsAlertStateAndRefusesABrokenConfig) {
  TempDir dir;
  const fs::path config = dir.path() / "vigil.yaml";
  const fs::path state = dir.path() / "state";
  write(config, config_v1());
  ChildProcess vigil({kVigil, "run", "--config", config.string(), "--state-dir", state.string()});

  // Everything of v1 has run, and the rules are where they should be.
  const std::string start = "watching 4 checks";
  ASSERT_TRUE(vigil.wait_for_stderr(start, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, start, "goner-run", 2, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, start, "retimed-run", 1, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, start, "steady-run", 2, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, start, "ALERT FIRING [critical] failing-now", 1, 30s));
  ASSERT_TRUE(wait_for_count(vigil, start, "ALERT PENDING [warning] failing-long", 1, 30s));

  // --- a good reload ---
  write(config, config_v2());
  vigil.signal(SIGHUP);
  const std::string reloaded = "configuration reloaded from " + config.string() +
                               ": checks +1 -1 ~1 =2; rules +0 -0 ~0 =2; actions +0 -0 ~0 =0";
  ASSERT_TRUE(vigil.wait_for_stderr(reloaded, 30s)) << vigil.stderr_so_far();
  // The added check runs; the retimed one now every 300ms, not every 5s.
  ASSERT_TRUE(wait_for_count(vigil, reloaded, "newbie-run", 6, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, reloaded, "retimed-run", 4, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, reloaded, "steady-run", 2, 30s)) << vigil.stderr_so_far();
  {
    const std::string since = after(vigil.stderr_so_far(), reloaded);
    // The removed check no longer runs: one run in flight at the reload may still finish, where
    // six newbie runs at the same interval would have brought six of it.
    EXPECT_LE(count(since, "goner-run"), 1u) << since;
  }

  // --- a broken configuration: refused, line by line; the running one carries on ---
  write(config, config_broken());
  vigil.signal(SIGHUP);
  const std::string refused =
      "reload of " + config.string() + " failed: keeping the running configuration";
  ASSERT_TRUE(vigil.wait_for_stderr(refused, 30s)) << vigil.stderr_so_far();
  const std::string log_at_refusal = vigil.stderr_so_far();
  EXPECT_NE(log_at_refusal.find(config.string() +
                                ":7:48: pipelines[web].checks[newbie].interval: expected a "
                                "duration"),
            std::string::npos)
      << log_at_refusal;
  EXPECT_NE(log_at_refusal.find(config.string() +
                                ":8:32: pipelines[web].checks[exotic].plugin: unknown check type"),
            std::string::npos)
      << log_at_refusal;
  EXPECT_NE(log_at_refusal.find("a restart is needed for a new one"), std::string::npos);
  ASSERT_TRUE(wait_for_count(vigil, refused, "newbie-run", 3, 30s)) << vigil.stderr_so_far();
  ASSERT_TRUE(wait_for_count(vigil, refused, "retimed-run", 3, 30s)) << vigil.stderr_so_far();

  vigil.signal(SIGTERM);
  const auto out = vigil.finish(60s);
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const std::string& log = out.err;

  // The rules kept their state through both reloads: one pending, one firing, each entered
  // exactly once, never left.
  EXPECT_EQ(count(log, "ALERT FIRING [critical] failing-now"), 1u) << log;
  EXPECT_EQ(count(log, "ALERT PENDING [warning] failing-long"), 1u) << log;
  EXPECT_EQ(count(log, "ALERT RESOLVED"), 0u) << log;
  EXPECT_EQ(count(log, "no longer pending"), 0u) << log;

  auto db = vigil::core::StateDatabase::open(state);
  std::size_t pending_transitions = 0;
  for (const auto& t : db->transitions()) {
    if (t.rule == "failing-long")
      ++pending_transitions;
  }
  EXPECT_EQ(pending_transitions, 1u);
  const auto status =
      run_process({kVigil, "status", "--state-dir", state.string(), "--format", "json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  std::map<std::string, std::string> alerts;
  const auto status_json = nlohmann::json::parse(status.out);
  for (const auto& a : status_json["alerts"])
    alerts[a["rule"].get<std::string>()] = a["state"].get<std::string>();
  EXPECT_EQ(alerts["failing-now"], "firing") << status.out;
  EXPECT_EQ(alerts["failing-long"], "pending");

  // The unchanged check kept its schedule: every run of `steady`, before and after the reloads,
  // falls on the same 1s grid (a rescheduled check would have moved to a new phase). The
  // tolerance allows a busy CI machine's late wake-ups; ConfigReloader's unit test checks the
  // exact due time on a FakeClock.
  const auto steady = db->results(std::string("steady"), std::nullopt, std::nullopt);
  ASSERT_GE(steady.size(), 4u);
  const auto first = steady.front().result.started;
  for (const auto& r : steady) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(r.result.started - first).count();
    const auto off_grid = std::min(ms % 1000, 1000 - ms % 1000);
    EXPECT_LT(off_grid, 300) << "a steady run " << ms << "ms after the first";
  }
}

}  // namespace
