// A GoogleTest program with one of each outcome, run by the integration test for the XML that
// --gtest_output=xml writes. It fails on purpose, so it is never registered with CTest.
#include <gtest/gtest.h>

#include <stdexcept>

namespace {

TEST(Arithmetic, Adds) {
  EXPECT_EQ(2, 1 + 1);
}

TEST(Arithmetic, FailsOnPurpose) {
  EXPECT_EQ(3, 1 + 1) << "a <deliberate> & \"quoted\" failure";
}

TEST(Arithmetic, SkipsAtRunTime) {
  GTEST_SKIP() << "not today";
}

TEST(Arithmetic, DISABLED_NeverRuns) {}

class SmallValue : public ::testing::TestWithParam<int> {};

TEST_P(SmallValue, IsBelowTwo) {
  EXPECT_LT(GetParam(), 2);
}

INSTANTIATE_TEST_SUITE_P(Values, SmallValue, ::testing::Values(0, 1, 5));

TEST(Throwing, ThrowsAnException) {
  throw std::runtime_error("boom");
}

}  // namespace
