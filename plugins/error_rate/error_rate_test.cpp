#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <vigil/sdk/testing.hpp>

namespace {

using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using Options = std::vector<std::pair<std::string, std::string>>;

// A page with http_requests_total per code and a separate failure counter per handler.
std::string page(double ok_200, double err_500, double err_503, double failed_api,
                 double failed_health) {
  auto n = [](double v) { return std::to_string(v); };
  return "# HELP http_requests_total Requests by status code.\n"
         "# TYPE http_requests_total counter\n"
         "http_requests_total{handler=\"/api\",code=\"200\"} " +
         n(ok_200) + "\n" + "http_requests_total{handler=\"/api\",code=\"500\"} " + n(err_500) +
         "\n" + "http_requests_total{handler=\"/api\",code=\"503\"} " + n(err_503) + "\n" +
         "# TYPE http_requests_failed counter\n"
         "http_requests_failed_total{handler=\"/api\"} " +
         n(failed_api) + "\n" + "http_requests_failed_total{handler=\"/health\"} " +
         n(failed_health) + "\n" + "http_requests_failed_created{handler=\"/api\"} 1.7e9\n";
}

class ErrorRate : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "error_rate_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".prom";
  }
  void TearDown() override { std::remove(path_.c_str()); }

  void write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }

  // errors are 5xx of http_requests_total, the total is all of it
  Options by_code(Options extra = {}) const {
    Options o = {{"file", path_},
                 {"errors_metric", "http_requests_total"},
                 {"total_metric", "http_requests_total"},
                 {"error_labels.code", "~5.."}};
    o.insert(o.end(), extra.begin(), extra.end());
    return o;
  }

  static std::optional<double> metric(const Result& r, const std::string& name) {
    for (const auto& m : r.metrics()) {
      if (m.name == name)
        return m.value;
    }
    return std::nullopt;
  }
  static bool has_detail(const Result& r, const std::string& needle) {
    for (const auto& d : r.details()) {
      if (d.find(needle) != std::string::npos)
        return true;
    }
    return false;
  }

  std::string path_;
  LocalPlugin plugin_;
  FakeContext ctx_;
};

TEST_F(ErrorRate, FirstScrapeIsUnknownWithTheFiguresSinceStart) {
  write(page(990, 6, 4, 0, 0));
  auto check = plugin_.check("error_rate", by_code());
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "first scrape, no window yet");
  EXPECT_TRUE(r.metrics().empty());
  EXPECT_TRUE(has_detail(r, "since the process started: 10 errors of 1000 requests (1%)"));
}

TEST_F(ErrorRate, ReportsThePercentOfTheIncreaseBetweenScrapes) {
  auto check = plugin_.check("error_rate", by_code());
  write(page(990, 6, 4, 0, 0));
  check->run(ctx_);
  ctx_.manual_clock().advance(std::chrono::seconds(60));
  write(page(1985, 7, 8, 0, 0));  // +995 ok, +1 500, +4 503: 5 errors of 1000
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_DOUBLE_EQ(*metric(r, "error_rate"), 0.5);
  EXPECT_EQ(*metric(r, "errors"), 5);
  EXPECT_EQ(*metric(r, "requests"), 1000);
  EXPECT_EQ(r.metrics()[0].unit, "%");
  EXPECT_EQ(r.summary(), "error rate 0.5%: 5 errors of 1000 requests in the last 60s");
}

TEST_F(ErrorRate, SeparateCountersAndLabelsForBoth) {
  auto check = plugin_.check("error_rate", {{"file", path_},
                                            {"errors_metric", "http_requests_failed"},
                                            {"total_metric", "http_requests_total"},
                                            {"labels.handler", "/api"}});
  write(page(100, 0, 0, 3, 50));
  check->run(ctx_);
  write(page(300, 0, 0, 5, 90));  // /health failures are not /api's
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_EQ(*metric(r, "errors"), 2);
  EXPECT_EQ(*metric(r, "requests"), 200);
  EXPECT_DOUBLE_EQ(*metric(r, "error_rate"), 1.0);
}

TEST_F(ErrorRate, CounterResetTakesTheCurrentValuesAsTheIncrease) {
  auto check = plugin_.check("error_rate", by_code());
  write(page(990, 6, 4, 0, 0));
  check->run(ctx_);
  write(page(95, 3, 2, 0, 0));  // restarted: 100 requests, 5 errors since
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_EQ(*metric(r, "requests"), 100);
  EXPECT_EQ(*metric(r, "errors"), 5);
  EXPECT_DOUBLE_EQ(*metric(r, "error_rate"), 5.0);
  EXPECT_TRUE(has_detail(r, "counters were reset"));
}

TEST_F(ErrorRate, NoRequestsInTheWindowIsUnknown) {
  auto check = plugin_.check("error_rate", by_code());
  write(page(990, 6, 4, 0, 0));
  check->run(ctx_);
  ctx_.manual_clock().advance(std::chrono::seconds(15));
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "no requests in the last 15s");
  EXPECT_FALSE(metric(r, "error_rate"));
  EXPECT_EQ(*metric(r, "requests"), 0);
}

TEST_F(ErrorRate, AnErrorSeriesNotYetCreatedCountsAsZero) {
  const std::string only_ok = "http_requests_total{code=\"200\"} 10\n";
  auto check = plugin_.check("error_rate", by_code());
  write(only_ok);
  check->run(ctx_);
  write("http_requests_total{code=\"200\"} 40\n");
  const Result quiet = check->run(ctx_);
  ASSERT_EQ(quiet.status(), Status::Ok) << quiet.summary();
  EXPECT_EQ(*metric(quiet, "error_rate"), 0);
  EXPECT_TRUE(has_detail(quiet, "counted as 0 errors"));
  // The first error creates the series: all of it is new in this window.
  write("http_requests_total{code=\"200\"} 58\nhttp_requests_total{code=\"500\"} 2\n");
  const Result first_error = check->run(ctx_);
  EXPECT_EQ(*metric(first_error, "errors"), 2);
  EXPECT_DOUBLE_EQ(*metric(first_error, "error_rate"), 10.0);
}

TEST_F(ErrorRate, MissingTotalOrMalformedPageIsUnknown) {
  write("something_else_total 1\n");
  auto check = plugin_.check("error_rate", by_code());
  EXPECT_EQ(check->run(ctx_).summary(), "no counter http_requests_total on " + path_);
  write("http_requests_total{code=\"200\" 1\n");
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(),
            path_ + ": line 1: expected ',' or '}' after the value of label \"code\", got '1'");
}

TEST_F(ErrorRate, RefusesOptionsThatMakeNoSense) {
  using vigil::sdk::ConfigError;
  // errors and total would be the very same series
  EXPECT_THROW(plugin_.check("error_rate", {{"file", path_},
                                            {"errors_metric", "http_requests_total"},
                                            {"total_metric", "http_requests_total"}}),
               ConfigError);
  EXPECT_THROW(plugin_.check("error_rate", {{"errors_metric", "a"}, {"total_metric", "b"}}),
               ConfigError);
  EXPECT_THROW(plugin_.check("error_rate", by_code({{"url", "http://127.0.0.1/"}})), ConfigError);
  EXPECT_THROW(plugin_.check("error_rate", by_code({{"labels.code", "~[5"}})), ConfigError);
  EXPECT_THROW(
      plugin_.check("error_rate",
                    {{"file", path_}, {"errors_metric", "bad-name"}, {"total_metric", "b"}}),
      ConfigError);
  EXPECT_THROW(plugin_.check("error_rate", {{"file", path_}, {"total_metric", "b"}}),
               std::runtime_error);
}

}  // namespace
