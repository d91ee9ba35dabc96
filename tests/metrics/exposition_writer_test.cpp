// The text format itself: escaping, label names, values, families.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/metrics/exposition_writer.hpp"

namespace vigil::core {
namespace {

TEST(ExpositionWriter, EscapesLabelValuesAndHelpAsTheFormatSays) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_label_value("/var/log"), "/var/log");
  // HELP escapes backslash and newline, not quotes.
  EXPECT_EQ(escape_help("say \"hi\"\\\n"), "say \"hi\"\\\\\\n");
}

TEST(ExpositionWriter, MakesAnyTextAValidLabelName) {
  EXPECT_EQ(sanitize_label_name("mount"), "mount");
  EXPECT_EQ(sanitize_label_name("bad-name.x"), "bad_name_x");
  EXPECT_EQ(sanitize_label_name("9lives"), "_9lives");
  EXPECT_EQ(sanitize_label_name("__reserved"), "_reserved");
  EXPECT_EQ(sanitize_label_name("___x"), "_x");
  EXPECT_EQ(sanitize_label_name(""), "_");
  EXPECT_EQ(sanitize_label_name("größe"), "gr____e");  // each byte of ö and ß
}

TEST(ExpositionWriter, WritesValuesThatReadBackExactly) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(42), "42");
  EXPECT_EQ(format_sample_value(0.1), "0.1");
  EXPECT_EQ(format_sample_value(-2.5e-9), "-2.5e-09");
  EXPECT_EQ(format_sample_value(1764409200.123), "1764409200.123");
  EXPECT_EQ(std::stod(format_sample_value(1.0 / 3)), 1.0 / 3);
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(ExpositionWriter, HeadersWithTheFirstSampleEmptyLabelsLeftOutRepeatsDropped) {
  ExpositionWriter w;
  w.family("never_sampled", FamilyType::Gauge, "nothing");
  w.family("x_total", FamilyType::Counter, "Things.\nCounted.");
  w.sample({{"a", "1"}, {"b", ""}}, 3);
  w.sample({{"a", "1"}}, 4);  // the same series once the empty label is gone
  w.sample({{"a", "q\""}}, 5);
  w.family("y", FamilyType::Gauge, "Why");
  w.sample({}, 1);
  EXPECT_EQ(w.take(),
            "# HELP x_total Things.\\nCounted.\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"1\"} 3\n"
            "x_total{a=\"q\\\"\"} 5\n"
            "# HELP y Why\n"
            "# TYPE y gauge\n"
            "y 1\n");
}

}  // namespace
}  // namespace vigil::core
