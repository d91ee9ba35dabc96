// The SDK's streaming exposition parser: syntax, escapes, errors with line numbers, chunking,
// the OpenMetrics conformance corpus read as 0.0.4, and a generated page against its true counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <vigil/sdk/exposition.hpp>
#include <vigil/sdk/scrape.hpp>

namespace {

namespace expo = vigil::sdk::exposition;
namespace fs = std::filesystem;

struct OwnedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  std::optional<std::int64_t> timestamp_ms;
  std::string family;
  expo::MetricType type = expo::MetricType::Untyped;
  std::size_t line = 0;
};

class Recorder final : public expo::Visitor {
 public:
  void sample(const expo::Sample& s) override {
    OwnedSample o;
    o.name = std::string(s.name);
    for (const auto& l : s.labels)
      o.labels.emplace_back(l.name, l.value);
    o.value = s.value;
    o.timestamp_ms = s.timestamp_ms;
    o.family = std::string(s.family);
    o.type = s.type;
    o.line = s.line;
    samples.push_back(std::move(o));
  }
  void help(std::string_view name, std::string_view text, std::size_t) override {
    helps.emplace_back(name, text);
  }
  void type(std::string_view name, expo::MetricType t, std::size_t) override {
    types.emplace_back(std::string(name), t);
  }
  std::vector<OwnedSample> samples;
  std::vector<std::pair<std::string, std::string>> helps;
  std::vector<std::pair<std::string, expo::MetricType>> types;
};

struct Parsed {
  Recorder recorder;
  std::optional<expo::ParseError> error;
  const std::vector<OwnedSample>& samples() const { return recorder.samples; }
};

// chunk 0: the whole page in one feed; otherwise feeds of `chunk` bytes.
Parsed parse(std::string_view page, std::size_t chunk = 0) {
  Parsed out;
  expo::Parser parser(out.recorder);
  if (chunk == 0) {
    parser.feed(page);
  } else {
    for (std::size_t i = 0; i < page.size(); i += chunk)
      parser.feed(page.substr(i, chunk));
  }
  if (!parser.finish())
    out.error = *parser.error();
  return out;
}

std::string error_of(std::string_view page) {
  auto p = parse(page);
  return p.error ? p.error->message() : std::string("(parsed)");
}

TEST(ExpositionParser, ReadsNameLabelsAndValue) {
  auto p = parse("http_requests_total{method=\"post\",code=\"200\"} 1027\n");
  ASSERT_FALSE(p.error);
  ASSERT_EQ(p.samples().size(), 1u);
  const auto& s = p.samples()[0];
  EXPECT_EQ(s.name, "http_requests_total");
  ASSERT_EQ(s.labels.size(), 2u);
  EXPECT_EQ(s.labels[0], (std::pair<std::string, std::string>{"method", "post"}));
  EXPECT_EQ(s.labels[1], (std::pair<std::string, std::string>{"code", "200"}));
  EXPECT_EQ(s.value, 1027);
  EXPECT_FALSE(s.timestamp_ms);
  EXPECT_EQ(s.line, 1u);
}

TEST(ExpositionParser, DecodesLabelValueEscapes) {
  auto p = parse(R"(a{path="C:\\dir\\",q="say \"hi\"",nl="one\ntwo",mixed="\\n is not \n"} 1)");
  ASSERT_FALSE(p.error);
  ASSERT_EQ(p.samples().size(), 1u);
  const auto& l = p.samples()[0].labels;
  EXPECT_EQ(l[0].second, "C:\\dir\\");
  EXPECT_EQ(l[1].second, "say \"hi\"");
  EXPECT_EQ(l[2].second, "one\ntwo");
  EXPECT_EQ(l[3].second, "\\n is not \n");
}

TEST(ExpositionParser, KeepsOtherEscapesAsWrittenLikePrometheus) {
  auto p = parse(R"(a{foo="b\a\z",bar="\t"} 1)");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.samples()[0].labels[0].second, "b\\a\\z");
  EXPECT_EQ(p.samples()[0].labels[1].second, "\\t");
}

TEST(ExpositionParser, LabelValuesMayHoldBracesHashesAndCommas) {
  auto p = parse("a{x=\"} # {\",y=\"a,b=c\"} 2 # {ex=\"1\"} 0.5\n");
  ASSERT_FALSE(p.error) << p.error->message();
  EXPECT_EQ(p.samples()[0].labels[0].second, "} # {");
  EXPECT_EQ(p.samples()[0].labels[1].second, "a,b=c");
  EXPECT_EQ(p.samples()[0].value, 2);
}

TEST(ExpositionParser, ReadsNaNAndInfinitiesAsGoParseFloatDoes) {
  auto p = parse(
      "a NaN\nb +Inf\nc -Inf\nd Inf\ne -infinity\nf nan\ng 1e-3\nh -0.5\ni .5\nj 5.\n"
      "k 0001.2e-1\nl 9223372036854775808\nm +3\nn 1e-400\n");
  ASSERT_FALSE(p.error) << p.error->message();
  ASSERT_EQ(p.samples().size(), 14u);
  EXPECT_TRUE(std::isnan(p.samples()[0].value));
  EXPECT_EQ(p.samples()[1].value, INFINITY);
  EXPECT_EQ(p.samples()[2].value, -INFINITY);
  EXPECT_EQ(p.samples()[3].value, INFINITY);
  EXPECT_EQ(p.samples()[4].value, -INFINITY);
  EXPECT_TRUE(std::isnan(p.samples()[5].value));
  EXPECT_EQ(p.samples()[6].value, 1e-3);
  EXPECT_EQ(p.samples()[7].value, -0.5);
  EXPECT_EQ(p.samples()[8].value, 0.5);
  EXPECT_EQ(p.samples()[9].value, 5);
  EXPECT_EQ(p.samples()[10].value, 0.12);
  EXPECT_EQ(p.samples()[11].value, 9223372036854775808.0);
  EXPECT_EQ(p.samples()[12].value, 3);
  EXPECT_EQ(p.samples()[13].value, 0);  // underflow is zero in Go too
}

TEST(ExpositionParser, RejectsWhatGoParseFloatRejects) {
  for (const char* bad : {"0x1p-3", "0x1", "1_000", "0b1", "0o7", "+NaN", "-nan", "infinit", "1e",
                          "e5", ".", "1e400", "1.2.3", "nan(1)", "--1"}) {
    const std::string page = std::string("a ") + bad + "\n";
    EXPECT_EQ(error_of(page), "line 1: invalid value \"" + std::string(bad) + "\" for \"a\"")
        << bad;
  }
}

TEST(ExpositionParser, ReadsIntegerMillisecondTimestamps) {
  auto p = parse("a 1 1395066363000\nb 2 000\n");
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.samples()[0].timestamp_ms, 1395066363000);
  EXPECT_EQ(p.samples()[1].timestamp_ms, 0);
  EXPECT_EQ(error_of("a 1 1.5\n"),
            "line 1: invalid timestamp \"1.5\", expected integer milliseconds since the epoch");
  EXPECT_EQ(error_of("a 1 -1\n"),
            "line 1: invalid timestamp \"-1\", expected integer milliseconds since the epoch");
  EXPECT_EQ(error_of("a 1 99999999999999999999\n"),
            "line 1: invalid timestamp \"99999999999999999999\", expected integer milliseconds "
            "since the epoch");
  EXPECT_EQ(error_of("a 1 2 3\n"), "line 1: unexpected text \"3\" after the timestamp");
}

TEST(ExpositionParser, ReportsHelpAndTypeAndSkipsComments) {
  auto p = parse(
      "# A free comment\n"
      "#no blank after the hash, also a comment\n"
      "# HELP http_requests_total The total number of HTTP requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total 3\n"
      "# HELP\n"
      "# HELPER is a comment too\n");
  ASSERT_FALSE(p.error) << p.error->message();
  ASSERT_EQ(p.recorder.helps.size(), 1u);
  EXPECT_EQ(p.recorder.helps[0].first, "http_requests_total");
  EXPECT_EQ(p.recorder.helps[0].second, "The total number of HTTP requests.");
  ASSERT_EQ(p.recorder.types.size(), 1u);
  EXPECT_EQ(p.recorder.types[0].second, expo::MetricType::Counter);
  ASSERT_EQ(p.samples().size(), 1u);
  EXPECT_EQ(p.samples()[0].line, 5u);
}

TEST(ExpositionParser, DecodesHelpEscapes) {
  auto p = parse("# HELP a Path C:\\\\data\\nSecond line, \\t kept\n# HELP b\n");
  ASSERT_FALSE(p.error);
  ASSERT_EQ(p.recorder.helps.size(), 2u);
  EXPECT_EQ(p.recorder.helps[0].second, "Path C:\\data\nSecond line, \\t kept");
  EXPECT_EQ(p.recorder.helps[1].second, "");
}

TEST(ExpositionParser, AttributesSamplesToTheirTypedFamily) {
  auto p = parse(
      "# TYPE rpc histogram\n"
      "rpc_bucket{le=\"+Inf\"} 1\nrpc_sum 2\nrpc_count 1\nrpc_other 4\n"
      "# TYPE up gauge\nup 1\nunrelated 2\n");
  ASSERT_FALSE(p.error);
  std::vector<std::pair<std::string, expo::MetricType>> got;
  for (const auto& s : p.samples())
    got.emplace_back(s.family, s.type);
  const std::vector<std::pair<std::string, expo::MetricType>> want = {
      {"rpc", expo::MetricType::Histogram}, {"rpc", expo::MetricType::Histogram},
      {"rpc", expo::MetricType::Histogram}, {"", expo::MetricType::Untyped},
      {"up", expo::MetricType::Gauge},      {"", expo::MetricType::Untyped}};
  EXPECT_EQ(got, want);
}

TEST(ExpositionParser, ParsesALastLineWithoutNewline) {
  auto p = parse("a 1\nb{x=\"y\"} 2");
  ASSERT_FALSE(p.error);
  ASSERT_EQ(p.samples().size(), 2u);
  EXPECT_EQ(p.samples()[1].value, 2);
  EXPECT_EQ(p.samples()[1].labels[0].second, "y");
}

TEST(ExpositionParser, AllowsBlanksWhereThe004FormatDoes) {
  auto p = parse(
      "\n   \n\t a \t 1 \t 7 \t\n"
      "b {x = \"1\" , y=\"2\", } 2\n"
      "c{} 3\n"
      "d{x=\"1\"}4\n"
      "e 5\r\n");
  ASSERT_FALSE(p.error) << p.error->message();
  ASSERT_EQ(p.samples().size(), 5u);
  EXPECT_EQ(p.samples()[0].timestamp_ms, 7);
  EXPECT_EQ(p.samples()[1].labels.size(), 2u);
  EXPECT_EQ(p.samples()[3].value, 4);
  EXPECT_EQ(p.samples()[4].value, 5);  // a CRLF page reads like an LF one
}

TEST(ExpositionParser, ReportsTheLineAndReasonOfTheFirstError) {
  EXPECT_EQ(error_of("a 1\n\n# c\nhttp_requests_total{code \"200\"} 1\n"),
            "line 4: expected '=' after label name \"code\"");
  EXPECT_EQ(error_of("a{code=200} 1"), "line 1: expected '\"' to open the value of label \"code\"");
  EXPECT_EQ(error_of("a{code=\"200} 1\n"), "line 1: unterminated value of label \"code\"");
  EXPECT_EQ(error_of("a{code=\"2\\\"} 1\n"), "line 1: unterminated value of label \"code\"");
  EXPECT_EQ(error_of("a{x=\"1\" y=\"2\"} 1\n"),
            "line 1: expected ',' or '}' after the value of label \"x\", got 'y'");
  EXPECT_EQ(error_of("a{x=\"1\",,y=\"2\"} 1\n"), "line 1: expected a label name, got ','");
  EXPECT_EQ(error_of("a{1=\"1\"} 1\n"), "line 1: expected a label name, got '1'");
  EXPECT_EQ(error_of("a{x=\"1\"\n"), "line 1: expected ',' or '}' after the value of label \"x\"");
  EXPECT_EQ(error_of("a{x=\"1\",x=\"2\"} 1\n"), "line 1: label \"x\" appears twice");
  EXPECT_EQ(error_of("a\n"), "line 1: expected a value after \"a\"");
  EXPECT_EQ(error_of("a.b 1\n"), "line 1: unexpected '.' after metric name \"a\"");
  EXPECT_EQ(error_of("0a 1\n"), "line 1: expected a metric name, got '0'");
  EXPECT_EQ(error_of("a{x=\"1\"} one\n"), "line 1: invalid value \"one\" for \"a\"");
  EXPECT_EQ(error_of("# TYPE a meh\n"),
            "line 1: invalid metric type \"meh\" for \"a\" (counter, gauge, histogram, summary "
            "or untyped)");
  EXPECT_EQ(error_of("# TYPE a gauge \n"),
            "line 1: invalid metric type \"gauge \" for \"a\" (counter, gauge, histogram, summary "
            "or untyped)");
  EXPECT_EQ(error_of("# HELP \n"), "line 1: expected a metric name after # HELP");
  EXPECT_EQ(error_of("# TYPE 9 gauge\n"), "line 1: expected a metric name after # TYPE, got '9'");
  EXPECT_EQ(error_of("a\x01 1\n"), "line 1: unexpected '\\x01' after metric name \"a\"");
}

TEST(ExpositionParser, StopsAtTheFirstErrorAndIgnoresTheRest) {
  Recorder recorder;
  expo::Parser parser(recorder);
  EXPECT_TRUE(parser.feed("a 1\nb{ 2\nc 3\n") == false);
  EXPECT_FALSE(parser.feed("d 4\n"));
  EXPECT_FALSE(parser.finish());
  ASSERT_NE(parser.error(), nullptr);
  EXPECT_EQ(parser.error()->line, 2u);
  ASSERT_EQ(recorder.samples.size(), 1u);
  EXPECT_EQ(recorder.samples[0].name, "a");
}

TEST(ExpositionParser, GivesTheSameResultForEveryChunkSize) {
  const std::string page =
      "# HELP x_seconds Latency \\\\ of x.\\nMore.\n# TYPE x_seconds histogram\n"
      "x_seconds_bucket{path=\"/a\\\"b\",le=\"0.1\"} "
      "3\nx_seconds_bucket{path=\"/a\\\"b\",le=\"+Inf\"} "
      "5 1700000000000\nx_seconds_sum{path=\"/a\\\"b\"} 0.7\nx_seconds_count{path=\"/a\\\"b\"} 5";
  const auto whole = parse(page);
  ASSERT_FALSE(whole.error);
  for (std::size_t chunk = 1; chunk <= page.size(); ++chunk) {
    const auto p = parse(page, chunk);
    ASSERT_FALSE(p.error) << "chunk " << chunk;
    ASSERT_EQ(p.samples().size(), whole.samples().size()) << "chunk " << chunk;
    for (std::size_t i = 0; i < p.samples().size(); ++i) {
      EXPECT_EQ(p.samples()[i].name, whole.samples()[i].name);
      EXPECT_EQ(p.samples()[i].labels, whole.samples()[i].labels);
      EXPECT_EQ(p.samples()[i].value, whole.samples()[i].value);
      EXPECT_EQ(p.samples()[i].timestamp_ms, whole.samples()[i].timestamp_ms);
    }
    EXPECT_EQ(p.recorder.helps, whole.recorder.helps);
  }
  EXPECT_EQ(whole.recorder.helps[0].second, "Latency \\ of x.\nMore.");
  EXPECT_EQ(whole.samples()[0].labels[0].second, "/a\"b");
}

TEST(ExpositionParser, ToleratesOpenMetricsEofUnitAndExemplars) {
  auto p = parse(
      "# TYPE a counter\n# UNIT a_seconds seconds\n"
      "a_total 1 # {trace_id=\"abc\"} 0.5 1520879607.789\n"
      "a_total{x=\"1\"} 2 1000 # {} 3\n# EOF\n");
  ASSERT_FALSE(p.error) << p.error->message();
  ASSERT_EQ(p.samples().size(), 2u);
  EXPECT_EQ(p.samples()[0].value, 1);
  EXPECT_EQ(p.samples()[1].timestamp_ms, 1000);
  EXPECT_EQ(error_of("a 1\n# EOF\nb 2\n"), "line 3: text after \"# EOF\"");
  EXPECT_EQ(error_of("a 1 # {x=\"1\"}\n"), "line 1: expected a value after the exemplar's labels");
  EXPECT_EQ(error_of("a 1 #{} 1\n"), "line 1: expected \" # {\" to start an exemplar");
  EXPECT_EQ(error_of("a 1 # {} 1 NaN\n"), "line 1: invalid exemplar timestamp \"NaN\"");
}

TEST(ExpositionParser, RefusesAnOverlongLineInsteadOfGrowing) {
  Recorder recorder;
  expo::Parser parser(recorder, 64);
  EXPECT_TRUE(parser.feed("ok 1\n"));
  const std::string long_name(100, 'a');
  EXPECT_FALSE(parser.feed(long_name.substr(0, 50)) && parser.feed(long_name.substr(50)));
  ASSERT_NE(parser.error(), nullptr);
  EXPECT_EQ(parser.error()->message(),
            "line 2: line longer than 64 bytes: not an exposition page?");
}

TEST(ExpositionParser, ScrapesAFileInChunks) {
  const std::string path = ::testing::TempDir() + "expo_scrape_file.prom";
  {
    std::ofstream out(path);
    for (int i = 0; i < 20000; ++i)
      out << "m{i=\"" << i << "\"} " << i << "\n";
  }
  double total = 0;
  auto visitor = expo::on_samples([&](const expo::Sample& s) { total += s.value; });
  expo::Parser parser(visitor);
  const auto outcome = expo::scrape_file(path, parser);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_GT(outcome.bytes, 64u * 1024u);  // more than one chunk
  EXPECT_EQ(total, 19999.0 * 20000.0 / 2.0);
  expo::Parser missing(visitor);
  const auto gone = expo::scrape_file("/nonexistent/vigil.prom", missing);
  EXPECT_FALSE(gone.ok);
  EXPECT_EQ(gone.error, "cannot open /nonexistent/vigil.prom: No such file or directory");
  std::remove(path.c_str());
}

// ------------------------------------------------------------------------------------------
// OpenMetrics conformance corpus (../shared/conformance/openmetrics/parsers), read as 0.0.4.

// shouldParse: true cases that are not valid 0.0.4, and why.
const std::map<std::string, std::string> kValidOnlyInOpenMetrics = {
    {"timestamps", "float-second timestamps (1.1, 1.5e3); 0.0.4 timestamps are integer ms"},
    {"duplicate_timestamps_0", "float-second timestamps (0.0000000001)"},
};

// bad_ cases whose fault is also a fault in 0.0.4 (or in the OpenMetrics parts we tolerate):
// the parser must reject them.
const std::set<std::string> kRejectedAlsoIn004 = {
    // broken label syntax
    "bad_invalid_labels_0", "bad_invalid_labels_1", "bad_invalid_labels_2", "bad_invalid_labels_3",
    "bad_invalid_labels_4", "bad_invalid_labels_5", "bad_invalid_labels_7", "bad_invalid_labels_8",
    "bad_missing_equal_or_label_value_0", "bad_missing_equal_or_label_value_1",
    "bad_missing_equal_or_label_value_2", "bad_missing_equal_or_label_value_3",
    "bad_missing_equal_or_label_value_4", "bad_missing_or_extra_commas_0",
    "bad_missing_or_extra_commas_1", "bad_missing_or_wrong_quotes_on_label_value_0",
    "bad_missing_or_wrong_quotes_on_label_value_1", "bad_missing_or_wrong_quotes_on_label_value_2",
    "bad_grouping_or_ordering_1",
    // bad metric names and missing values
    "bad_metric_names_0", "bad_metric_names_1", "bad_metric_names_2", "bad_missing_value_0",
    "bad_missing_value_1",
    // bad values: hex, binary, octal, underscores, words
    "bad_value_0", "bad_value_4", "bad_value_5", "bad_value_6", "bad_value_7", "bad_value_8",
    "bad_value_9", "bad_value_10", "bad_value_11", "bad_value_12",
    // bad timestamps; 0.0.4 timestamps are unsigned integer milliseconds, which also rules out
    // the negative and fractional ones of bad_grouping_or_ordering_4 to _7
    "bad_timestamp_0", "bad_timestamp_1", "bad_timestamp_2", "bad_timestamp_3", "bad_timestamp_4",
    "bad_timestamp_5", "bad_timestamp_6", "bad_timestamp_7", "bad_timestamp_8",
    "bad_grouping_or_ordering_4", "bad_grouping_or_ordering_5", "bad_grouping_or_ordering_6",
    "bad_grouping_or_ordering_7",
    // metadata lines that name no metric or no valid type
    "bad_help_1", "bad_type_1", "bad_type_2", "bad_type_3", "bad_type_4", "bad_type_5",
    "bad_type_6",
    // a sample line after # EOF (also lacks a value)
    "bad_text_after_eof_0",
    // malformed exemplars: tolerated exemplars are still checked, not half-read
    "bad_exemplar_timestamp_0", "bad_exemplar_timestamp_1", "bad_exemplar_timestamp_2",
    "bad_exemplars_0", "bad_exemplars_1", "bad_exemplars_2", "bad_exemplars_3", "bad_exemplars_7",
    "bad_exemplars_8", "bad_exemplars_9", "bad_exemplars_10", "bad_exemplars_11",
    "bad_exemplars_12"};

// bad_ cases whose fault does not exist in 0.0.4, and why. Only "terminates, does not crash"
// is asserted for them.
const std::map<std::string, std::string> kNotApplicableTo004 = {
    {"bad_blank_line", "0.0.4 allows blank lines"},
    {"bad_no_eof", "# EOF is OpenMetrics only; an empty 0.0.4 page is valid"},
    {"bad_text_after_eof_1", "\"# EOFblah\" is a comment, not the EOF marker"},
    {"bad_metadata", "# FOO is a comment in 0.0.4"},
    {"bad_help_0", "\"# HELP\" without a following blank is a comment (Prometheus's lexer)"},
    {"bad_type_0", "\"# TYPE\" without a following blank is a comment (Prometheus's lexer)"},
    {"bad_help_2", "0.0.4 help text may be empty"},
    {"bad_help_3", "a tab separates tokens in 0.0.4"},
    {"bad_help_4", "0.0.4 ignores leading blanks"},
    {"bad_type_7", "untyped is a 0.0.4 type"},
    {"bad_value_1", "0.0.4 allows several blanks between tokens"},
    {"bad_value_2", "0.0.4 ignores trailing blanks"},
    {"bad_value_3", "0.0.4 ignores trailing blanks"},
    {"bad_exemplars_4", "0.0.4 ignores trailing blanks"},
    {"bad_exemplars_5", "0.0.4 ignores trailing blanks"},
    {"bad_invalid_labels_6", "'}' needs no blank before the value in 0.0.4 (Prometheus's lexer)"},
    {"bad_missing_or_extra_commas_2", "0.0.4's grammar allows a trailing comma in a label set"},
    {"bad_exemplars_6", "exemplar label length limit: OpenMetrics only; exemplars are skipped"},
    {"bad_exemplar_complex_chars", "exemplar label length limit: OpenMetrics only"},
};

// Whole families of bad_ cases that are OpenMetrics semantics rather than 0.0.4 syntax: type
// rules on values (negative or NaN counters, bucket structure, info and stateset values), which
// samples a type may have, metadata uniqueness and placement, series grouping and timestamp
// order. A streaming tokenizer keeps no page-wide memory for them, Prometheus's 0.0.4 parser
// does not check them, and # UNIT is a plain comment in 0.0.4.
const std::vector<std::string> kNotApplicablePrefixes = {
    "bad_counter_values_",
    "bad_histograms_",
    "bad_info_and_stateset_values_",
    "bad_stateset_info_values_",
    "bad_missing_or_invalid_labels_for_a_type_",
    "bad_exemplars_on_unallowed_",
    "bad_clashing_names_",
    "bad_repeated_metadata_",
    "bad_metadata_in_wrong_place_",
    "bad_grouping_or_ordering_",
    "bad_unit_"};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ExpositionConformance, OpenMetricsCorpusReadAs004) {
  const fs::path root = VIGIL_SOURCE_DIR "/../shared/conformance/openmetrics/parsers";
  if (!fs::is_directory(root))
    GTEST_SKIP() << root << " is not there";
  std::size_t cases = 0;
  std::size_t parsed_as_expected = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    const auto test = nlohmann::json::parse(read_file(entry.path() / "test.json"));
    const std::string page = read_file(entry.path() / test.value("file", "metrics"));
    const bool should_parse = test.value("shouldParse", false);
    ++cases;

    // Terminates and does not crash however the page is cut; the outcome does not depend on it.
    const auto whole = parse(page);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
      const auto cut = parse(page, chunk);
      EXPECT_EQ(cut.error.has_value(), whole.error.has_value()) << name << " chunk " << chunk;
      EXPECT_EQ(cut.samples().size(), whole.samples().size()) << name << " chunk " << chunk;
    }

    if (should_parse) {
      if (kValidOnlyInOpenMetrics.count(name) != 0) {
        EXPECT_TRUE(whole.error.has_value()) << name << " was expected to be refused";
      } else {
        EXPECT_FALSE(whole.error.has_value())
            << name << ": " << (whole.error ? whole.error->message() : "");
        if (!whole.error)
          ++parsed_as_expected;
      }
      continue;
    }
    if (kRejectedAlsoIn004.count(name) != 0) {
      EXPECT_TRUE(whole.error.has_value()) << name << " should be rejected:\n" << page;
      if (whole.error)
        ++parsed_as_expected;
      continue;
    }
    bool not_applicable = kNotApplicableTo004.count(name) != 0;
    for (const auto& prefix : kNotApplicablePrefixes) {
      not_applicable = not_applicable || name.rfind(prefix, 0) == 0;
    }
    EXPECT_TRUE(not_applicable) << name << " is neither expected to be rejected nor listed as "
                                << "not applicable to 0.0.4: classify it";
  }
  EXPECT_EQ(cases, 211u);
  EXPECT_EQ(parsed_as_expected, 42u + kRejectedAlsoIn004.size());
}

// ------------------------------------------------------------------------------------------
// A page from ../shared/bench-data/gen_prom.py, against the true counts in its sidecar.

TEST(ExpositionGeneratedPage, CountsMatchTheGeneratorsSidecar) {
  const fs::path generator = VIGIL_SOURCE_DIR "/../shared/bench-data/gen_prom.py";
  if (!fs::exists(generator))
    GTEST_SKIP() << generator << " is not there";
  if (std::system("python3 -c pass >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no python3";
  const std::string page = ::testing::TempDir() + "vigil_gen_prom_5k.txt";
  const std::string command =
      "python3 '" + generator.string() + "' --series 5000 --tick 1 -o '" + page + "' >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const auto truth = nlohmann::json::parse(read_file(page + ".json"));

  std::map<std::string, std::size_t> by_type;
  std::size_t samples = 0;
  std::size_t histogram_series = 0;
  std::size_t escaped_values = 0;
  std::size_t inf_bucket_equals_count = 0;
  double last_inf_bucket = -1;
  std::size_t helps_with_newline = 0;
  std::set<std::string> families;

  class Counter final : public expo::Visitor {
   public:
    std::function<void(const expo::Sample&)> on_sample;
    std::function<void(std::string_view)> on_help;
    std::function<void(std::string_view)> on_type;
    void sample(const expo::Sample& s) override { on_sample(s); }
    void help(std::string_view, std::string_view text, std::size_t) override { on_help(text); }
    void type(std::string_view name, expo::MetricType, std::size_t) override { on_type(name); }
  } counter;
  counter.on_sample = [&](const expo::Sample& s) {
    ++samples;
    switch (s.type) {
      case expo::MetricType::Histogram:
        ++by_type["histogram"];
        break;
      case expo::MetricType::Counter:
        ++by_type["counter"];
        break;
      case expo::MetricType::Gauge:
        ++by_type["gauge"];
        break;
      case expo::MetricType::Summary:
        ++by_type["summary"];
        break;
      default:
        ++by_type["untyped"];
    }
    for (const auto& l : s.labels) {
      if (l.value.find_first_of("\"\\\n") != std::string_view::npos)
        ++escaped_values;
    }
    if (s.type == expo::MetricType::Histogram) {
      const std::string_view le = s.labels.get("le");
      if (le == "+Inf") {
        ++histogram_series;
        last_inf_bucket = s.value;
      } else if (s.name.size() > 6 && s.name.substr(s.name.size() - 6) == "_count" &&
                 s.value == last_inf_bucket) {
        ++inf_bucket_equals_count;
      }
    }
  };
  counter.on_help = [&](std::string_view text) {
    if (text.find("\nSecond help line.") != std::string_view::npos)
      ++helps_with_newline;
  };
  counter.on_type = [&](std::string_view name) { families.emplace(name); };

  expo::Parser parser(counter);
  const auto outcome = expo::scrape_file(page, parser);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.bytes, truth["bytes"].get<std::uint64_t>());
  EXPECT_EQ(samples, truth["series"].get<std::size_t>());
  for (const auto& [type, count] : truth["series_by_type"].items()) {
    EXPECT_EQ(by_type[type], count.get<std::size_t>()) << type;
  }
  EXPECT_EQ(histogram_series, truth["histograms"].get<std::size_t>());
  EXPECT_EQ(inf_bucket_equals_count, histogram_series);
  // The generator has one family without a TYPE line.
  EXPECT_EQ(families.size() + 1, truth["families"].get<std::size_t>());
  EXPECT_GT(escaped_values, 0u);
  EXPECT_GT(helps_with_newline, 0u);
  std::remove(page.c_str());
  std::remove((page + ".json").c_str());
}

}  // namespace
