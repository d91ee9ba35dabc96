#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <vigil/sdk/testing.hpp>

namespace {

using vigil::sdk::Status;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;

TEST(FileAge, ReportsAgeFromTheInjectedClock) {
  const std::string path = ::testing::TempDir() + "file_age_probe";
  std::ofstream(path) << "hello";
  LocalPlugin plugin;
  auto check = plugin.check("file_age", {{"path", path}});
  FakeContext ctx;
  ctx.manual_clock().set(std::chrono::system_clock::now() + std::chrono::hours(2));
  auto result = check->run(ctx);
  EXPECT_EQ(result.status(), Status::Ok);
  ASSERT_EQ(result.metrics().size(), 2u);
  EXPECT_EQ(result.metrics()[0].name, "age_seconds");
  EXPECT_NEAR(result.metrics()[0].value, 7200, 60);
  EXPECT_EQ(result.metrics()[1].value, 5);
  std::remove(path.c_str());
}

TEST(FileAge, MissingFileIsCriticalUnlessAllowed) {
  LocalPlugin plugin;
  FakeContext ctx;
  auto strict = plugin.check("file_age", {{"path", "/nonexistent/vigil-example"}});
  EXPECT_EQ(strict->run(ctx).status(), Status::Critical);
  auto lenient =
      plugin.check("file_age", {{"path", "/nonexistent/vigil-example"}, {"missing_ok", "yes"}});
  EXPECT_EQ(lenient->run(ctx).status(), Status::Ok);
}

TEST(FileAge, RejectsBadOptionsBeforeConstruction) {
  LocalPlugin plugin;
  EXPECT_THROW(plugin.check("file_age", {}), std::runtime_error);  // path is required
  EXPECT_THROW(plugin.check("file_age", {{"path", "/x"}, {"missing_ok", "perhaps"}}),
               std::runtime_error);
  EXPECT_THROW(plugin.check("file_age", {{"path", ""}}), vigil::sdk::ConfigError);
}

}  // namespace
