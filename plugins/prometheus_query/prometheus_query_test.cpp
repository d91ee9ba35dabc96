#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <vigil/sdk/testing.hpp>

#include "query_response.hpp"

namespace {

using vigil::prometheus_query::ResponseRules;
using vigil::prometheus_query::result_from_response;
using vigil::sdk::Result;
using vigil::sdk::Status;

Result answer(const std::string& body, ResponseRules rules = {}, long http_status = 200) {
  return result_from_response(http_status, body, rules);
}

TEST(QueryResponse, ScalarIsOneMetric) {
  const Result r =
      answer(R"({"status":"success","data":{"resultType":"scalar","result":[1764392400.5,"2"]}})");
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  ASSERT_EQ(r.metrics().size(), 1u);
  EXPECT_EQ(r.metrics()[0].name, "value");
  EXPECT_EQ(r.metrics()[0].value, 2);
  EXPECT_TRUE(r.metrics()[0].labels.empty());
  EXPECT_EQ(r.summary(), "value = 2");
}

TEST(QueryResponse, EachVectorElementIsAMetricWithItsLabels) {
  ResponseRules rules;
  rules.metric_name = "up";
  const Result r = answer(R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"__name__":"up","job":"node","instance":"127.0.0.1:9100"},"value":[1,"1"]},
      {"metric":{"__name__":"up","job":"prometheus","instance":"127.0.0.1:9090"},"value":[1,"0"]}
    ]}})",
                          rules);
  ASSERT_EQ(r.status(), Status::Ok) << r.summary();
  ASSERT_EQ(r.metrics().size(), 2u);
  EXPECT_EQ(r.summary(), "2 series");
  EXPECT_EQ(r.metrics()[0].name, "up");
  EXPECT_EQ(r.metrics()[0].labels.at("job"), "node");
  EXPECT_EQ(r.metrics()[0].labels.count("__name__"), 0u);
  EXPECT_EQ(r.metrics()[1].value, 0);
  EXPECT_EQ(r.details()[0], R"(up{instance="127.0.0.1:9100", job="node"} = 1)");
}

TEST(QueryResponse, OneElementSummarisesItsValue) {
  const Result r = answer(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.25"]}]}})");
  EXPECT_EQ(r.summary(), "value = 0.25");
}

TEST(QueryResponse, EmptyVectorIsUnknownUnlessAllowed) {
  const std::string empty = R"({"status":"success","data":{"resultType":"vector","result":[]}})";
  const Result strict = answer(empty);
  EXPECT_EQ(strict.status(), Status::Unknown);
  EXPECT_EQ(strict.summary(), "query returned no series");
  ResponseRules lenient;
  lenient.empty_ok = true;
  const Result ok = answer(empty, lenient);
  EXPECT_EQ(ok.status(), Status::Ok);
  EXPECT_TRUE(ok.metrics().empty());
}

TEST(QueryResponse, MatrixAndStringAreRefused) {
  const Result matrix = answer(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"]]}]}})");
  EXPECT_EQ(matrix.status(), Status::Unknown);
  EXPECT_EQ(matrix.summary(), "query returns a matrix; use an instant vector");
  const Result text =
      answer(R"({"status":"success","data":{"resultType":"string","result":[1,"hello"]}})");
  EXPECT_EQ(text.status(), Status::Unknown);
  EXPECT_EQ(text.summary(), "query returns a string; use an instant vector or a scalar");
}

TEST(QueryResponse, ErrorStatusNamesTypeAndMessage) {
  const Result r = answer(
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"})",
      {}, 400);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary(),
            "bad_data: invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis");
}

TEST(QueryResponse, NaNIsUnknownAndInfinityIsAValue) {
  const Result nan = answer(
      R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"job":"a"},"value":[1,"NaN"]},{"metric":{"job":"b"},"value":[1,"3"]}]}})");
  EXPECT_EQ(nan.status(), Status::Unknown);
  EXPECT_EQ(nan.summary(), "query returned NaN for value{job=\"a\"}");
  ASSERT_EQ(nan.metrics().size(), 1u);  // the series with a number is still reported
  EXPECT_EQ(nan.metrics()[0].value, 3);
  const Result scalar_nan =
      answer(R"({"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}})");
  EXPECT_EQ(scalar_nan.summary(), "query returned NaN");
  const Result inf =
      answer(R"({"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}})");
  ASSERT_EQ(inf.status(), Status::Ok);
  EXPECT_TRUE(std::isinf(inf.metrics()[0].value));
  EXPECT_GT(inf.metrics()[0].value, 0);
}

TEST(QueryResponse, NotAPrometheusAnswer) {
  EXPECT_EQ(answer("<html>Bad Gateway</html>", {}, 502).summary(),
            "HTTP 502 without a Prometheus answer");
  EXPECT_EQ(answer("<html>hi</html>").summary(),
            "the response is not a Prometheus API answer (not a JSON object)");
  EXPECT_EQ(answer(R"({"status":"success"})").summary(), "the response has no data.result");
  EXPECT_EQ(
      answer(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})")
          .summary(),
      "vector element without a [time, \"value\"] pair");
}

TEST(QueryResponse, WarningsGoToTheDetails) {
  const Result r = answer(
      R"({"status":"success","data":{"resultType":"scalar","result":[1,"1"]},"warnings":["partial response"]})");
  EXPECT_EQ(r.status(), Status::Ok);
  EXPECT_EQ(r.details().back(), "Prometheus warns: partial response");
}

class PrometheusQuery : public ::testing::Test {
 protected:
  vigil::sdk::testing::LocalPlugin plugin_;
  vigil::sdk::testing::FakeContext ctx_;
};

TEST_F(PrometheusQuery, HeadersAreSecret) {
  const auto* headers = plugin_.info("prometheus_query").find_option("headers");
  ASSERT_NE(headers, nullptr);
  EXPECT_TRUE(headers->secret);
}

TEST_F(PrometheusQuery, AnUnreachableServerIsUnknown) {
  auto check = plugin_.check("prometheus_query", {{"url", "http://127.0.0.1:9/"}, {"query", "up"}});
  const Result r = check->run(ctx_);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_EQ(r.summary().rfind("http://127.0.0.1:9/api/v1/query: ", 0), 0u) << r.summary();
}

TEST_F(PrometheusQuery, RefusesOptionsThatMakeNoSense) {
  using vigil::sdk::ConfigError;
  EXPECT_THROW(plugin_.check("prometheus_query", {{"url", "127.0.0.1:9090"}, {"query", "up"}}),
               ConfigError);
  EXPECT_THROW(plugin_.check("prometheus_query", {{"url", "http://127.0.0.1:9090"}, {"query", ""}}),
               ConfigError);
  EXPECT_THROW(plugin_.check("prometheus_query", {{"url", "http://127.0.0.1:9090"}}),
               std::runtime_error);
}

}  // namespace
