#include <gtest/gtest.h>

#include "vigil/sdk/option_text.hpp"

namespace vigil::sdk {
namespace {

std::vector<OptionSpec> schema() {
  return {
      {"url", OptionType::String, OptionType::String, true, std::nullopt, "", false},
      {"timeout", OptionType::Duration, OptionType::String, false, "10s", "", false},
      {"max_body", OptionType::Size, OptionType::String, false, "1MiB", "", false},
      {"expect_status", OptionType::List, OptionType::String, false, "[200-299]", "", false},
      {"quantiles", OptionType::List, OptionType::Double, false, "[0.5, 0.95]", "", false},
      {"headers", OptionType::Map, OptionType::String, false, std::nullopt, "", false},
      {"verify", OptionType::Bool, OptionType::String, false, "true", "", false},
  };
}

TEST(ResolveTextOptions, DefaultsAndTypes) {
  std::vector<TextOptionError> errors;
  auto o = resolve_text_options(schema(), {{"url", "http://x"}}, errors);
  ASSERT_TRUE(errors.empty()) << errors[0].message;
  EXPECT_EQ(o.string("url"), "http://x");
  EXPECT_EQ(o.duration("timeout"), std::chrono::seconds(10));
  EXPECT_EQ(o.size("max_body"), 1048576u);
  EXPECT_EQ(o.strings("expect_status"), std::vector<std::string>{"200-299"});
  EXPECT_EQ(o.numbers("quantiles"), (std::vector<double>{0.5, 0.95}));
  EXPECT_TRUE(o.flag("verify"));
  EXPECT_FALSE(o.has("headers"));
}

TEST(ResolveTextOptions, ListsByRepetitionOrFlowAndMapsByDots) {
  std::vector<TextOptionError> errors;
  auto o = resolve_text_options(schema(),
                                {{"url", "u"},
                                 {"expect_status", "200"},
                                 {"expect_status", "301"},
                                 {"quantiles", "[0.99]"},
                                 {"headers.Accept", "text/plain"},
                                 {"headers", "{X-A: 1, 'X-B': 'a,b'}"}},
                                errors);
  ASSERT_TRUE(errors.empty()) << errors[0].message;
  EXPECT_EQ(o.strings("expect_status"), (std::vector<std::string>{"200", "301"}));
  EXPECT_EQ(o.numbers("quantiles"), std::vector<double>{0.99});
  auto headers = o.string_map("headers");
  // The flow form replaces the whole map, as a later YAML key would.
  EXPECT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers["X-B"], "a,b");
}

TEST(ResolveTextOptions, ReportsEveryProblem) {
  std::vector<TextOptionError> errors;
  resolve_text_options(schema(),
                       {{"timeout", "soon"}, {"bogus", "1"}, {"quantiles", "[0.5, high]"}}, errors);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].message,
            "option 'timeout': expected a duration like 250ms, 30s, 5m or 48h, got \"soon\"");
  EXPECT_EQ(errors[1].option, "bogus");
  EXPECT_NE(errors[1].message.find("known: url, timeout"), std::string::npos);
  EXPECT_EQ(errors[2].message, "option 'quantiles': expected a number, got \"high\"");
  EXPECT_EQ(errors[3].message, "missing required option 'url'");
}

TEST(Options, ReadingAnUndeclaredOptionIsAConfigError) {
  Options o;
  EXPECT_THROW(o.string("nothing"), ConfigError);
}

}  // namespace
}  // namespace vigil::sdk
