// prometheus_query against a real Prometheus (scraping itself and a real node_exporter), each
// answer compared with what the HTTP API says directly.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
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
const std::string kNodeExporter = "/usr/bin/prometheus-node-exporter";

// One Prometheus and one node_exporter for the whole suite: starting Prometheus and waiting
// for its first scrapes takes seconds.
struct Servers {
  std::string dir;
  std::string prometheus_url;
  std::unique_ptr<support::ChildProcess> node_exporter;
  std::unique_ptr<support::ChildProcess> prometheus;
  std::string error;  // why they could not be started, when they could not

  ~Servers() {
    prometheus.reset();
    node_exporter.reset();
    if (!dir.empty())
      std::filesystem::remove_all(dir);
  }
};

std::string query_url(const std::string& server, const std::string& query) {
  std::string escaped;
  for (const unsigned char c : query) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
      escaped += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      escaped += buf;
    }
  }
  return server + "/api/v1/query?query=" + escaped;
}

nlohmann::json api(const std::string& server, const std::string& query) {
  std::string body;
  support::http_get(query_url(server, query), body);
  return nlohmann::json::parse(body, nullptr, false);
}

std::unique_ptr<Servers> start_servers() {
  auto s = std::make_unique<Servers>();
  char pattern[] = "/tmp/vigil_prometheus_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    s->error = "cannot make a temporary directory";
    return s;
  }
  s->dir = pattern;
  const int node_port = support::free_loopback_port();
  const int prometheus_port = support::free_loopback_port();
  s->node_exporter = std::make_unique<support::ChildProcess>(
      support::node_exporter_argv(kNodeExporter, node_port), s->dir + "/node_exporter.log");
  std::ofstream(s->dir + "/prometheus.yml")
      << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         "scrape_configs:\n"
         "  - job_name: prometheus\n"
         "    static_configs: [{targets: ['127.0.0.1:"
      << prometheus_port
      << "']}]\n"
         "  - job_name: node\n"
         "    static_configs: [{targets: ['127.0.0.1:"
      << node_port << "']}]\n";
  s->prometheus = std::make_unique<support::ChildProcess>(
      std::vector<std::string>{kPrometheus, "--config.file=" + s->dir + "/prometheus.yml",
                               "--storage.tsdb.path=" + s->dir + "/data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
      s->dir + "/prometheus.log");
  s->prometheus_url = "http://127.0.0.1:" + std::to_string(prometheus_port);
  if (!support::wait_until_ready(s->prometheus_url + "/-/ready", std::chrono::seconds(60))) {
    s->error = "Prometheus did not become ready; see " + s->dir + "/prometheus.log";
    return s;
  }
  // Ready is not yet scraped: wait, bounded, until both targets have reported up == 1.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    const auto answer = api(s->prometheus_url, "sum(up)");
    const auto& result = answer["data"]["result"];
    if (result.is_array() && result.size() == 1 && result[0]["value"][1] == "2")
      return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  s->error = "Prometheus did not scrape both targets within 30s";
  return s;
}

class PrometheusQueryLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (support::executable(kPrometheus) && support::executable(kNodeExporter))
      servers_ = start_servers();
  }
  static void TearDownTestSuite() { servers_.reset(); }

  void SetUp() override {
    if (!support::executable(kPrometheus) || !support::executable(kNodeExporter)) {
      GTEST_SKIP() << kPrometheus << " or " << kNodeExporter
                   << " is not installed (apt-get install prometheus prometheus-node-exporter)";
    }
    ASSERT_TRUE(servers_ && servers_->error.empty())
        << (servers_ ? servers_->error : "not started");
  }

  Result query(const std::string& promql,
               std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("url", servers_->prometheus_url);
    extra.emplace_back("query", promql);
    return plugin_.check("prometheus_query", extra)->run(ctx_);
  }

  static std::unique_ptr<Servers> servers_;
  LocalPlugin plugin_;
  FakeContext ctx_;
};

std::unique_ptr<Servers> PrometheusQueryLive::servers_;

TEST_F(PrometheusQueryLive, UpIsOneMetricPerTargetAsTheApiSays) {
  const Result r = query("up", {{"metric_name", "up"}});
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  std::map<std::string, double> mine;
  for (const auto& m : r.metrics()) {
    EXPECT_EQ(m.name, "up");
    mine[m.labels.at("job")] = m.value;
  }
  std::map<std::string, double> theirs;
  const auto answer = api(servers_->prometheus_url, "up");
  for (const auto& element : answer["data"]["result"]) {
    theirs[element["metric"]["job"].get<std::string>()] =
        std::stod(element["value"][1].get<std::string>());
  }
  EXPECT_EQ(mine, theirs);
  EXPECT_EQ(mine, (std::map<std::string, double>{{"node", 1}, {"prometheus", 1}}));
}

// The brief's scalar(1+1) is itself an error in PromQL (scalar() takes an instant vector), so
// the scalars here are a literal expression and scalar() of a vector.
TEST_F(PrometheusQueryLive, ScalarsAsTheApiSays) {
  for (const std::string promql : {"1+1", "scalar(sum(up))"}) {
    const Result r = query(promql);
    ASSERT_EQ(r.status(), Status::Ok) << promql << ": " << r.summary();
    ASSERT_EQ(r.metrics().size(), 1u);
    const auto answer = api(servers_->prometheus_url, promql);
    EXPECT_EQ(answer["data"]["resultType"], "scalar");
    EXPECT_EQ(r.metrics()[0].value, std::stod(answer["data"]["result"][1].get<std::string>()));
    EXPECT_EQ(r.metrics()[0].value, 2) << promql;
  }
  const Result not_scalar = query("scalar(1+1)");
  EXPECT_EQ(not_scalar.status(), Status::Unknown);
  EXPECT_EQ(not_scalar.summary().rfind("bad_data: ", 0), 0u) << not_scalar.summary();
}

TEST_F(PrometheusQueryLive, ABadQueryIsUnknownWithPrometheusOwnError) {
  const Result r = query("bad((");
  EXPECT_EQ(r.status(), Status::Unknown);
  const auto answer = api(servers_->prometheus_url, "bad((");
  ASSERT_EQ(answer["status"], "error");
  EXPECT_EQ(r.summary(),
            answer["errorType"].get<std::string>() + ": " + answer["error"].get<std::string>());
}

TEST_F(PrometheusQueryLive, AnEmptyVectorIsUnknownUnlessAllowed) {
  const std::string none = "up{job=\"no-such-job\"}";
  ASSERT_TRUE(api(servers_->prometheus_url, none)["data"]["result"].empty());
  const Result strict = query(none);
  EXPECT_EQ(strict.status(), Status::Unknown);
  EXPECT_EQ(strict.summary(), "query returned no series");
  EXPECT_EQ(query(none, {{"empty_ok", "true"}}).status(), Status::Ok);
}

TEST_F(PrometheusQueryLive, ARangeQueryIsRefused) {
  const Result r = query("up[1m]");
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "query returns a matrix; use an instant vector");
}

}  // namespace
