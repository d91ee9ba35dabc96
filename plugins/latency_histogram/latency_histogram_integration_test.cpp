// latency_histogram against a real Prometheus's own prometheus_http_request_duration_seconds,
// compared with what that Prometheus's histogram_quantile returns for the same data.
//
// Why the comparison is exact rather than "close": the plugin and Prometheus must see the same
// bucket values. A /metrics page fetched by the test and a scrape made by Prometheus are never
// the same moment (the counters move in between), so the test takes the data from Prometheus
// itself: a range selector `x[30s]` returns the raw samples of each series with their scrape
// timestamps, unchanged. All samples of one scrape share that scrape's timestamp, so the test
// picks two scrape timestamps t1 < t2, writes the samples of each scrape as an exposition page,
// and asks Prometheus for instant queries evaluated at exactly those timestamps, where the
// lookback picks exactly the sample stamped t (the latest at or before t):
//  - cumulative: the plugin on page t2 against histogram_quantile(q, sum by (le) (x_bucket))
//    evaluated at t2;
//  - increase: the plugin run on page t1, then on page t2, against histogram_quantile(q,
//    sum by (le) (x_bucket @ t2) - sum by (le) (x_bucket @ t1)). PromQL's increase() would
//    extrapolate to the window's edges and differ by design; the @ difference is the plain
//    increase between two scrapes, and summing before subtracting is what the plugin does (a
//    series that appears between t1 and t2, such as a newly used API handler, counts in full).
// Both are then equal up to float rounding in the last bits; the tolerance is 1e-9 relative.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <vigil/sdk/testing.hpp>

#include "testing/local_server.hpp"

namespace {

using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
namespace support = vigil::testing_support;

const std::string kPrometheus = "/usr/bin/prometheus";
const std::string kMetric = "prometheus_http_request_duration_seconds";

std::string url_escape(const std::string& text) {
  std::string escaped;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
      escaped += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      escaped += buf;
    }
  }
  return escaped;
}

// Milliseconds since the epoch as the API writes and reads them: "1764400000.123".
std::string api_time(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

std::int64_t ms_of(const nlohmann::json& api_timestamp) {
  return std::llround(api_timestamp.get<double>() * 1000.0);
}

struct Server {
  std::string dir;
  std::string url;
  std::unique_ptr<support::ChildProcess> process;
  std::string error;

  ~Server() {
    process.reset();
    if (!dir.empty())
      std::filesystem::remove_all(dir);
  }

  nlohmann::json query(const std::string& promql, std::optional<std::int64_t> at_ms = {}) const {
    std::string target = url + "/api/v1/query?query=" + url_escape(promql);
    if (at_ms)
      target += "&time=" + api_time(*at_ms);
    std::string body;
    support::http_get(target, body);
    return nlohmann::json::parse(body, nullptr, false);
  }
};

// Prometheus scraping only itself, every second.
std::unique_ptr<Server> start_prometheus() {
  auto s = std::make_unique<Server>();
  char pattern[] = "/tmp/vigil_latency_histogram_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    s->error = "cannot make a temporary directory";
    return s;
  }
  s->dir = pattern;
  const int port = support::free_loopback_port();
  std::ofstream(s->dir + "/prometheus.yml")
      << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         "scrape_configs:\n"
         "  - job_name: prometheus\n"
         "    static_configs: [{targets: ['127.0.0.1:"
      << port << "']}]\n";
  s->process = std::make_unique<support::ChildProcess>(
      std::vector<std::string>{kPrometheus, "--config.file=" + s->dir + "/prometheus.yml",
                               "--storage.tsdb.path=" + s->dir + "/data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      s->dir + "/prometheus.log");
  s->url = "http://127.0.0.1:" + std::to_string(port);
  if (!support::wait_until_ready(s->url + "/-/ready", std::chrono::seconds(60)))
    s->error = "Prometheus did not become ready; see " + s->dir + "/prometheus.log";
  return s;
}

// One scrape's samples of the histogram's _bucket, _sum and _count series.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // without __name__
  std::string value;                          // as the API wrote it
};
using Scrape = std::vector<Sample>;

std::string escape_label_value(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string page_of(const Scrape& scrape) {
  std::string out = "# HELP " + kMetric + " Histogram of latencies for HTTP requests.\n# TYPE " +
                    kMetric + " histogram\n";
  for (const auto& s : scrape) {
    out += s.name;
    if (!s.labels.empty()) {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : s.labels) {
        out += (first ? "" : ",") + k + "=\"" + escape_label_value(v) + "\"";
        first = false;
      }
      out += '}';
    }
    out += ' ' + s.value + '\n';
  }
  return out;
}

class LatencyHistogramLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (support::executable(kPrometheus))
      server_ = start_prometheus();
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!support::executable(kPrometheus))
      GTEST_SKIP() << kPrometheus << " is not installed (apt-get install prometheus)";
    ASSERT_TRUE(server_ && server_->error.empty()) << (server_ ? server_->error : "not started");
    dir_ = server_->dir;
  }

  // Waits, bounded, until Prometheus holds at least `scrapes` scrapes of itself in the last
  // 30 s with observations of its /metrics handler growing between them, then returns every
  // sample of the histogram in that range grouped by scrape timestamp (oldest first).
  std::map<std::int64_t, Scrape> scrapes(std::size_t wanted) {
    const std::string range = "{__name__=~\"" + kMetric + "_(bucket|sum|count)\"}[30s]";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::map<std::int64_t, Scrape> by_time;
    while (std::chrono::steady_clock::now() < until) {
      by_time.clear();
      const auto answer = server_->query(range);
      if (answer.is_object() && answer.value("status", "") == "success") {
        for (const auto& series : answer["data"]["result"]) {
          std::map<std::string, std::string> labels;
          std::string name;
          for (const auto& [k, v] : series["metric"].items()) {
            if (k == "__name__")
              name = v.get<std::string>();
            else
              labels[k] = v.get<std::string>();
          }
          for (const auto& point : series["values"]) {
            by_time[ms_of(point[0])].push_back({name, labels, point[1].get<std::string>()});
          }
        }
      }
      if (by_time.size() >= wanted)
        return by_time;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ADD_FAILURE() << "Prometheus did not hold " << wanted << " scrapes of itself within 60s";
    return by_time;
  }

  std::string write_page(const std::string& name, const Scrape& scrape) const {
    const std::string path = dir_ + "/" + name + ".prom";
    std::ofstream(path, std::ios::trunc) << page_of(scrape);
    return path;
  }

  // The single value of an instant query answering one element, or nullopt.
  std::optional<double> scalar_answer(const std::string& promql, std::int64_t at_ms) const {
    const auto answer = server_->query(promql, at_ms);
    if (!answer.is_object() || answer.value("status", "") != "success")
      return std::nullopt;
    const auto& result = answer["data"]["result"];
    if (!result.is_array() || result.size() != 1)
      return std::nullopt;
    return std::stod(result[0]["value"][1].get<std::string>());
  }

  static std::optional<double> metric(const Result& r, const std::string& name) {
    for (const auto& m : r.metrics()) {
      if (m.name == name)
        return m.value;
    }
    return std::nullopt;
  }

  static void expect_same(double mine, double theirs, const std::string& what) {
    EXPECT_NEAR(mine, theirs, 1e-9 * std::max(1.0, std::fabs(theirs)))
        << what << ": plugin " << mine << ", Prometheus " << theirs;
  }

  static std::unique_ptr<Server> server_;
  std::string dir_;
  LocalPlugin plugin_;
  FakeContext ctx_;
};

std::unique_ptr<Server> LatencyHistogramLive::server_;

const std::vector<std::pair<std::string, double>> kQuantiles = {
    {"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}};

TEST_F(LatencyHistogramLive, CumulativeQuantilesAreHistogramQuantileAtTheSameScrape) {
  const auto by_time = scrapes(3);
  ASSERT_GE(by_time.size(), 3u);
  const auto& [t, scrape] = *by_time.rbegin();
  const std::string page = write_page("cumulative", scrape);
  const Result r = plugin_
                       .check("latency_histogram", {{"file", page},
                                                    {"metric", kMetric},
                                                    {"mode", "cumulative"},
                                                    {"quantiles", "[0.5, 0.9, 0.95, 0.99]"}})
                       ->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  for (const auto& [name, q] : kQuantiles) {
    const auto theirs = scalar_answer(
        "histogram_quantile(" + std::to_string(q) + ", sum by (le) (" + kMetric + "_bucket))", t);
    ASSERT_TRUE(theirs.has_value()) << name << " at " << api_time(t);
    ASSERT_TRUE(metric(r, name).has_value()) << name;
    expect_same(*metric(r, name), *theirs, name + " at " + api_time(t));
  }
  const auto count = scalar_answer("sum(" + kMetric + "_count)", t);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(metric(r, "count"), count);
  const auto sum = scalar_answer("sum(" + kMetric + "_sum)", t);
  ASSERT_TRUE(sum.has_value());
  expect_same(*metric(r, "avg"), *sum / *count, "avg");
}

// One handler's series only, through the labels option: the /metrics handler, which every
// self-scrape observes once.
TEST_F(LatencyHistogramLive, SelectedSeriesQuantilesAreHistogramQuantileOfTheSameSelection) {
  const auto by_time = scrapes(3);
  ASSERT_GE(by_time.size(), 3u);
  const auto& [t, scrape] = *by_time.rbegin();
  const Result r = plugin_
                       .check("latency_histogram", {{"file", write_page("selected", scrape)},
                                                    {"metric", kMetric},
                                                    {"labels.handler", "/metrics"},
                                                    {"mode", "cumulative"}})
                       ->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  const auto theirs = scalar_answer(
      "histogram_quantile(0.95, sum by (le) (" + kMetric + "_bucket{handler=\"/metrics\"}))", t);
  ASSERT_TRUE(theirs.has_value());
  ASSERT_TRUE(metric(r, "p95").has_value());
  expect_same(*metric(r, "p95"), *theirs, "p95 of handler=/metrics");
}

TEST_F(LatencyHistogramLive, IncreaseQuantilesAreHistogramQuantileOfTheDifferenceOfTwoScrapes) {
  // Five scrapes apart: the /metrics handler alone has observed at least four requests.
  const auto by_time = scrapes(6);
  ASSERT_GE(by_time.size(), 6u);
  const auto t2 = by_time.rbegin()->first;
  const auto t1 = std::next(by_time.rbegin(), 5)->first;
  const std::string page1 = write_page("t1", by_time.at(t1));
  const std::string page2 = write_page("t2", by_time.at(t2));

  // One check object over one state store, its page file replaced in between, as two runs of a
  // configured check would scrape a page that moved on.
  const std::string page = dir_ + "/increase.prom";
  auto check =
      plugin_.check("latency_histogram",
                    {{"file", page}, {"metric", kMetric}, {"quantiles", "[0.5, 0.9, 0.95, 0.99]"}});
  std::filesystem::copy_file(page1, page, std::filesystem::copy_options::overwrite_existing);
  const Result first = check->run(ctx_);
  ASSERT_EQ(first.status(), Status::Unknown) << first.summary();
  ctx_.manual_clock().advance(std::chrono::milliseconds(t2 - t1));
  std::filesystem::copy_file(page2, page, std::filesystem::copy_options::overwrite_existing);
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();

  const std::string between = "sum by (le) (" + kMetric + "_bucket @ " + api_time(t2) +
                              ") - sum by (le) (" + kMetric + "_bucket @ " + api_time(t1) + ")";
  for (const auto& [name, q] : kQuantiles) {
    const auto theirs =
        scalar_answer("histogram_quantile(" + std::to_string(q) + ", " + between + ")", t2);
    ASSERT_TRUE(theirs.has_value())
        << name << " between " << api_time(t1) << " and " << api_time(t2);
    ASSERT_TRUE(metric(r, name).has_value()) << name;
    expect_same(*metric(r, name), *theirs,
                name + " between " + api_time(t1) + " and " + api_time(t2));
  }
  const auto count = scalar_answer("sum(" + kMetric + "_count @ " + api_time(t2) + ") - sum(" +
                                       kMetric + "_count @ " + api_time(t1) + ")",
                                   t2);
  ASSERT_TRUE(count.has_value());
  EXPECT_GE(*count, 4);
  EXPECT_EQ(metric(r, "count"), count);
}

}  // namespace
