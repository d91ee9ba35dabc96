// The /metrics page read back with the SDK's exposition parser, as the pipeline's checks read it.
#include "core/demo/metrics_page.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>

#include "core/time/clock.hpp"
#include "vigil/sdk/exposition.hpp"
#include "vigil/sdk/histogram.hpp"

namespace vigil::demo {
namespace {

namespace expo = sdk::exposition;
using namespace std::chrono_literals;

struct Page {
  std::vector<expo::Bucket> buckets;
  std::map<std::string, double> values;  // other samples by name
  std::map<std::string, expo::MetricType> types;
  std::string version;
};

Page parse(const std::string& text) {
  Page page;
  struct Collect : expo::Visitor {
    Page* page;
    void sample(const expo::Sample& s) override {
      if (s.name == "demo_request_duration_seconds_bucket") {
        page->buckets.push_back({*expo::parse_float(s.labels.get("le")), s.value});
      } else {
        page->values[std::string(s.name)] = s.value;
        if (s.name == "demo_version_info")
          page->version = std::string(s.labels.get("version"));
      }
    }
    void type(std::string_view name, expo::MetricType t, std::size_t) override {
      page->types[std::string(name)] = t;
    }
  } collect;
  collect.page = &page;
  expo::Parser parser(collect);
  parser.feed(text);
  EXPECT_TRUE(parser.finish()) << parser.error()->message() << "\n" << text;
  return page;
}

TrafficSnapshot snapshot_after(std::chrono::milliseconds degrade_after,
                               std::chrono::milliseconds span) {
  core::FakeClock clock;
  TrafficSettings settings;
  settings.degrade_after = degrade_after;
  DemoTraffic traffic(settings, clock.steady_now());
  clock.advance(span);
  traffic.tick(clock.steady_now());
  return traffic.snapshot();
}

TEST(MetricsPage, ParsesAsAHistogramWhoseInfBucketIsTheCount) {
  const Page page = parse(render_metrics(snapshot_after(1h, 10s)));
  EXPECT_EQ(page.types.at("demo_request_duration_seconds"), expo::MetricType::Histogram);
  EXPECT_EQ(page.types.at("demo_requests_total"), expo::MetricType::Counter);
  EXPECT_EQ(page.types.at("demo_errors_total"), expo::MetricType::Counter);
  ASSERT_EQ(page.buckets.size(), 12u);  // 11 bounds, 0.005 to 10, and +Inf
  EXPECT_EQ(page.buckets.front().upper_bound, 0.005);
  EXPECT_EQ(page.buckets[10].upper_bound, 10);
  EXPECT_EQ(page.buckets.back().upper_bound, std::numeric_limits<double>::infinity());
  EXPECT_EQ(page.buckets.back().count, page.values.at("demo_request_duration_seconds_count"));
  EXPECT_EQ(page.values.at("demo_request_duration_seconds_count"),
            page.values.at("demo_requests_total"));
  for (std::size_t i = 1; i < page.buckets.size(); ++i)
    EXPECT_GE(page.buckets[i].count, page.buckets[i - 1].count);
  EXPECT_EQ(page.version, "1.4.2");
  EXPECT_EQ(page.values.at("demo_version_info"), 1);
  EXPECT_EQ(page.values.at("demo_degraded"), 0);
}

TEST(MetricsPage, HistogramQuantileSeesTheDegradation) {
  const Page healthy = parse(render_metrics(snapshot_after(1h, 10s)));
  const Page degraded = parse(render_metrics(snapshot_after(0ms, 10s)));
  EXPECT_LT(expo::histogram_quantile(0.95, healthy.buckets), 0.1);
  EXPECT_GT(expo::histogram_quantile(0.95, degraded.buckets), 0.5);
  EXPECT_EQ(degraded.version, "1.5.0");
  EXPECT_EQ(degraded.values.at("demo_degraded"), 1);
  EXPECT_GT(degraded.values.at("demo_errors_total"), 0);
}

TEST(MetricsPage, HealthAndStateDocuments) {
  const TrafficSnapshot s = snapshot_after(2s, 10s);
  const auto health = health_document(s);
  EXPECT_EQ(health.at("status"), "ok");
  EXPECT_EQ(health.at("version"), "1.5.0");
  EXPECT_EQ(health.at("degraded"), true);
  const auto state = state_document(s);
  EXPECT_EQ(state.at("phase"), "degraded");
  EXPECT_EQ(state.at("recent").at("requests"), 200);
  EXPECT_GT(state.at("recent").at("p95_seconds").get<double>(), 0.5);
  ASSERT_EQ(state.at("events").size(), 2u);
  EXPECT_EQ(state.at("events")[1].at("at_seconds"), 2.0);
}

}  // namespace
}  // namespace vigil::demo
