// http_probe against a real Alertmanager's /api/v2/status, the seed protocol's Alertmanager
// check (configs/vigil.yaml), started on 127.0.0.1 by the test. With clustering disabled, as a
// single Alertmanager runs, cluster.status is "disabled" (a clustered one says "ready").
#include <gtest/gtest.h>

#include <string>

#include <vigil/sdk/testing.hpp>

#include "alertmanager_server.hpp"

namespace {

using vigil::sdk::Result;
using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using vigil::testing_support::AlertmanagerServer;

TEST(HttpProbeAlertmanager, StatusIsOkWhileUpAndCriticalOnceStopped) {
  if (!AlertmanagerServer::installed()) {
    GTEST_SKIP() << AlertmanagerServer::kBinary
                 << " is not installed (apt-get install prometheus-alertmanager)";
  }
  AlertmanagerServer alertmanager;
  ASSERT_TRUE(alertmanager.error().empty()) << alertmanager.error();
  const std::string url = alertmanager.url() + "/api/v2/status";
  LocalPlugin plugin;
  FakeContext ctx("alertmanager");

  // As the seed writes it: the status API answers.
  const Result seed = plugin.check("http_probe", {{"url", url}})->run(ctx);
  EXPECT_EQ(seed.status(), Status::Ok) << seed.summary();

  const auto probe =
      plugin.check("http_probe", {{"url", url}, {"json_expect.cluster.status", "disabled"}});
  const Result up = probe->run(ctx);
  EXPECT_EQ(up.status(), Status::Ok) << up.summary();

  // The same expectation a clustered deployment would write fails here, naming what it got.
  const Result clustered =
      plugin.check("http_probe", {{"url", url}, {"json_expect.cluster.status", "ready"}})->run(ctx);
  EXPECT_EQ(clustered.status(), Status::Critical);
  EXPECT_EQ(clustered.summary(),
            url + ": json cluster.status: got \"disabled\", expected \"ready\"");

  alertmanager.stop();
  const Result down = probe->run(ctx);
  EXPECT_EQ(down.status(), Status::Critical);
  EXPECT_EQ(down.summary(), url + ": connection refused");
}

}  // namespace
