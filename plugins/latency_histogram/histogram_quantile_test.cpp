// histogram_quantile against Prometheus's own cases (promql/promqltest/testdata/histograms.test,
// the classic-bucket evaluations), and the SDK's selection and sum-by-le helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include <vigil/sdk/exposition.hpp>
#include <vigil/sdk/histogram.hpp>

namespace {

namespace expo = vigil::sdk::exposition;
using expo::Bucket;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Prometheus's test files load series as "0+<step>x10" and evaluate at 50m, where each value is
// step*10; rate() over 10m divides every bucket by the same 600 s, which no quantile can see.
// Both forms are checked.
std::vector<Bucket> at_50m(std::vector<Bucket> steps) {
  for (auto& b : steps)
    b.count *= 10;
  return steps;
}
std::vector<Bucket> rate_10m(std::vector<Bucket> steps) {
  for (auto& b : steps)
    b.count = b.count * 2 / 600;
  return steps;
}

struct Case {
  double q;
  double want;
};

void expect_quantiles(const char* what, const std::vector<Bucket>& steps,
                      const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    for (const auto& buckets : {at_50m(steps), rate_10m(steps)}) {
      const double got = expo::histogram_quantile(c.q, buckets);
      if (std::isnan(c.want)) {
        EXPECT_TRUE(std::isnan(got)) << what << " q=" << c.q << " got " << got;
      } else if (std::isinf(c.want)) {
        EXPECT_EQ(got, c.want) << what << " q=" << c.q;
      } else {
        EXPECT_NEAR(got, c.want, 1e-9 * std::max(1.0, std::fabs(c.want))) << what << " q=" << c.q;
      }
    }
  }
}

// testhistogram_bucket{start="positive"}: le 0.1, .2, 1e0, +Inf at 0+5, 0+7, 0+11, 0+12 x10.
const std::vector<Bucket> kPositive = {{0.1, 5}, {0.2, 7}, {1, 11}, {kInf, 12}};
// testhistogram_bucket{start="negative"}: le -.2, -0.1, 0.3, +Inf at 0+1, 0+2, 0+2, 0+3 x10.
const std::vector<Bucket> kNegative = {{-0.2, 1}, {-0.1, 2}, {0.3, 2}, {kInf, 3}};

TEST(HistogramQuantile, PrometheusTesthistogram) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  expect_quantiles("positive", kPositive,
                   {{-0.1, -kInf},
                    {1.01, kInf},
                    {nan, nan},
                    {0, 0},
                    {1, 1},
                    {0.2, 0.048},
                    {0.5, 0.15},
                    {0.8, 0.72}});
  expect_quantiles("negative", kNegative,
                   {{-0.1, -kInf},
                    {1.01, kInf},
                    {nan, nan},
                    {0, -0.2},
                    {1, 0.3},
                    {0.2, -0.2},
                    {0.5, -0.15},
                    {0.8, 0.3}});
}

TEST(HistogramQuantile, PrometheusTesthistogram3WithoutPlusInfObservations) {
  // le 0, 0.1, .2, 1e0, +Inf at 0, 5, 7, 11, 11 (positive); -.25, -.2, -0.1, 0.3, +Inf at 0, 1,
  // 2, 2, 2 (negative).
  const std::vector<Bucket> positive = {{0, 0}, {0.1, 5}, {0.2, 7}, {1, 11}, {kInf, 11}};
  const std::vector<Bucket> negative = {{-0.25, 0}, {-0.2, 1}, {-0.1, 2}, {0.3, 2}, {kInf, 2}};
  expect_quantiles("positive", positive,
                   {{0, 0}, {0.25, 0.055}, {0.5, 0.125}, {0.75, 0.45}, {1, 1}});
  expect_quantiles("negative", negative,
                   {{0, -0.25}, {0.25, -0.225}, {0.5, -0.2}, {0.75, -0.15}, {1, -0.1}});
}

TEST(HistogramQuantile, PrometheusTesthistogram2ResultsInTheMiddleOfBuckets) {
  const std::vector<Bucket> steps = {{0, 0}, {2, 1}, {4, 2}, {6, 3}, {kInf, 3}};
  expect_quantiles("testhistogram2", steps, {{1. / 6., 1}, {0.5, 3}, {5. / 6., 5}});
}

// request_duration_seconds_bucket per job and instance, le 0.1, 0.2, +Inf.
const std::vector<Bucket> kJob1Ins1 = {{0.1, 1}, {0.2, 3}, {kInf, 4}};
const std::vector<Bucket> kJob1Ins2 = {{0.1, 2}, {0.2, 5}, {kInf, 6}};
const std::vector<Bucket> kJob2Ins1 = {{0.1, 3}, {0.2, 4}, {kInf, 6}};
const std::vector<Bucket> kJob2Ins2 = {{0.1, 4}, {0.2, 7}, {kInf, 9}};

std::vector<Bucket> concat(std::initializer_list<std::vector<Bucket>> parts) {
  // Unsorted and with repeated bounds, as sum by (le) hands them over before coalescing.
  std::vector<Bucket> out;
  for (const auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(HistogramQuantile, PrometheusAggregatedRequestDurations) {
  expect_quantiles("sum by (le)", concat({kJob1Ins1, kJob1Ins2, kJob2Ins1, kJob2Ins2}),
                   {{0.3, 0.075}, {0.5, 0.1277777777777778}});
  expect_quantiles("by (le, instance) ins1", concat({kJob1Ins1, kJob2Ins1}),
                   {{0.3, 0.075}, {0.5, 0.1333333333}});
  expect_quantiles("by (le, instance) ins2", concat({kJob1Ins2, kJob2Ins2}),
                   {{0.3, 0.075}, {0.5, 0.125}});
  expect_quantiles("by (le, job) job1", concat({kJob1Ins1, kJob1Ins2}), {{0.3, 0.1}, {0.5, 0.14}});
  expect_quantiles("by (le, job) job2", concat({kJob2Ins1, kJob2Ins2}),
                   {{0.3, 0.0642857142857143}, {0.5, 0.1125}});
  expect_quantiles("job1 ins1", kJob1Ins1, {{0.3, 0.11}, {0.5, 0.15}});
  expect_quantiles("job1 ins2", kJob1Ins2, {{0.3, 0.09}, {0.5, 0.13333333333333333}});
  expect_quantiles("job2 ins1", kJob2Ins1, {{0.3, 0.06}, {0.5, 0.1}});
  expect_quantiles("job2 ins2", kJob2Ins2, {{0.3, 0.0675}, {0.5, 0.11666666666666667}});
}

TEST(HistogramQuantile, PrometheusNonmonotonicBuckets) {
  const std::vector<Bucket> steps = {{0.1, 2}, {1, 1}, {10, 5}, {100, 4}, {1000, 9}, {kInf, 8}};
  expect_quantiles("nonmonotonic", steps, {{0.01, 0.0045}, {0.5, 8.5}, {0.99, 979.75}});
  auto buckets = at_50m(steps);
  EXPECT_TRUE(expo::bucket_quantile(0.5, buckets).forced_monotonic);
}

TEST(HistogramQuantile, PrometheusMixedLeRepresentations) {
  // le "0.1", "0.2", "2e-1", "2.0e-1", "+Inf" for ins1: three series share the bound 0.2.
  std::vector<Bucket> ins1;
  for (const char* le : {"0.1", "0.2", "2e-1", "2.0e-1", "+Inf"}) {
    ins1.push_back({*expo::parse_float(le), std::string(le) == "+Inf" ? 4.0 : 1.0});
  }
  expect_quantiles("mixed ins1", ins1, {{0.5, 0.15}, {0.75, 0.2}, {1, 0.2}});
  // ins2: "+inf" and "+Inf" are one bucket, and it is empty.
  const std::vector<Bucket> ins2 = {{*expo::parse_float("+inf"), 0}, {kInf, 0}};
  expect_quantiles("mixed ins2", ins2, {{0.5, std::numeric_limits<double>::quiet_NaN()}});
}

TEST(HistogramQuantile, PrometheusEmptyAndConstantHistogramsAreNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  expect_quantiles("empty_bucket", {{0.1, 0}, {0.2, 0}, {kInf, 0}}, {{0.2, nan}});
  // const_histogram: the rate of unchanged buckets is 0 everywhere.
  EXPECT_TRUE(std::isnan(expo::histogram_quantile(1.0, {{0, 0}, {1, 0}, {2, 0}, {kInf, 0}})));
}

TEST(HistogramQuantile, SpecialCasesOfBucketQuantile) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // No +Inf bucket.
  EXPECT_TRUE(std::isnan(expo::histogram_quantile(0.5, {{0.1, 1}, {0.2, 2}})));
  // Fewer than two buckets.
  EXPECT_TRUE(std::isnan(expo::histogram_quantile(0.5, {{kInf, 10}})));
  EXPECT_TRUE(std::isnan(expo::histogram_quantile(0.5, {})));
  // Out of range q wins over everything else, as in Prometheus.
  EXPECT_EQ(expo::histogram_quantile(-1, {}), -kInf);
  EXPECT_EQ(expo::histogram_quantile(2, {{0.1, 1}}), kInf);
  EXPECT_TRUE(std::isnan(expo::histogram_quantile(nan, {{0.1, 1}, {kInf, 1}})));
  // A rank in the +Inf bucket gives the highest finite bound.
  EXPECT_EQ(expo::histogram_quantile(0.99, {{0.1, 1}, {0.5, 2}, {kInf, 100}}), 0.5);
  // The lowest bucket interpolates from 0 when its bound is positive...
  EXPECT_DOUBLE_EQ(expo::histogram_quantile(0.25, {{2, 10}, {kInf, 10}}), 0.5);
  // ...and returns its bound when that is <= 0.
  EXPECT_EQ(expo::histogram_quantile(0.25, {{-1, 10}, {kInf, 10}}), -1);
  EXPECT_EQ(expo::histogram_quantile(0.25, {{0, 10}, {kInf, 10}}), 0);
}

TEST(HistogramQuantile, IgnoresFloatNoiseBetweenBucketsLikePrometheus) {
  // 1e-13 relative: noise, taken as equal (fixed_precision), not a decrease to force.
  std::vector<Bucket> buckets = {{1, 1000}, {2, 1000 - 1e-10}, {4, 2000}, {kInf, 2000}};
  const auto r = expo::bucket_quantile(0.5, buckets);
  EXPECT_TRUE(r.fixed_precision);
  EXPECT_FALSE(r.forced_monotonic);
  EXPECT_DOUBLE_EQ(r.value, 1.0);
}

// ------------------------------------------------------------------------------------------

TEST(LabelMatcher, ShorthandSelectsTheOperator) {
  using Op = expo::LabelMatcher::Op;
  EXPECT_EQ(expo::LabelMatcher::from_shorthand("code", "200").op(), Op::Equal);
  EXPECT_EQ(expo::LabelMatcher::from_shorthand("code", "!500").op(), Op::NotEqual);
  EXPECT_EQ(expo::LabelMatcher::from_shorthand("code", "~2..").op(), Op::RegexMatch);
  EXPECT_EQ(expo::LabelMatcher::from_shorthand("code", "!~5..").op(), Op::RegexNoMatch);
  const auto literal = expo::LabelMatcher::from_shorthand("x", "=~not a regex");
  EXPECT_EQ(literal.op(), Op::Equal);
  EXPECT_EQ(literal.value(), "~not a regex");
  EXPECT_EQ(expo::LabelMatcher::from_shorthand("code", "!~5..").to_string(), "code!~\"5..\"");
}

TEST(LabelMatcher, RegexesMatchTheWholeValueAndMissingLabelsAreEmpty) {
  const auto two_xx = expo::LabelMatcher::from_shorthand("code", "~2..");
  EXPECT_TRUE(two_xx.matches("200"));
  EXPECT_FALSE(two_xx.matches("2000"));
  EXPECT_FALSE(two_xx.matches("1200"));
  const auto alternatives = expo::LabelMatcher::from_shorthand("m", "~GET|POST");
  EXPECT_TRUE(alternatives.matches("POST"));
  EXPECT_FALSE(alternatives.matches("GETX"));
  const std::vector<expo::Label> none;
  const expo::LabelView empty(none.data(), 0);
  EXPECT_TRUE(expo::LabelMatcher::from_shorthand("code", "!500").matches(empty));
  EXPECT_TRUE(expo::LabelMatcher::from_shorthand("code", "").matches(empty));
  EXPECT_FALSE(expo::LabelMatcher::from_shorthand("code", "~.+").matches(empty));
  EXPECT_THROW(expo::LabelMatcher::from_shorthand("code", "~(unclosed"), std::regex_error);
}

class SelectionVisitor final : public expo::Visitor {
 public:
  explicit SelectionVisitor(expo::HistogramSelection& s) : selection_(&s) {}
  void sample(const expo::Sample& s) override { selection_->add(s); }

 private:
  expo::HistogramSelection* selection_;
};

TEST(HistogramSelection, SumsMatchingSeriesByLeAndCoalescesEqualBounds) {
  const char* page =
      "# TYPE rd histogram\n"
      "rd_bucket{job=\"a\",le=\"0.1\"} 1\nrd_bucket{job=\"a\",le=\"0.2\"} 3\n"
      "rd_bucket{job=\"a\",le=\"+Inf\"} 4\nrd_sum{job=\"a\"} 0.5\nrd_count{job=\"a\"} 4\n"
      "rd_bucket{job=\"b\",le=\"1e-1\"} 2\nrd_bucket{job=\"b\",le=\"2.0e-1\"} 5\n"
      "rd_bucket{job=\"b\",le=\"+inf\"} 6\nrd_sum{job=\"b\"} 0.75\nrd_count{job=\"b\"} 6\n"
      "rd_bucket{job=\"c\",le=\"0.1\"} 100\nrd_bucket{job=\"c\",le=\"+Inf\"} 100\n"
      "rd_count{job=\"c\"} 100\nrd_bucket{job=\"a\",le=\"junk\"} 9\nrdx_bucket{le=\"+Inf\"} 7\n";
  expo::HistogramSelection selection(
      "rd", expo::SeriesSelector({expo::LabelMatcher::from_shorthand("job", "~a|b")}));
  SelectionVisitor visitor(selection);
  ASSERT_FALSE(expo::parse(page, visitor));
  EXPECT_EQ(selection.series(), 2u);
  EXPECT_EQ(selection.unparsable_le(), 1u);
  ASSERT_EQ(selection.buckets().size(), 3u);
  EXPECT_EQ(selection.buckets()[0].count, 3);
  EXPECT_EQ(selection.buckets()[1].count, 8);
  EXPECT_EQ(selection.buckets()[2].count, 10);
  EXPECT_EQ(selection.count(), 10);
  EXPECT_EQ(selection.sum(), 1.25);
  EXPECT_NEAR(expo::histogram_quantile(0.5, selection.buckets()), 0.14, 1e-12);
}

TEST(CounterSelection, TakesTheFamilyOrTheSampleName) {
  const char* page =
      "http_requests_total{code=\"200\"} 90\nhttp_requests_total{code=\"500\"} 10\n"
      "http_requests_created{code=\"200\"} 1e9\n";
  for (const char* name : {"http_requests", "http_requests_total"}) {
    expo::CounterSelection errors(
        name, expo::SeriesSelector({expo::LabelMatcher::from_shorthand("code", "~5..")}));
    auto visitor = expo::on_samples([&](const expo::Sample& s) { errors.add(s); });
    ASSERT_FALSE(expo::parse(page, visitor));
    EXPECT_EQ(errors.value(), 10) << name;
    EXPECT_EQ(errors.series(), 1u) << name;
  }
}

}  // namespace
