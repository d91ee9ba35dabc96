#include <gtest/gtest.h>

#include <stdexcept>

#include "vigil/sdk/plugin.hpp"
#include "vigil/sdk/testing.hpp"

namespace vigil::sdk {
namespace {

TEST(Result, SummaryIsOneLine) {
  auto r = Result::critical("line one\nline two");
  EXPECT_EQ(r.summary(), "line one line two");
}

TEST(Result, EscalateNeverLowers) {
  auto r = Result::critical("down");
  r.escalate(Status::Warning, "slow");
  EXPECT_EQ(r.status(), Status::Critical);
  EXPECT_EQ(r.summary(), "down; slow");
}

TEST(Status, WorstRanksCriticalOverWarningOverUnknown) {
  EXPECT_EQ(worst(Status::Ok, Status::Unknown), Status::Unknown);
  EXPECT_EQ(worst(Status::Unknown, Status::Warning), Status::Warning);
  EXPECT_EQ(worst(Status::Critical, Status::Warning), Status::Critical);
  EXPECT_EQ(static_cast<int>(Status::Unknown), 3);
}

class Thrower final : public Check {
 public:
  Result run(Context&) override { throw std::runtime_error("disk on fire"); }
};

class RefusesOptions final : public Check {
 public:
  explicit RefusesOptions(const Options&) { throw ConfigError("url", "url and targets conflict"); }
  Result run(Context&) override { return Result::ok("unreachable"); }
};

TEST(Adapter, ExceptionsBecomeUnknownInsideThePlugin) {
  detail::TypedFactory<Thrower, CheckFactory, CheckRunner, detail::CheckAdapter> factory(
      TypeInfo{PluginKind::Check, "thrower", "", {}});
  auto created = factory.create(Options{});
  ASSERT_TRUE(created.instance);
  testing::FakeContext ctx;
  auto r = created.instance->run(ctx);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(), "check failed with an exception: disk on fire");
}

TEST(Adapter, ConstructorConfigErrorsComeBackAsData) {
  detail::TypedFactory<RefusesOptions, CheckFactory, CheckRunner, detail::CheckAdapter> factory(
      TypeInfo{PluginKind::Check, "refuses", "", {}});
  auto created = factory.create(Options{});
  EXPECT_FALSE(created.instance);
  EXPECT_EQ(created.error_option, "url");
  EXPECT_EQ(created.error, "url and targets conflict");
}

}  // namespace
}  // namespace vigil::sdk

// testing.hpp declares the plugin entry point; this test binary is not a plugin.
extern "C" int vigil_plugin_init_v1(::vigil::sdk::Registry*, char*, size_t) noexcept {
  return 0;
}
