// The stored JSON of metrics: written one metric at a time, it must be the text a whole-array
// dump gives, and read back to the same metrics.
#include "core/state/record_codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using vigil::sdk::Metric;
namespace codec = vigil::core::state_codec;

std::vector<Metric> sample_metrics() {
  std::vector<Metric> metrics;
  metrics.emplace_back("duration_seconds", 0.25, "s",
                       vigil::sdk::Labels{{"target", "http://127.0.0.1/a"}});
  Metric bounded("free_ratio", 0.5, "");
  bounded.warn = vigil::sdk::Range::parse("0.2:");
  bounded.crit = vigil::sdk::Range::parse("0.1:");
  bounded.min = 0;
  bounded.max = 1;
  metrics.push_back(bounded);
  metrics.emplace_back("ratio", std::numeric_limits<double>::quiet_NaN(), "");
  metrics.emplace_back("bad \xff bytes", std::numeric_limits<double>::infinity(), "B");
  return metrics;
}

TEST(RecordCodec, MetricsTextIsTheWholeArrayDump) {
  const std::string text = codec::metrics_to_json(sample_metrics());
  // Parsed and dumped again as one document, with the same options the codec uses.
  const nlohmann::json whole = nlohmann::json::parse(text);
  EXPECT_EQ(text, whole.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_EQ(whole.size(), 4U);
  EXPECT_EQ(codec::metrics_to_json({}), "[]");
}

TEST(RecordCodec, MetricsRoundTrip) {
  const std::vector<Metric> back =
      codec::metrics_from_json(codec::metrics_to_json(sample_metrics()));
  ASSERT_EQ(back.size(), 4U);
  EXPECT_EQ(back[0].name, "duration_seconds");
  EXPECT_EQ(back[0].labels.at("target"), "http://127.0.0.1/a");
  EXPECT_DOUBLE_EQ(back[0].value, 0.25);
  EXPECT_EQ(back[0].unit, "s");
  ASSERT_TRUE(back[1].warn && back[1].crit && back[1].min && back[1].max);
  EXPECT_EQ(back[1].warn->to_string(), "0.2:");
  EXPECT_DOUBLE_EQ(*back[1].max, 1.0);
  EXPECT_TRUE(std::isnan(back[2].value));
  EXPECT_TRUE(std::isinf(back[3].value));
}

}  // namespace
