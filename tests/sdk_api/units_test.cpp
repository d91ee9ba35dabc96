#include <gtest/gtest.h>

#include <chrono>

#include "vigil/sdk/range.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::sdk {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsTheUnitsOperatorsWrite) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("48h"), milliseconds(172'800'000));
  EXPECT_EQ(parse_duration("2d"), milliseconds(172'800'000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration(" 10s "), milliseconds(10'000));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(ParseDuration, RefusesAmbiguousOrBrokenText) {
  EXPECT_FALSE(parse_duration("30"));  // seconds or milliseconds? refuse
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("ten"));
  EXPECT_FALSE(parse_duration("5 m"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("5y"));
  EXPECT_FALSE(parse_duration("99999999999999999h"));
}

TEST(ParseSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("1MiB"), 1048576u);
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("10kB"), 10000u);
  EXPECT_EQ(parse_size("2GB"), 2000000000u);
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_FALSE(parse_size("1XB"));
  EXPECT_FALSE(parse_size("MiB"));
}

TEST(ParseScalars, IntDoubleBool) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int("-7"), -7);
  EXPECT_FALSE(parse_int("4.2"));
  EXPECT_FALSE(parse_int("99999999999999999999"));
  EXPECT_EQ(parse_double("0.95"), 0.95);
  EXPECT_FALSE(parse_double("nan"));
  EXPECT_FALSE(parse_double("1e999"));
  EXPECT_EQ(parse_bool("yes"), true);
  EXPECT_EQ(parse_bool("false"), false);
  EXPECT_FALSE(parse_bool("maybe"));
}

TEST(RangeText, RoundTrips) {
  for (const char* text : {"10", "10:", "~:10", "10:20", "@10:20", "@~:5"}) {
    auto r = Range::parse(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->to_string(), text);
  }
  EXPECT_FALSE(Range::parse("20:10"));
  EXPECT_FALSE(Range::parse("a:b"));
}

}  // namespace
}  // namespace vigil::sdk
