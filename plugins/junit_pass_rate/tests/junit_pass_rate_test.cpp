// The check through its entry point, as the host drives it: options, statuses, metrics, details,
// staleness against the injected clock, and the `run` option.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <vigil/sdk/testing.hpp>

#include "test_files.hpp"

namespace vigil::junit_pass_rate {
namespace {

using sdk::Result;
using sdk::Status;
using sdk::testing::FakeContext;
using sdk::testing::LocalPlugin;
using testing::fixture;
using testing::ScratchDir;
using testing::set_mtime;
using Options = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

Result run_check(const Options& options, FakeContext& ctx) {
  LocalPlugin plugin;
  return plugin.check("junit_pass_rate", options)->run(ctx);
}

Result run_check(const Options& options) {
  FakeContext ctx;
  return run_check(options, ctx);
}

std::map<std::string, double> metrics_of(const Result& result) {
  std::map<std::string, double> out;
  for (const auto& metric : result.metrics())
    out[metric.name] = metric.value;
  return out;
}

bool has_detail(const Result& result, const std::string& text) {
  for (const auto& line : result.details()) {
    if (line.find(text) != std::string::npos)
      return true;
  }
  return false;
}

std::string all_details(const Result& result) {
  std::string out;
  for (const auto& line : result.details())
    out += line + "\n";
  return out;
}

TEST(JunitPassRate, PytestReportGivesCountsRateAndFailingNames) {
  const Result result = run_check({{"path", fixture("pytest_xunit2.xml")}});
  EXPECT_EQ(result.status(), Status::Ok) << result.summary();
  const auto metrics = metrics_of(result);
  EXPECT_EQ(metrics.at("tests"), 9);
  EXPECT_EQ(metrics.at("passed"), 4);
  EXPECT_EQ(metrics.at("failed"), 2);
  EXPECT_EQ(metrics.at("errors"), 1);
  EXPECT_EQ(metrics.at("skipped"), 2);
  EXPECT_NEAR(metrics.at("pass_rate"), 100.0 * 4 / 7, 1e-9);  // skipped excluded by default
  EXPECT_NE(result.summary().find("pass rate 57.14%"), std::string::npos) << result.summary();
  EXPECT_EQ(result.details(),
            (std::vector<std::string>{"failed: pytest_sample.test_fails",
                                      "error: pytest_sample.test_errors_in_fixture",
                                      "failed: pytest_sample.test_param[2]"}));
}

TEST(JunitPassRate, ReadsEveryToolShape) {
  struct Expected {
    std::string file;
    double tests, passed, failed, errors, skipped;
  };
  for (const auto& e : std::vector<Expected>{{"pytest_xunit1.xml", 9, 4, 2, 1, 2},
                                             {"gtest.xml", 8, 3, 3, 0, 2},
                                             {"ctest.xml", 8, 2, 3, 0, 3},
                                             {"surefire.xml", 6, 2, 2, 1, 1},
                                             {"jest_junit.xml", 6, 3, 1, 1, 1},
                                             {"mocha_junit_reporter.xml", 5, 2, 2, 0, 1},
                                             {"nested_suites.xml", 6, 3, 1, 1, 1}}) {
    const Result result = run_check({{"path", fixture(e.file)}});
    ASSERT_EQ(result.status(), Status::Ok) << e.file << ": " << result.summary();
    const auto metrics = metrics_of(result);
    EXPECT_EQ(metrics.at("tests"), e.tests) << e.file;
    EXPECT_EQ(metrics.at("passed"), e.passed) << e.file;
    EXPECT_EQ(metrics.at("failed"), e.failed) << e.file;
    EXPECT_EQ(metrics.at("errors"), e.errors) << e.file;
    EXPECT_EQ(metrics.at("skipped"), e.skipped) << e.file;
  }
}

TEST(JunitPassRate, SkippedPolicyDecidesWhatTheRateCounts) {
  const auto rate = [](const std::string& policy) {
    return metrics_of(run_check({{"path", fixture("pytest_xunit2.xml")}, {"skipped", policy}}))
        .at("pass_rate");
  };
  EXPECT_NEAR(rate("exclude"), 100.0 * 4 / 7, 1e-9);
  EXPECT_NEAR(rate("fail"), 100.0 * 4 / 9, 1e-9);
  EXPECT_NEAR(rate("pass"), 100.0 * 6 / 9, 1e-9);
}

TEST(JunitPassRate, ZeroTestsIsUnknownNeverAHundredPercent) {
  const Result result = run_check({{"path", fixture("zero_tests.xml")}});
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find("no testcases"), std::string::npos) << result.summary();
  EXPECT_EQ(metrics_of(result).count("pass_rate"), 0u);
}

TEST(JunitPassRate, AllSkippedHasNoRateUnlessSkippedCount) {
  ScratchDir dir;
  const std::string path =
      dir.write("skips.xml", "<testsuite><testcase name=\"a\"><skipped/></testcase></testsuite>");
  EXPECT_EQ(run_check({{"path", path}}).status(), Status::Unknown);
  const Result as_failing = run_check({{"path", path}, {"skipped", "fail"}});
  EXPECT_EQ(as_failing.status(), Status::Ok);
  EXPECT_EQ(metrics_of(as_failing).at("pass_rate"), 0);
}

TEST(JunitPassRate, TruncatedReportIsUnknownNamingFileAndOffset) {
  ScratchDir dir;
  const std::string text = testing::read_file(fixture("pytest_xunit2.xml"));
  const std::string path = dir.write("cut.xml", text.substr(0, 700));
  const Result result = run_check({{"path", path}});
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find(path + ": malformed XML at byte 700"), std::string::npos)
      << result.summary();
  EXPECT_TRUE(result.metrics().empty());
}

TEST(JunitPassRate, GarbageIsUnknown) {
  ScratchDir dir;
  const std::string html = "<html><body>502 Bad Gateway</body>";
  const Result result = run_check({{"path", dir.write("junk.xml", html)}});
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find("byte " + std::to_string(html.size()) +
                                  ": the file ends inside <html>"),
            std::string::npos)
      << result.summary();
  const Result binary = run_check({{"path", dir.write("core", std::string("\x7f"
                                                                          "ELF\x02\x01\x01\0",
                                                                          8))}});
  EXPECT_EQ(binary.status(), Status::Unknown);
  EXPECT_NE(binary.summary().find("byte 0: not XML"), std::string::npos) << binary.summary();
}

TEST(JunitPassRate, NoMatchIsUnknownNamingThePattern) {
  ScratchDir dir;
  const Result glob = run_check({{"path", dir.path() + "/reports/*.xml"}});
  EXPECT_EQ(glob.status(), Status::Unknown);
  EXPECT_EQ(glob.summary(), "no file matches '" + dir.path() + "/reports/*.xml'");
  const Result missing = run_check({{"path", dir.file("junit.xml")}});
  EXPECT_EQ(missing.status(), Status::Unknown);
  EXPECT_EQ(missing.summary(), "report '" + dir.file("junit.xml") + "' does not exist");
}

TEST(JunitPassRate, GlobSumsEveryMatchingReport) {
  ScratchDir dir;
  dir.copy_fixture("gtest.xml", "TEST-a.xml");
  dir.copy_fixture("surefire.xml", "TEST-b.xml");
  dir.copy_fixture("ctest.xml", "TEST-c.xml");
  dir.write("notes.txt", "not a report");
  const Result result = run_check({{"path", dir.path() + "/TEST-*.xml"}});
  ASSERT_EQ(result.status(), Status::Ok) << result.summary();
  const auto metrics = metrics_of(result);
  EXPECT_EQ(metrics.at("tests"), 8 + 6 + 8);
  EXPECT_EQ(metrics.at("passed"), 3 + 2 + 2);
  EXPECT_EQ(metrics.at("skipped"), 2 + 1 + 3);
  EXPECT_NE(result.summary().find("in 3 reports matching"), std::string::npos) << result.summary();
}

TEST(JunitPassRate, OneMalformedReportInAGlobMakesItUnknown) {
  ScratchDir dir;
  dir.copy_fixture("gtest.xml", "a.xml");
  const std::string broken = dir.write("b.xml", "<testsuite><testcase name=\"x\">");
  const Result result = run_check({{"path", dir.path() + "/*.xml"}});
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find(broken), std::string::npos) << result.summary();
}

TEST(JunitPassRate, StaleReportWarnsOnceTheClockPassesMaxAge) {
  ScratchDir dir;
  const std::string path = dir.copy_fixture("gtest.xml", "junit.xml");
  const auto written = sdk::TimePoint{std::chrono::seconds{1760000000}};
  set_mtime(path, written);
  LocalPlugin plugin;
  auto check = plugin.check("junit_pass_rate", {{"path", path}, {"max_age", "1h"}});
  FakeContext ctx;
  ctx.manual_clock().set(written + 30min);
  const Result fresh = check->run(ctx);
  EXPECT_EQ(fresh.status(), Status::Ok) << fresh.summary();

  ctx.manual_clock().advance(2h);
  const Result stale = check->run(ctx);
  EXPECT_EQ(stale.status(), Status::Warning);
  EXPECT_NE(stale.summary().find("stale: " + path + " is 2h30m old (max_age 1h)"),
            std::string::npos)
      << stale.summary();
  EXPECT_EQ(metrics_of(stale).at("tests"), 8);  // still measured: the host may judge it too
}

TEST(JunitPassRate, DetailsNameAtMostMaxFailuresListed) {
  const Result one = run_check({{"path", fixture("gtest.xml")}, {"max_failures_listed", "1"}});
  EXPECT_EQ(one.details(),
            (std::vector<std::string>{"failed: Arithmetic.FailsOnPurpose", "... and 2 more"}));
  const Result none = run_check({{"path", fixture("gtest.xml")}, {"max_failures_listed", "0"}});
  EXPECT_EQ(none.details(), std::vector<std::string>{"... and 3 more"});
}

TEST(JunitPassRate, RunWritesTheReportThatIsThenRead) {
  ScratchDir dir;
  // The exit status does not decide: the report does.
  const Result result = run_check({{"path", "out/junit.xml"},
                                   {"run_dir", dir.path()},
                                   {"run", "sh"},
                                   {"run", "-c"},
                                   {"run", "mkdir out && cp '" + fixture("surefire.xml") +
                                               "' out/junit.xml && echo done && exit 1"}});
  ASSERT_EQ(result.status(), Status::Ok) << result.summary() << "\n" << all_details(result);
  EXPECT_EQ(metrics_of(result).at("tests"), 6);
  EXPECT_TRUE(has_detail(result, "exited with status 1")) << all_details(result);
}

TEST(JunitPassRate, RunThatTimesOutIsUnknown) {
  ScratchDir dir;
  dir.copy_fixture("gtest.xml", "junit.xml");
  const auto started = std::chrono::steady_clock::now();
  const Result result = run_check({{"path", dir.file("junit.xml")},
                                   {"run", "sh"},
                                   {"run", "-c"},
                                   {"run", "echo starting; exec sleep 30"},
                                   {"run_timeout", "200ms"}});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find("did not finish within 200ms and was killed"), std::string::npos)
      << result.summary();
  EXPECT_TRUE(has_detail(result, "output: starting")) << all_details(result);
}

TEST(JunitPassRate, RunIsBoundedByTheCheckDeadline) {
  FakeContext ctx("junit", 300ms);
  const auto started = std::chrono::steady_clock::now();
  const Result result =
      run_check({{"path", "/nonexistent/junit.xml"}, {"run", "sleep"}, {"run", "30"}}, ctx);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find("within 300ms"), std::string::npos) << result.summary();
}

TEST(JunitPassRate, RunThatCannotStartIsUnknown) {
  const Result result =
      run_check({{"path", fixture("gtest.xml")}, {"run", "/nonexistent/bin/pytest"}});
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find("cannot start '/nonexistent/bin/pytest': No such file"),
            std::string::npos)
      << result.summary();
}

TEST(JunitPassRate, ReportNotRewrittenByTheRunIsNotBelieved) {
  ScratchDir dir;
  const std::string old_report = dir.copy_fixture("gtest.xml", "junit.xml");
  set_mtime(old_report, std::chrono::system_clock::now() - 1h);
  const Result result = run_check({{"path", old_report},
                                   {"run", "sh"},
                                   {"run", "-c"},
                                   {"run", "echo collection failed >&2; exit 2"}});
  EXPECT_EQ(result.status(), Status::Unknown);
  EXPECT_NE(result.summary().find("exited with status 2 but wrote no report"), std::string::npos)
      << result.summary();
  EXPECT_TRUE(has_detail(result, "output: collection failed")) << all_details(result);
}

TEST(JunitPassRate, RunDoesNotWaitForWhatItLeftRunning) {
  ScratchDir dir;
  const std::string report = dir.file("junit.xml");
  const auto started = std::chrono::steady_clock::now();
  // The background sleep keeps the output pipe open; the check must neither wait for it nor
  // leave it behind.
  const Result result =
      run_check({{"path", report},
                 {"run", "sh"},
                 {"run", "-c"},
                 {"run", "sleep 30 & cp '" + fixture("ctest.xml") + "' '" + report + "'"}});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(result.status(), Status::Ok) << result.summary();
}

TEST(JunitPassRate, RejectsOptionsThatMakeNoSense) {
  LocalPlugin plugin;
  EXPECT_THROW(plugin.check("junit_pass_rate", {}), std::runtime_error);  // path is required
  const std::vector<Options> bad = {{{"path", "x.xml"}, {"skipped", "ignore"}},
                                    {{"path", "x.xml"}, {"max_failures_listed", "-1"}},
                                    {{"path", "x.xml"}, {"max_age", "0"}},
                                    {{"path", "x.xml"}, {"run_timeout", "0"}},
                                    {{"path", ""}}};
  for (const auto& options : bad) {
    EXPECT_THROW(plugin.check("junit_pass_rate", options), sdk::ConfigError)
        << options.back().first;
  }
  EXPECT_THROW(plugin.check("junit_pass_rate", {{"path", "x.xml"}, {"max_age", "soon"}}),
               std::runtime_error);
}

}  // namespace
}  // namespace vigil::junit_pass_rate
