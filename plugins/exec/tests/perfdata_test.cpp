#include "perfdata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace vigil::exec {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Joins the notes so one EXPECT can look for a phrase in any of them.
std::string all_notes(const PerfdataParse& parsed) {
  std::string out;
  for (const auto& note : parsed.notes) {
    out += note + "\n";
  }
  return out;
}

TEST(Perfdata, FullItemFromCheckLoad) {
  const auto parsed = parse_perfdata("load1=0.250;5.000;10.000;0;");
  ASSERT_EQ(parsed.metrics.size(), 1u);
  EXPECT_THAT(parsed.notes, IsEmpty());
  const auto& m = parsed.metrics[0];
  EXPECT_EQ(m.name, "load1");
  EXPECT_DOUBLE_EQ(m.value, 0.25);
  EXPECT_EQ(m.unit, "");
  ASSERT_TRUE(m.warn && m.crit);
  EXPECT_DOUBLE_EQ(m.warn->start, 0);
  EXPECT_DOUBLE_EQ(m.warn->end, 5);
  EXPECT_DOUBLE_EQ(m.crit->end, 10);
  EXPECT_EQ(m.min, 0.0);
  EXPECT_FALSE(m.max);
}

TEST(Perfdata, CheckDiskItemWithBytesAndAllFields) {
  const auto parsed = parse_perfdata("/=17242783744B;216442024755;243497277849;0;270552530944");
  ASSERT_EQ(parsed.metrics.size(), 1u);
  const auto& m = parsed.metrics[0];
  EXPECT_EQ(m.name, "/");
  EXPECT_DOUBLE_EQ(m.value, 17242783744.0);
  EXPECT_EQ(m.unit, "B");
  EXPECT_DOUBLE_EQ(m.warn->end, 216442024755.0);
  EXPECT_EQ(m.max, 270552530944.0);
}

TEST(Perfdata, QuotedLabelsMayHoldSpacesEqualsAndDoubledQuotes) {
  const auto parsed = parse_perfdata("'a b'=1 'x=y'=2 'it''s'=3 '''quoted'''=4");
  ASSERT_EQ(parsed.metrics.size(), 4u) << all_notes(parsed);
  EXPECT_EQ(parsed.metrics[0].name, "a b");
  EXPECT_EQ(parsed.metrics[1].name, "x=y");
  EXPECT_EQ(parsed.metrics[2].name, "it's");
  EXPECT_EQ(parsed.metrics[3].name, "'quoted'");
}

TEST(Perfdata, UnitsOfMeasureFromTheGuidelinesAndOthersPassThrough) {
  const auto parsed = parse_perfdata(
      "a=1s b=2ms c=3us d=4% e=5B f=6KB g=7MB h=8GB i=9TB j=10c k=11 l=12KiB m=13bps");
  ASSERT_EQ(parsed.metrics.size(), 13u) << all_notes(parsed);
  const char* units[] = {"s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c", "", "KiB", "bps"};
  for (std::size_t i = 0; i < 13; ++i) {
    EXPECT_EQ(parsed.metrics[i].unit, units[i]) << parsed.metrics[i].name;
    EXPECT_DOUBLE_EQ(parsed.metrics[i].value, static_cast<double>(i + 1));
  }
}

TEST(Perfdata, EmptyAndMissingFieldsAreAbsent) {
  const auto parsed = parse_perfdata("a=1 b=2;;;; c=3;;7 d=4;;;0 e=5%;80;90");
  ASSERT_EQ(parsed.metrics.size(), 5u) << all_notes(parsed);
  EXPECT_THAT(parsed.notes, IsEmpty());
  for (const auto& m : {parsed.metrics[0], parsed.metrics[1]}) {
    EXPECT_FALSE(m.warn || m.crit || m.min || m.max) << m.name;
  }
  EXPECT_FALSE(parsed.metrics[2].warn);
  ASSERT_TRUE(parsed.metrics[2].crit);
  EXPECT_DOUBLE_EQ(parsed.metrics[2].crit->end, 7);
  EXPECT_EQ(parsed.metrics[3].min, 0.0);
  EXPECT_FALSE(parsed.metrics[3].max);
  EXPECT_DOUBLE_EQ(parsed.metrics[4].warn->end, 80);
  EXPECT_DOUBLE_EQ(parsed.metrics[4].crit->end, 90);
}

TEST(Perfdata, ThresholdsAreNagiosRanges) {
  const auto parsed = parse_perfdata("a=5;10:;~:20 b=15;@10:20;10:20");
  ASSERT_EQ(parsed.metrics.size(), 2u) << all_notes(parsed);
  const auto& a = parsed.metrics[0];
  EXPECT_DOUBLE_EQ(a.warn->start, 10);
  EXPECT_EQ(a.warn->end, kInfinity);
  EXPECT_TRUE(a.warn->alerts(5));
  EXPECT_EQ(a.crit->start, -kInfinity);
  EXPECT_DOUBLE_EQ(a.crit->end, 20);
  EXPECT_FALSE(a.crit->alerts(5));
  const auto& b = parsed.metrics[1];
  EXPECT_TRUE(b.warn->inside);
  EXPECT_TRUE(b.warn->alerts(15));
  EXPECT_FALSE(b.crit->inside);
  EXPECT_FALSE(b.crit->alerts(15));
}

TEST(Perfdata, NegativeFractionalAndExponentValues) {
  const auto parsed = parse_perfdata("t=-5.5 r=.5 e=1.5e-3s big=2E+06B time=3.0e");
  ASSERT_EQ(parsed.metrics.size(), 5u) << all_notes(parsed);
  EXPECT_DOUBLE_EQ(parsed.metrics[0].value, -5.5);
  EXPECT_DOUBLE_EQ(parsed.metrics[1].value, 0.5);
  EXPECT_DOUBLE_EQ(parsed.metrics[2].value, 0.0015);
  EXPECT_EQ(parsed.metrics[2].unit, "s");
  EXPECT_DOUBLE_EQ(parsed.metrics[3].value, 2e6);
  EXPECT_EQ(parsed.metrics[3].unit, "B");
  // An 'e' with no digits after it is a unit, not half an exponent.
  EXPECT_DOUBLE_EQ(parsed.metrics[4].value, 3.0);
  EXPECT_EQ(parsed.metrics[4].unit, "e");
}

TEST(Perfdata, UndeterminedValueIsSkippedWithANote) {
  const auto parsed = parse_perfdata("rta=U;100;500;0 pl=0%;20;60;0;100");
  ASSERT_EQ(parsed.metrics.size(), 1u);
  EXPECT_EQ(parsed.metrics[0].name, "pl");
  ASSERT_EQ(parsed.notes.size(), 1u);
  EXPECT_THAT(parsed.notes[0], HasSubstr("'rta'"));
  EXPECT_THAT(parsed.notes[0], HasSubstr("undetermined"));
}

TEST(Perfdata, WhitespaceBetweenItemsIsFree) {
  const auto parsed = parse_perfdata("  \ta=1   b=2\t\tc=3  \n d=4 ");
  ASSERT_EQ(parsed.metrics.size(), 4u);
  EXPECT_EQ(parsed.metrics[3].name, "d");
}

TEST(Perfdata, NothingToParse) {
  EXPECT_THAT(parse_perfdata("").metrics, IsEmpty());
  EXPECT_THAT(parse_perfdata("   ").notes, IsEmpty());
}

// Each malformed item is followed by a good one that must survive it.
TEST(Perfdata, MalformedItemsAreSkippedAndTheRestStillCount) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"novalue ok=1", "no '='"},
      {"=5 ok=1", "empty label"},
      {"''=5 ok=1", "empty label"},
      {"x=abc ok=1", "not a number"},
      {"x= ok=1", "not a number"},
      {"x=;1;2 ok=1", "not a number"},
      {"x=1.2.3 ok=1", "not a number"},
      {"x=1;2;3;4;5;6 ok=1", "more than 5 fields"},
      {"'a b=1 ok=1", "unterminated quote"},
      {"'a'b=1 ok=1", "no '='"},
      {"x=5%3 ok=1", "not a number"},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_perfdata(c.text);
    ASSERT_EQ(parsed.metrics.size(), 1u) << c.text;
    EXPECT_EQ(parsed.metrics[0].name, "ok") << c.text;
    ASSERT_EQ(parsed.notes.size(), 1u) << c.text;
    EXPECT_THAT(parsed.notes[0], HasSubstr(c.why)) << c.text;
    EXPECT_THAT(parsed.notes[0], HasSubstr("skipped")) << c.text;
  }
}

TEST(Perfdata, DecimalCommaGetsALocaleHint) {
  const auto parsed = parse_perfdata("load=0,50;1;2");
  EXPECT_THAT(parsed.metrics, IsEmpty());
  ASSERT_EQ(parsed.notes.size(), 1u);
  EXPECT_THAT(parsed.notes[0], HasSubstr("LC_ALL=C"));
}

TEST(Perfdata, UnreadableThresholdOrBoundCostsTheFieldNotTheValue) {
  const auto parsed = parse_perfdata("x=1;abc;20:10;zero;1x");
  ASSERT_EQ(parsed.metrics.size(), 1u);
  const auto& m = parsed.metrics[0];
  EXPECT_DOUBLE_EQ(m.value, 1);
  EXPECT_FALSE(m.warn || m.crit || m.min || m.max);
  EXPECT_EQ(parsed.notes.size(), 4u) << all_notes(parsed);
  EXPECT_THAT(all_notes(parsed), HasSubstr("warn \"abc\" is not a Nagios range"));
  EXPECT_THAT(all_notes(parsed), HasSubstr("crit \"20:10\""));
  EXPECT_THAT(all_notes(parsed), HasSubstr("max \"1x\" is not a number"));
}

TEST(Perfdata, HugeMalformedItemIsQuotedShort) {
  const std::string huge(500, 'z');
  const auto parsed = parse_perfdata(huge);
  ASSERT_EQ(parsed.notes.size(), 1u);
  EXPECT_LT(parsed.notes[0].size(), 200u);
}

}  // namespace
}  // namespace vigil::exec
