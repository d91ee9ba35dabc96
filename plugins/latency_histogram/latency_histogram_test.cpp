#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <vigil/sdk/testing.hpp>

namespace {

using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using Options = std::vector<std::pair<std::string, std::string>>;

struct Series {
  std::string labels;                                   // `code="200"`
  std::vector<std::pair<std::string, double>> buckets;  // le -> cumulative count
  double sum = 0;
  double count = 0;
};

std::string page_of(const std::string& name, const std::vector<Series>& series) {
  std::string out = "# HELP " + name + " Request latency.\n# TYPE " + name + " histogram\n";
  for (const auto& s : series) {
    const std::string sep = s.labels.empty() ? "" : ",";
    for (const auto& [le, count] : s.buckets) {
      out +=
          name + "_bucket{" + s.labels + sep + "le=\"" + le + "\"} " + std::to_string(count) + "\n";
    }
    out += name + "_sum{" + s.labels + "} " + std::to_string(s.sum) + "\n";
    out += name + "_count{" + s.labels + "} " + std::to_string(s.count) + "\n";
  }
  return out + "# TYPE up gauge\nup 1\n";
}

// One series with the bounds of Prometheus's testhistogram: 0.1, 0.2, 1, +Inf.
Series series(double b01, double b02, double b1, double inf, double sum,
              std::string labels = "path=\"/api\"") {
  return Series{
      std::move(labels), {{"0.1", b01}, {"0.2", b02}, {"1", b1}, {"+Inf", inf}}, sum, inf};
}

class LatencyHistogram : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "latency_histogram_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".prom";
  }
  void TearDown() override { std::remove(path_.c_str()); }

  void write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }
  void write(const std::vector<Series>& s) { write(page_of(kName, s)); }

  Options options(Options extra) const {
    Options o = {{"file", path_}, {"metric", kName}};
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

  static constexpr const char* kName = "http_request_duration_seconds";
  std::string path_;
  LocalPlugin plugin_;
  FakeContext ctx_;
};

TEST_F(LatencyHistogram, CumulativeModeReportsQuantilesAverageAndCount) {
  write({series(50, 70, 110, 120, 30)});
  auto check = plugin_.check(
      "latency_histogram", options({{"mode", "cumulative"}, {"quantiles", "[0.5, 0.95, 0.999]"}}));
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  ASSERT_EQ(r.metrics().size(), 5u);
  EXPECT_EQ(r.metrics()[0].name, "p50");
  EXPECT_NEAR(r.metrics()[0].value, 0.15, 1e-12);
  EXPECT_EQ(r.metrics()[0].unit, "s");
  EXPECT_EQ(r.metrics()[1].name, "p95");
  EXPECT_EQ(r.metrics()[1].value, 1);  // the rank lies in +Inf: the highest finite bound
  EXPECT_EQ(r.metrics()[2].name, "p99.9");
  EXPECT_EQ(*metric(r, "avg"), 0.25);
  EXPECT_EQ(*metric(r, "count"), 120);
  EXPECT_EQ(r.summary(),
            "p50 0.15s, p95 1s, p99.9 1s, avg 0.25s over 120 observations since the process "
            "started");
}

TEST_F(LatencyHistogram, IncreaseModeWaitsForAWindowThenReportsTheIncrease) {
  write({series(10, 20, 30, 40, 10)});
  auto check = plugin_.check("latency_histogram", options({{"quantiles", "[0.5, 0.95]"}}));
  const Result first = check->run(ctx_);
  EXPECT_EQ(first.status(), Status::Unknown);
  EXPECT_EQ(first.summary(), "first scrape, no window yet");
  EXPECT_TRUE(first.metrics().empty());
  EXPECT_TRUE(has_detail(first, "since the process started: 40 observations, avg 0.25s"));

  // 60 s later the buckets grew by Prometheus's testhistogram at 50m (50, 70, 110, 120).
  ctx_.manual_clock().advance(std::chrono::seconds(60));
  write({series(60, 90, 140, 160, 40)});
  const Result second = check->run(ctx_);
  ASSERT_EQ(second.status(), Status::Ok) << second.summary();
  EXPECT_NEAR(*metric(second, "p50"), 0.15, 1e-12);
  EXPECT_EQ(*metric(second, "p95"), 1);
  EXPECT_EQ(*metric(second, "avg"), 0.25);
  EXPECT_EQ(*metric(second, "count"), 120);
  EXPECT_NE(second.summary().find("over 120 observations in the last 60s"), std::string::npos)
      << second.summary();
}

TEST_F(LatencyHistogram, CounterResetTakesTheCurrentValuesAsTheIncrease) {
  auto check = plugin_.check("latency_histogram", options({{"quantiles", "0.5"}}));
  write({series(60, 90, 140, 160, 40)});
  check->run(ctx_);
  ctx_.manual_clock().advance(std::chrono::seconds(30));
  write({series(5, 7, 11, 12, 3)});  // the service restarted
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_NEAR(*metric(r, "p50"), 0.15, 1e-12);
  EXPECT_EQ(*metric(r, "count"), 12);
  EXPECT_EQ(*metric(r, "avg"), 0.25);
  EXPECT_TRUE(has_detail(r, "counters were reset"));
}

TEST_F(LatencyHistogram, ABucketAloneDecreasingIsAResetToo) {
  auto check = plugin_.check("latency_histogram", options({{"quantiles", "0.5"}}));
  write({series(60, 90, 140, 160, 40)});
  check->run(ctx_);
  write({series(59, 95, 150, 170, 45)});
  const Result r = check->run(ctx_);
  EXPECT_EQ(*metric(r, "count"), 170);
  EXPECT_TRUE(has_detail(r, "counters were reset"));
}

TEST_F(LatencyHistogram, NoObservationsInTheWindowIsUnknown) {
  auto check = plugin_.check("latency_histogram", options({}));
  write({series(60, 90, 140, 160, 40)});
  check->run(ctx_);
  ctx_.manual_clock().advance(std::chrono::seconds(30));
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "no observations in the last 30s");
  EXPECT_EQ(*metric(r, "count"), 0);
  EXPECT_FALSE(metric(r, "p95"));
}

// Prometheus's request_duration_seconds fixtures at 50m, one series per code.
std::vector<Series> by_code() {
  auto s = [](const char* code, double b01, double b02, double inf) {
    return Series{std::string("code=\"") + code + "\"",
                  {{"0.1", b01}, {"0.2", b02}, {"+Inf", inf}},
                  0.1 * inf,
                  inf};
  };
  return {s("200", 10, 30, 40), s("201", 20, 50, 60), s("500", 30, 40, 60), s("404", 40, 70, 90)};
}

TEST_F(LatencyHistogram, LabelMatchersSelectSeriesAndMatchesAreSummedByLe) {
  write(by_code());
  const std::vector<std::pair<std::string, double>> cases = {
      {"~2..", 0.14},     // 200 + 201: histogram_quantile(0.5, sum by (le, job)) for job1
      {"!~2..", 0.1125},  // 500 + 404
      {"500", 0.1},       // one series
      {"!500", 0.13125},  // 200 + 201 + 404: 0.1 + 0.1 * 25/80
  };
  for (const auto& [matcher, want] : cases) {
    auto check = plugin_.check(
        "latency_histogram",
        options({{"mode", "cumulative"}, {"quantiles", "0.5"}, {"labels.code", matcher}}));
    const Result r = check->run(ctx_);
    ASSERT_EQ(r.status(), Status::Ok) << matcher << ": " << r.summary();
    EXPECT_NEAR(*metric(r, "p50"), want, 1e-12) << matcher;
  }
  auto all =
      plugin_.check("latency_histogram", options({{"mode", "cumulative"}, {"quantiles", "0.5"}}));
  const Result r = all->run(ctx_);
  EXPECT_NEAR(*metric(r, "p50"), 0.1277777777777778, 1e-12);
  EXPECT_EQ(*metric(r, "count"), 250);
  EXPECT_TRUE(has_detail(r, "4 series summed by le"));
}

TEST_F(LatencyHistogram, IncreaseModeSumsSeveralSeriesBeforeTheDelta) {
  auto check =
      plugin_.check("latency_histogram", options({{"quantiles", "0.5"}, {"labels.code", "~2.."}}));
  write(by_code());
  check->run(ctx_);
  auto grown = by_code();
  for (auto& s : grown) {
    for (auto& b : s.buckets)
      b.second *= 2;  // every bucket doubled: the increase is by_code()
    s.count *= 2;
    s.sum *= 2;
  }
  write(grown);
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_NEAR(*metric(r, "p50"), 0.14, 1e-12);
  EXPECT_EQ(*metric(r, "count"), 100);
}

TEST_F(LatencyHistogram, AcceptsTheBucketSeriesNameForTheMetric) {
  write({series(50, 70, 110, 120, 30)});
  auto check = plugin_.check(
      "latency_histogram",
      {{"file", path_}, {"metric", std::string(kName) + "_bucket"}, {"mode", "cumulative"}});
  EXPECT_EQ(check->run(ctx_).status(), Status::Ok);
}

TEST_F(LatencyHistogram, UnitIsSecondsOnlyForASecondsHistogram) {
  write(page_of("payload_bytes", {series(50, 70, 110, 120, 30)}));
  auto check = plugin_.check(
      "latency_histogram", {{"file", path_}, {"metric", "payload_bytes"}, {"mode", "cumulative"}});
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok);
  EXPECT_EQ(r.metrics()[0].unit, "");
}

TEST_F(LatencyHistogram, AMalformedPageIsUnknownWithLineAndReason) {
  write("# TYPE x histogram\nx_bucket{le=\"+Inf\"} 1\nx_bucket{code \"200\",le=\"1\"} 1\n");
  auto check = plugin_.check("latency_histogram", {{"file", path_}, {"metric", "x"}});
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), path_ + ": line 3: expected '=' after label name \"code\"");
  EXPECT_TRUE(r.metrics().empty());
}

TEST_F(LatencyHistogram, AMissingHistogramOrFileIsUnknown) {
  write({series(50, 70, 110, 120, 30)});
  auto other = plugin_.check("latency_histogram",
                             {{"file", path_}, {"metric", "rpc_seconds"}, {"labels.a", "b"}});
  const Result r = other->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(),
            "no histogram rpc_seconds_bucket{a=\"b\"} with an le=\"+Inf\" bucket on " + path_);
  auto missing =
      plugin_.check("latency_histogram", {{"file", "/nonexistent/m.prom"}, {"metric", "x"}});
  EXPECT_EQ(missing->run(ctx_).summary(),
            "cannot open /nonexistent/m.prom: No such file or directory");
}

TEST_F(LatencyHistogram, StateOfAnotherSelectionIsNotAWindow) {
  write(by_code());
  auto twos = plugin_.check("latency_histogram", options({{"labels.code", "~2.."}}));
  twos->run(ctx_);
  // Same state store (the same check reconfigured): the stored buckets belong to ~2.., so the
  // new selection starts over instead of subtracting them.
  auto fives = plugin_.check("latency_histogram", options({{"labels.code", "~5.."}}));
  EXPECT_EQ(fives->run(ctx_).summary(), "first scrape, no window yet");
}

TEST_F(LatencyHistogram, RefusesOptionsThatMakeNoSense) {
  using vigil::sdk::ConfigError;
  EXPECT_THROW(plugin_.check("latency_histogram", {{"metric", "x"}}), ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram",
                             {{"metric", "x"}, {"file", path_}, {"url", "http://127.0.0.1/"}}),
               ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", options({{"quantiles", "[0.5, 1.5]"}})),
               ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", options({{"quantiles", "[0.5, 0.50]"}})),
               ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", options({{"mode", "rate"}})), ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", options({{"labels.le", "0.1"}})), ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", options({{"labels.code", "~(2"}})), ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", {{"file", path_}, {"metric", "a-b"}}),
               ConfigError);
  EXPECT_THROW(plugin_.check("latency_histogram", options({{"quantiles", "[x]"}})),
               std::runtime_error);
}

#if defined(VIGIL_SDK_SCRAPE_WITH_CURL)

// Serves one canned HTTP response to one client on 127.0.0.1, then closes.
class OneResponseServer {
 public:
  explicit OneResponseServer(std::string response) : response_(std::move(response)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    socklen_t len = sizeof addr;
    if (::bind(listener_, sa, len) != 0 || ::listen(listener_, 1) != 0 ||
        ::getsockname(listener_, sa, &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    timeval limit{10, 0};  // a client that never comes must not hang the test
    ::setsockopt(listener_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneResponseServer() {
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/metrics"; }

 private:
  void serve() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0)
      return;
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::read(client, buf, sizeof buf);
      if (n <= 0)
        break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t sent = 0;
    while (sent < response_.size()) {
      const ssize_t n = ::write(client, response_.data() + sent, response_.size() - sent);
      if (n <= 0)
        break;
      sent += static_cast<std::size_t>(n);
    }
    ::close(client);
  }

  std::string response_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string http_response(const std::string& status, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST_F(LatencyHistogram, ScrapesAUrlStreamingTheBodyIntoTheParser) {
  // A page of ~1 MB, far more than one curl write callback, with the histogram at the end.
  std::string body;
  for (int i = 0; i < 20000; ++i)
    body += "filler_total{i=\"" + std::to_string(i) + "\"} 1\n";
  body += page_of(kName, {series(50, 70, 110, 120, 30)});
  OneResponseServer server(http_response("200 OK", body));
  auto check = plugin_.check("latency_histogram",
                             {{"url", server.url()}, {"metric", kName}, {"mode", "cumulative"}});
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_EQ(*metric(r, "p95"), 1);
}

TEST_F(LatencyHistogram, AnHttpErrorIsUnknownWithTheStatus) {
  OneResponseServer server(http_response("503 Service Unavailable", "down\n"));
  auto check = plugin_.check("latency_histogram", {{"url", server.url()}, {"metric", kName}});
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "HTTP 503 from " + server.url());
}

TEST_F(LatencyHistogram, ARefusedConnectionIsUnknownWithCurlsReason) {
  int port = 0;
  {
    // A port that was free a moment ago and has nobody listening now.
    OneResponseServer probe(http_response("200 OK", ""));
    port = std::stoi(probe.url().substr(17));
    // Connect once so that the probe server's thread finishes.
    auto check = plugin_.check("latency_histogram", {{"url", probe.url()}, {"metric", kName}});
    check->run(ctx_);
  }
  auto check = plugin_.check(
      "latency_histogram",
      {{"url", "http://127.0.0.1:" + std::to_string(port) + "/metrics"}, {"metric", kName}});
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_NE(r.summary().find("127.0.0.1"), std::string::npos) << r.summary();
}

#else

TEST_F(LatencyHistogram, UrlIsRefusedWithoutTheHttpClient) {
  EXPECT_THROW(plugin_.check("latency_histogram", {{"url", "http://127.0.0.1/"}, {"metric", "x"}}),
               vigil::sdk::ConfigError);
}

#endif

}  // namespace
