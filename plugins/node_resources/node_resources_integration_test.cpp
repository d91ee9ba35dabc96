// node_resources compared with a real node_exporter on the same host: the local figures (from
// /proc and statvfs) against the same figures read through the plugin's url mode.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <vigil/sdk/testing.hpp>

#include "testing/local_server.hpp"

namespace {

using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
namespace support = vigil::testing_support;

const std::string kNodeExporter = "/usr/bin/prometheus-node-exporter";

std::optional<double> metric(const Result& r, const std::string& name,
                             const std::string& mount = {}) {
  for (const auto& m : r.metrics()) {
    if (m.name == name && (mount.empty() || m.labels.at("mount") == mount))
      return m.value;
  }
  return std::nullopt;
}

class NodeResourcesVersusNodeExporter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!support::executable(kNodeExporter))
      GTEST_SKIP() << kNodeExporter
                   << " is not installed (apt-get install prometheus-node-exporter)";
    const int port = support::free_loopback_port();
    ASSERT_GT(port, 0);
    url_ = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
    exporter_ = std::make_unique<support::ChildProcess>(
        support::node_exporter_argv(kNodeExporter, port),
        ::testing::TempDir() + "node_exporter_" + std::to_string(port) + ".log");
    ASSERT_TRUE(support::wait_until_ready(url_, std::chrono::seconds(20)))
        << "node_exporter did not answer on " << url_;
  }

  std::string url_;
  std::unique_ptr<support::ChildProcess> exporter_;
  LocalPlugin plugin_;
  FakeContext ctx_;
};

TEST_F(NodeResourcesVersusNodeExporter, SameFiguresLocallyAndThroughTheExporter) {
  auto local = plugin_.check("node_resources", {});
  auto remote = plugin_.check("node_resources", {{"url", url_}});
  const Result mine = local->run(ctx_);
  FakeContext remote_ctx;
  const Result theirs = remote->run(remote_ctx);
  ASSERT_EQ(mine.status(), Status::Ok) << mine.summary();
  ASSERT_EQ(theirs.status(), Status::Ok) << theirs.summary();

  EXPECT_NEAR(*metric(mine, "memory_available_percent"),
              *metric(theirs, "memory_available_percent"), 3.0);
  EXPECT_NEAR(*metric(mine, "memory_used_percent"), *metric(theirs, "memory_used_percent"), 3.0);
  EXPECT_NEAR(*metric(mine, "disk_used_percent", "/"), *metric(theirs, "disk_used_percent", "/"),
              1.0);
  // load averages move by little within a second; a burst of other work may still move load1
  EXPECT_NEAR(*metric(mine, "load1"), *metric(theirs, "load1"), 1.0);
  EXPECT_NEAR(*metric(mine, "load5"), *metric(theirs, "load5"), 0.5);
  EXPECT_NEAR(*metric(mine, "load15"), *metric(theirs, "load15"), 0.3);
  for (const Result* r : {&mine, &theirs}) {
    EXPECT_GE(*metric(*r, "cpu_percent"), 0);
    EXPECT_LE(*metric(*r, "cpu_percent"), 100);
  }
}

TEST_F(NodeResourcesVersusNodeExporter, SecondScrapeTakesCpuFromTheStateStore) {
  auto remote = plugin_.check("node_resources", {{"url", url_}});
  ASSERT_EQ(remote->run(ctx_).status(), Status::Ok);
  // CPU time ticks in 10 ms steps: two scrapes a millisecond apart may see the same counters,
  // and then the check rightly takes a second reading.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto before = std::chrono::steady_clock::now();
  const Result second = remote->run(ctx_);
  ASSERT_EQ(second.status(), Status::Ok) << second.summary();
  // no 200 ms second reading this time (the exporter's counters moved in between)
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(190));
  EXPECT_TRUE(metric(second, "cpu_percent"));
}

TEST_F(NodeResourcesVersusNodeExporter, AMountTheExporterDoesNotReportIsUnknown) {
  auto remote = plugin_.check("node_resources", {{"url", url_}, {"mounts", "[/, /no/such]"}});
  const Result r = remote->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "no filesystem mounted at /no/such on " + url_);
  EXPECT_TRUE(metric(r, "disk_used_percent", "/"));
}

}  // namespace
