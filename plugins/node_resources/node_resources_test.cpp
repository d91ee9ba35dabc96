#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <vigil/sdk/scrape.hpp>
#include <vigil/sdk/testing.hpp>

#include "node_figures.hpp"

namespace {

namespace node = vigil::node_resources;
using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;

const char* const kProcStat =
    "cpu  4705 150 1120 16250 520 0 30 25 40 0\n"
    "cpu0 2350 75 560 8125 260 0 15 12 20 0\n"
    "intr 114930548 113199788 3 0 5 263 0 4 [...]\n";

const char* const kMeminfo =
    "MemTotal:       16318016 kB\n"
    "MemFree:         6186420 kB\n"
    "MemAvailable:   12238512 kB\n"
    "Buffers:          413964 kB\n";

std::optional<double> metric(const Result& r, const std::string& name,
                             const std::string& mount = {}) {
  for (const auto& m : r.metrics()) {
    if (m.name == name && (mount.empty() || m.labels.at("mount") == mount))
      return m.value;
  }
  return std::nullopt;
}

TEST(NodeFigures, ProcStatBusyIsAllButIdleAndIowait) {
  const auto t = node::parse_proc_stat(kProcStat);
  ASSERT_TRUE(t);
  // guest (40) is inside user already and is not added again
  EXPECT_EQ(t->total, 4705 + 150 + 1120 + 16250 + 520 + 0 + 30 + 25);
  EXPECT_EQ(t->busy, t->total - 16250 - 520);
  EXPECT_FALSE(node::parse_proc_stat("cpu0 1 2 3 4\n"));
  EXPECT_FALSE(node::parse_proc_stat("cpu  1 2"));
}

TEST(NodeFigures, MeminfoInBytes) {
  const auto m = node::parse_meminfo(kMeminfo);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->total_bytes, 16318016ull * 1024);
  EXPECT_EQ(m->available_bytes, 12238512ull * 1024);
  // Linux before 3.14 has no MemAvailable: no guessing from MemFree
  EXPECT_FALSE(node::parse_meminfo("MemTotal: 100 kB\nMemFree: 50 kB\n"));
}

TEST(NodeFigures, Loadavg) {
  const auto l = node::parse_loadavg("0.52 0.40 1.33 2/345 6789\n");
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ(l->load1, 0.52);
  EXPECT_DOUBLE_EQ(l->load5, 0.40);
  EXPECT_DOUBLE_EQ(l->load15, 1.33);
  EXPECT_FALSE(node::parse_loadavg("0.52 x"));
}

TEST(NodeFigures, DfUsedPercentRoundsUpAndLeavesOutTheRootReserve) {
  // 1000 blocks, 400 free of which 50 reserved for root: used 600 of 600 + 350
  EXPECT_EQ(node::df_used_percent({1000, 400, 350}), 64);  // 63.16 rounded up, as df does
  EXPECT_EQ(node::df_used_percent({1000, 500, 500}), 50);  // exact stays exact
  EXPECT_EQ(node::df_used_percent({1000, 50, 0}), 100);    // only root's reserve left
  EXPECT_EQ(node::df_used_percent({0, 0, 0}), 0);
}

TEST(NodeFigures, LocalReaderReadsAProcRoot) {
  const std::string root = ::testing::TempDir() + "node_resources_proc";
  std::filesystem::create_directories(root);
  std::ofstream(root + "/stat") << kProcStat;
  std::ofstream(root + "/meminfo") << kMeminfo;
  std::ofstream(root + "/loadavg") << "1.00 2.00 3.00 1/2 3\n";
  node::LocalReader reader(root);
  std::string error;
  ASSERT_TRUE(reader.cpu(error)) << error;
  ASSERT_TRUE(reader.memory(error)) << error;
  EXPECT_EQ(reader.load(error)->load15, 3.0);
  std::filesystem::remove(root + "/loadavg");
  EXPECT_FALSE(reader.load(error));
  EXPECT_EQ(error, "cannot open " + root + "/loadavg: No such file or directory");
  std::filesystem::remove_all(root);
}

TEST(NodeFigures, DiskRefusesAPathThatIsNotAMountPoint) {
  std::string error;
  EXPECT_FALSE(node::LocalReader::disk("/no/such/mount", error));
  EXPECT_EQ(error, "/no/such/mount: No such file or directory");
  const auto root = node::LocalReader::disk("/", error);
  ASSERT_TRUE(root) << error;
  struct statvfs vfs {};
  ASSERT_EQ(::statvfs("/", &vfs), 0);
  EXPECT_EQ(root->size, vfs.f_blocks);
  // /proc/self is a directory on the proc filesystem, not where one is mounted
  if (!node::LocalReader::disk("/proc/self", error)) {
    EXPECT_EQ(error, "/proc/self is not a mount point");
  }
}

TEST(NodeFigures, ExporterPageSumsCpusByModeAndFindsMountPoints) {
  node::ExporterPage page({"/", "/data"});
  const std::string text =
      "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 100\n"
      "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 10\n"
      "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 30\n"
      "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 120\n"
      "node_cpu_seconds_total{cpu=\"1\",mode=\"system\"} 20\n"
      "node_memory_MemAvailable_bytes 2.5e+09\n"
      "node_memory_MemTotal_bytes 1e+10\n"
      "node_filesystem_avail_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} 350\n"
      "node_filesystem_free_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} 400\n"
      "node_filesystem_size_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} 1000\n"
      "node_filesystem_size_bytes{device=\"/dev/sdb1\",fstype=\"ext4\",mountpoint=\"/data\"} 9\n"
      "node_load1 0.5\nnode_load5 0.25\nnode_load15 0.125\n";
  auto visitor = vigil::sdk::exposition::on_samples([&](const auto& sample) { page.add(sample); });
  ASSERT_FALSE(vigil::sdk::exposition::parse(text, visitor));
  ASSERT_TRUE(page.cpu());
  EXPECT_EQ(page.cpu()->total, 280);
  EXPECT_EQ(page.cpu()->busy, 50);
  EXPECT_EQ(page.memory()->available_bytes, 2500000000u);
  EXPECT_EQ(node::df_used_percent(*page.disk("/")), 64);
  EXPECT_FALSE(page.disk("/data"));  // free and avail missing
  EXPECT_EQ(page.load()->load15, 0.125);
}

class NodeResources : public ::testing::Test {
 protected:
  LocalPlugin plugin_;
  FakeContext ctx_;
};

TEST_F(NodeResources, FirstRunSamplesCpuTwiceAndReportsEveryFigure) {
  auto check = plugin_.check("node_resources", {});
  const Result r = check->run(ctx_);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  for (const char* name : {"cpu_percent", "memory_used_percent", "memory_available_bytes",
                           "memory_available_percent", "load1", "load5", "load15"}) {
    EXPECT_TRUE(metric(r, name)) << name;
  }
  EXPECT_GE(*metric(r, "cpu_percent"), 0);
  EXPECT_LE(*metric(r, "cpu_percent"), 100);
  EXPECT_NEAR(*metric(r, "memory_used_percent") + *metric(r, "memory_available_percent"), 100,
              1e-9);
  ASSERT_TRUE(metric(r, "disk_used_percent", "/"));
  EXPECT_TRUE(ctx_.state().get("cpu_times"));
}

TEST_F(NodeResources, LaterRunsTakeCpuFromThePreviousRunWithoutWaiting) {
  auto check = plugin_.check("node_resources", {});
  check->run(ctx_);
  // A busy loop between runs, so CPU time passes for sure.
  volatile double sink = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(50))
    sink = sink + 1;
  const auto before = std::chrono::steady_clock::now();
  const Result r = check->run(ctx_);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(100));
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  EXPECT_GT(*metric(r, "cpu_percent"), 0);
}

TEST_F(NodeResources, ZeroCpuWindowLeavesCpuOutOfAFirstRunInsteadOfWaiting) {
  auto check = plugin_.check("node_resources", {{"cpu_window", "0s"}});
  const auto before = std::chrono::steady_clock::now();
  const Result first = check->run(ctx_);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(100));
  ASSERT_EQ(first.status(), Status::Ok) << first.summary();
  EXPECT_FALSE(metric(first, "cpu_percent"));
  EXPECT_TRUE(metric(first, "memory_available_percent"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const Result second = check->run(ctx_);
  ASSERT_EQ(second.status(), Status::Ok) << second.summary();
  EXPECT_TRUE(metric(second, "cpu_percent"));
}

TEST_F(NodeResources, StopRequestedSkipsTheSecondCpuReading) {
  auto check = plugin_.check("node_resources", {});
  ctx_.request_stop();
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "stopped before the second CPU reading");
  EXPECT_TRUE(metric(r, "memory_available_bytes"));
}

TEST_F(NodeResources, AMissingMountIsUnknownAndTheRestIsStillReported) {
  auto check = plugin_.check("node_resources", {{"mounts", "[/, /no/such/mount]"}});
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "/no/such/mount: No such file or directory");
  EXPECT_TRUE(metric(r, "disk_used_percent", "/"));
  EXPECT_TRUE(metric(r, "cpu_percent"));
}

TEST_F(NodeResources, AnUnreachableUrlIsUnknown) {
#if !defined(VIGIL_NODE_RESOURCES_URL_SCRAPE)
  GTEST_SKIP() << "built without libcurl";
#endif
  // The http client part, url_scrape.so, is loaded here, as the plugin loads it.
  // port 9 (discard) on loopback: nothing listens in a test environment
  auto check = plugin_.check("node_resources", {{"url", "http://127.0.0.1:9/metrics"}});
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_NE(r.summary().find("http://127.0.0.1:9/metrics"), std::string::npos) << r.summary();
  EXPECT_TRUE(r.metrics().empty());
}

TEST_F(NodeResources, RefusesOptionsThatMakeNoSense) {
  using vigil::sdk::ConfigError;
  EXPECT_THROW(plugin_.check("node_resources", {{"mounts", "[data]"}}), ConfigError);
  EXPECT_THROW(plugin_.check("node_resources", {{"url", "localhost:9100"}}), ConfigError);
}

}  // namespace
