// Reports written at test time by the real tools, through the plugin's own `run` option: pytest
// (xunit2 and xunit1), a GoogleTest binary and CTest.
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
using testing::ScratchDir;
using Options = std::vector<std::pair<std::string, std::string>>;

Result run_check(const Options& options) {
  LocalPlugin plugin;
  FakeContext ctx("junit", std::chrono::minutes{2});
  return plugin.check("junit_pass_rate", options)->run(ctx);
}

Options with_run(Options options, const std::vector<std::string>& argv) {
  for (const auto& arg : argv)
    options.emplace_back("run", arg);
  return options;
}

std::map<std::string, double> metrics_of(const Result& result) {
  std::map<std::string, double> out;
  for (const auto& metric : result.metrics())
    out[metric.name] = metric.value;
  return out;
}

std::string all_details(const Result& result) {
  std::string out;
  for (const auto& line : result.details())
    out += line + "\n";
  return out;
}

void expect_counts(const Result& result, double tests, double passed, double failed, double errors,
                   double skipped) {
  ASSERT_EQ(result.status(), Status::Ok) << result.summary() << "\n" << all_details(result);
  const auto metrics = metrics_of(result);
  EXPECT_EQ(metrics.at("tests"), tests);
  EXPECT_EQ(metrics.at("passed"), passed);
  EXPECT_EQ(metrics.at("failed"), failed);
  EXPECT_EQ(metrics.at("errors"), errors);
  EXPECT_EQ(metrics.at("skipped"), skipped);
}

TEST(JunitIntegration, PytestReportsOfARealRun) {
  if (std::string(JUNIT_PYTEST).empty()) {
    GTEST_SKIP() << "pytest is not installed (Debian: python3-pytest)";
  }
  ScratchDir dir;
  dir.write("test_health.py",
            "import pytest\n\n"
            "def test_service_answers():\n    assert True\n\n"
            "def test_latency_budget():\n    assert 612 < 500, 'p95 over budget'\n\n"
            "@pytest.mark.skip(reason='needs production credentials')\n"
            "def test_billing_dry_run():\n    pass\n");
  for (const std::string family : {"xunit2", "xunit1"}) {
    const Result result =
        run_check(with_run({{"path", "report.xml"}, {"run_dir", dir.path()}},
                           {JUNIT_PYTEST, "-p", "no:cacheprovider", "-q", "-o",
                            "junit_family=" + family, "--junitxml=report.xml", "test_health.py"}));
    expect_counts(result, 3, 1, 1, 0, 1);
    EXPECT_EQ(metrics_of(result).at("pass_rate"), 50) << family;
    EXPECT_EQ(result.details().front(), "failed: test_health.test_latency_budget") << family;
    EXPECT_NE(all_details(result).find("exited with status 1"), std::string::npos)
        << all_details(result);
  }
}

TEST(JunitIntegration, GoogleTestXmlOfARealRun) {
  ScratchDir dir;
  const Result result = run_check(with_run({{"path", "gtest.xml"}, {"run_dir", dir.path()}},
                                           {JUNIT_GTEST_SAMPLE, "--gtest_output=xml:gtest.xml"}));
  expect_counts(result, 8, 3, 3, 0, 2);
  EXPECT_EQ(metrics_of(result).at("pass_rate"), 50);
  EXPECT_EQ(result.details().front(), "failed: Arithmetic.FailsOnPurpose");
}

TEST(JunitIntegration, CTestJunitOfARealRun) {
  ScratchDir dir;
  // A CTestTestfile.cmake is all ctest needs: no project to configure.
  dir.write("CTestTestfile.cmake",
            "add_test(passes \"true\")\n"
            "add_test(fails \"false\")\n"
            "add_test(skipped_by_code \"sh\" \"-c\" \"exit 77\")\n"
            "set_tests_properties(skipped_by_code PROPERTIES SKIP_RETURN_CODE \"77\")\n"
            "add_test(disabled_test \"true\")\n"
            "set_tests_properties(disabled_test PROPERTIES DISABLED \"TRUE\")\n"
            "add_test(will_fail_ok \"false\")\n"
            "set_tests_properties(will_fail_ok PROPERTIES WILL_FAIL \"TRUE\")\n");
  const Result result = run_check(
      with_run({{"path", dir.file("ctest.xml")}},
               {JUNIT_CTEST, "--test-dir", dir.path(), "--output-junit", dir.file("ctest.xml")}));
  expect_counts(result, 5, 2, 1, 0, 2);
  EXPECT_EQ(result.details().front(), "failed: fails");  // CTest repeats name as classname
}

}  // namespace
}  // namespace vigil::junit_pass_rate
