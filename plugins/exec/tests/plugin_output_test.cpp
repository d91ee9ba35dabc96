#include "plugin_output.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil::exec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(PluginOutput, SummaryOnly) {
  const auto out = split_plugin_output("OK - all fine\n");
  EXPECT_EQ(out.summary, "OK - all fine");
  EXPECT_THAT(out.long_output, IsEmpty());
  EXPECT_EQ(out.perfdata, "");
}

TEST(PluginOutput, SummaryAndPerfdataOnTheFirstLine) {
  const auto out = split_plugin_output("USERS OK - 0 users currently logged in |users=0;5;10;0");
  EXPECT_EQ(out.summary, "USERS OK - 0 users currently logged in");
  EXPECT_EQ(out.perfdata, "users=0;5;10;0");
}

// The example from the Monitoring Plugins development guidelines.
TEST(PluginOutput, LongOutputAndPerfdataSpreadOverLines) {
  const auto out = split_plugin_output(
      "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
      "/ 15272 MB (77%);\n"
      "/boot 68 MB (69%);\n"
      "/home 69357 MB (27%);\n"
      "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
      "/home=69357MB;253404;253409;0;253414 \n"
      "/var/log=818MB;970;975;0;980\n");
  EXPECT_EQ(out.summary, "DISK OK - free space: / 3326 MB (56%);");
  EXPECT_THAT(out.long_output, ElementsAre("/ 15272 MB (77%);", "/boot 68 MB (69%);",
                                           "/home 69357 MB (27%);", "/var/log 819 MB (84%);"));
  EXPECT_EQ(out.perfdata,
            "/=2643MB;5948;5958;0;5968 /boot=68MB;88;93;0;98 /home=69357MB;253404;253409;0;253414 "
            "/var/log=818MB;970;975;0;980");
}

TEST(PluginOutput, PerfdataCanStartAfterLongOutputWithoutAnyOnTheFirstLine) {
  const auto out = split_plugin_output("OK\nline one\n| a=1\nb=2\n");
  EXPECT_EQ(out.summary, "OK");
  EXPECT_THAT(out.long_output, ElementsAre("line one"));
  EXPECT_EQ(out.perfdata, "a=1 b=2");
}

TEST(PluginOutput, CarriageReturnsAndBlankLinesAreDropped) {
  const auto out = split_plugin_output("WARNING: x \r\n\r\nmore\r\n   \n last  \r\n");
  EXPECT_EQ(out.summary, "WARNING: x");
  EXPECT_THAT(out.long_output, ElementsAre("more", " last"));
}

TEST(PluginOutput, NoTrailingNewlineAndNoOutputAtAll) {
  EXPECT_EQ(split_plugin_output("CRITICAL | x=1").perfdata, "x=1");
  const auto empty = split_plugin_output("");
  EXPECT_EQ(empty.summary, "");
  EXPECT_THAT(empty.long_output, IsEmpty());
}

TEST(PluginOutput, PerfdataOnlyFirstLineLeavesAnEmptySummary) {
  const auto out = split_plugin_output("| a=1\n");
  EXPECT_EQ(out.summary, "");
  EXPECT_EQ(out.perfdata, "a=1");
}

TEST(PluginOutput, OnlyTheFirstBarOfALineSplitsIt) {
  // A second '|' is the perfdata's problem (a malformed item), not the text's.
  const auto out = split_plugin_output("OK | a=1 | b=2\n");
  EXPECT_EQ(out.summary, "OK");
  EXPECT_EQ(out.perfdata, "a=1 | b=2");
}

}  // namespace
}  // namespace vigil::exec
