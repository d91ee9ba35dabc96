#include "core/log/logging.hpp"

#include <gtest/gtest.h>

namespace vigil::core {
namespace {

TEST(Redact, ReplacesEverySecretOccurrence) {
  set_log_secrets({"hunter2-token", "s3cr3t"});
  EXPECT_EQ(redact("auth=hunter2-token; again hunter2-token; s3cr3t"), "auth=***; again ***; ***");
  set_log_secrets({});
}

TEST(Redact, ShortValuesAreLeftAlone) {
  set_log_secrets({"no", "5m", "443"});
  EXPECT_EQ(redact("noop every 5m on port 443"), "noop every 5m on port 443");
  set_log_secrets({});
}

TEST(ParseLogLevel, KnownNamesOnly) {
  EXPECT_EQ(parse_log_level("warning"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_FALSE(parse_log_level("loud"));
}

}  // namespace
}  // namespace vigil::core
