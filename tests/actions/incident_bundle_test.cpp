// incident_bundle against a real state database: what an investigation finds in the bundle.
#include "core/actions/incident_bundle.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vigil/sdk/testing.hpp"

namespace vigil::core {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-bundle-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
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

TEST(IncidentBundle, PreservesResultsAlertsLogsAndReports) {
  TempDir dir;
  auto db = StateDatabase::open(dir.path() / "state");
  sdk::testing::FakeContext ctx("incident");
  const sdk::TimePoint now = ctx.clock().now();

  CheckResult r;
  r.check = "error-rate";
  r.pipeline = "genesis";
  r.status = sdk::Status::Critical;
  r.summary = "error rate 4.4%";
  r.started = now - 2min;
  r.metrics.push_back(sdk::Metric{"error_rate", 4.4});
  db->record_result(r, false);
  CheckResult old = r;
  old.started = now - 3h;  // outside `history`
  db->record_result(old, false);
  AlertTransitionRecord t;
  t.rule = "error-rate-critical";
  t.check = "error-rate";
  t.severity = "critical";
  t.kind = "state";
  t.from = "pending";
  t.to = "firing";
  t.at = now - 1min;
  t.reason = "error_rate 4.4 > 1";
  db->record_transition(t);

  const fs::path log = dir.path() / "vigil.log";
  std::ofstream(log) << std::string(100, 'x') << "\nlast line of the log\n";
  const fs::path report = dir.path() / "health.xml";
  std::ofstream(report) << "<testsuites/>\n";

  auto sources = std::make_shared<IncidentSources>();
  sources->db = db.get();
  sources->state_dir = dir.path() / "state";
  sources->log_file = log;
  sources->snapshot = [] { return std::string("{\"checks\": {}}\n"); };

  sdk::Options options;
  options.set("include", sdk::OptionValue(sdk::ScalarList{
                             sdk::Scalar(report.string()),
                             sdk::Scalar((dir.path() / "missing-*.log").string())}));
  options.set("max_file_size", sdk::OptionValue(sdk::Scalar(sdk::ByteSize{32})));
  IncidentBundleAction action(options, sources);
  sdk::Event e;
  e.kind = "firing";
  e.rule = "error-rate-critical";
  e.check = "error-rate";
  e.severity = "critical";
  e.summary = "error-rate-critical: error_rate 4.4 > 1";
  e.starts_at = now - 1min;
  e.deployment = "genesis-42";
  const auto outcome = action.execute(e, ctx);
  ASSERT_TRUE(outcome.ok) << outcome.message;
  // A glob that matched nothing is reported, not fatal.
  EXPECT_NE(outcome.message.find("missing-*.log: no file matches"), std::string::npos)
      << outcome.message;

  std::vector<fs::path> bundles;
  for (const auto& entry : fs::directory_iterator(dir.path() / "state" / "incidents"))
    bundles.push_back(entry.path());
  ASSERT_EQ(bundles.size(), 1u);
  const fs::path b = bundles[0];
  EXPECT_EQ(b.filename().string().rfind("incident-20251018-", 0), 0u) << b;  // FakeContext's day
  EXPECT_NE(slurp(b / "README.md").find("- Rule: error-rate-critical"), std::string::npos);
  EXPECT_NE(slurp(b / "README.md").find("- Deployment: genesis-42"), std::string::npos);
  const auto results = nlohmann::json::parse(slurp(b / "results.json"));
  ASSERT_EQ(results.size(), 1u);  // the 3-hour-old result is outside the hour of history
  EXPECT_EQ(results[0]["metrics"]["error_rate"], 4.4);
  const auto alerts = nlohmann::json::parse(slurp(b / "alerts.json"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["to"], "firing");
  EXPECT_EQ(slurp(b / "metrics_snapshot.json"), "{\"checks\": {}}\n");
  EXPECT_EQ(slurp(b / "files" / "health.xml"), "<testsuites/>\n");
  // Logs are cut to their last max_file_size bytes: the end is where the incident is.
  const std::string log_copy = slurp(b / "logs" / "vigil.log");
  EXPECT_EQ(log_copy.size(), 32u);
  EXPECT_NE(log_copy.find("last line of the log"), std::string::npos);

  // A second bundle in the same second gets its own directory.
  ASSERT_TRUE(action.execute(e, ctx).ok);
  EXPECT_TRUE(fs::exists(b.string() + "-2"));
}

TEST(IncidentBundle, WithoutAStateDatabaseItFailsAndSaysWhy) {
  IncidentBundleAction action(sdk::Options{}, std::make_shared<IncidentSources>());
  sdk::testing::FakeContext ctx("incident");
  const auto outcome = action.execute(sdk::Event{}, ctx);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "no state database: bundles are written by `vigil run`");
}

}  // namespace
}  // namespace vigil::core
