// `vigil __demo-tests`: the demo service's "production health tests", the seed protocol's
// `pytest tests/test_production_health.py --junitxml=...` without Python: a few HTTP tests
// against the running service, written as a JUnit report, exit 0 when all pass and 1 otherwise,
// as pytest does. The demo pipeline's junit_pass_rate check runs it and judges the report.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/demo/demo_verbs.hpp"
#include "core/demo/http_client.hpp"
#include "core/demo/junit_report.hpp"
#include "core/demo/verb_support.hpp"
#include "vigil/sdk/exposition.hpp"

namespace po = boost::program_options;

namespace vigil::demo {

namespace {

constexpr const char* kUsage =
    "usage: vigil __demo-tests --port N --junit FILE [--host 127.0.0.1] [--max-p95 500ms]\n"
    "                          [--max-error-ratio 0.01] [--timeout 2s]";

constexpr const char* kClassName = "tests.test_production_health";

// A test's verdict: nothing when it passed, the failure message otherwise.
using Verdict = std::optional<std::string>;

struct Target {
  std::string host;
  unsigned short port = 0;
  std::chrono::milliseconds timeout{2000};

  HttpReply get(const std::string& path) const {
    return http_request(host, port, "GET", path, {}, timeout);
  }
};

nlohmann::json get_json(const Target& target, const std::string& path) {
  const HttpReply reply = target.get(path);
  if (reply.status != 200)
    throw std::runtime_error("GET " + path + " answered HTTP " + std::to_string(reply.status));
  auto document = nlohmann::json::parse(reply.body, nullptr, false);
  if (document.is_discarded() || !document.is_object())
    throw std::runtime_error("GET " + path + " did not answer a JSON object");
  return document;
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

Verdict health_answers_ok(const Target& target) {
  const HttpReply reply = target.get("/health");
  if (reply.status != 200)
    return "GET /health answered HTTP " + std::to_string(reply.status) + ", expected 200";
  auto document = nlohmann::json::parse(reply.body, nullptr, false);
  if (document.is_discarded() || document.value("status", "") != "ok")
    return "GET /health did not say {\"status\": \"ok\"}: " + reply.body.substr(0, 200);
  return std::nullopt;
}

// What /metrics must hold for the pipeline's latency and error checks to work on it.
struct MetricsFindings {
  std::map<double, double> buckets;  // le -> cumulative count
  std::optional<double> count;
  std::optional<double> requests_total;
  std::optional<double> errors_total;
  std::string version;
};

Verdict metrics_parse(const Target& target, MetricsFindings& found) {
  const HttpReply reply = target.get("/metrics");
  if (reply.status != 200)
    return "GET /metrics answered HTTP " + std::to_string(reply.status);
  namespace expo = sdk::exposition;
  auto visitor = expo::on_samples([&found](const expo::Sample& s) {
    if (s.name == "demo_request_duration_seconds_bucket") {
      if (auto le = expo::parse_float(s.labels.get("le")))
        found.buckets[*le] = s.value;
    } else if (s.name == "demo_request_duration_seconds_count") {
      found.count = s.value;
    } else if (s.name == "demo_requests_total") {
      found.requests_total = s.value;
    } else if (s.name == "demo_errors_total") {
      found.errors_total = s.value;
    } else if (s.name == "demo_version_info") {
      found.version = std::string(s.labels.get("version"));
    }
  });
  expo::Parser parser(visitor);
  parser.feed(reply.body);
  if (!parser.finish())
    return "/metrics is not a valid exposition page: " + parser.error()->message();
  if (found.buckets.empty() || !found.count)
    return "/metrics has no demo_request_duration_seconds histogram";
  if (!found.requests_total || !found.errors_total)
    return "/metrics lacks demo_requests_total or demo_errors_total";
  const auto inf = found.buckets.find(std::numeric_limits<double>::infinity());
  if (inf == found.buckets.end() || inf->second != *found.count)
    return "demo_request_duration_seconds: the +Inf bucket differs from _count";
  double previous = 0;
  for (const auto& [le, cumulative] : found.buckets) {
    if (cumulative < previous)
      return "demo_request_duration_seconds: bucket le=" + fixed(le, 3) +
             " is below the one before";
    previous = cumulative;
  }
  return std::nullopt;
}

Verdict version_reported(const Target& target, const MetricsFindings& found) {
  const nlohmann::json health = get_json(target, "/health");
  const std::string version = health.value("version", "");
  if (version.empty())
    return "GET /health names no version";
  if (!found.version.empty() && found.version != version)
    return "/health says version " + version + " but demo_version_info says " + found.version;
  return std::nullopt;
}

Verdict latency_p95_within(const Target& target, std::chrono::milliseconds limit) {
  const nlohmann::json state = get_json(target, "/admin/state");
  const auto& recent = state.at("recent");
  const double p95 = recent.at("p95_seconds").get<double>();
  const double limit_seconds = static_cast<double>(limit.count()) / 1000.0;
  if (p95 >= limit_seconds) {
    return "p95 latency " + fixed(p95 * 1000, 0) + " ms over the last " +
           std::to_string(recent.at("requests").get<std::size_t>()) + " requests, limit " +
           std::to_string(limit.count()) + " ms (version " + state.value("version", "?") + ")";
  }
  return std::nullopt;
}

Verdict error_ratio_within(const Target& target, double limit) {
  const nlohmann::json state = get_json(target, "/admin/state");
  const auto& recent = state.at("recent");
  const double ratio = recent.at("error_ratio").get<double>();
  if (ratio > limit) {
    return "error ratio " + fixed(ratio * 100, 2) + "% over the last " +
           std::to_string(recent.at("requests").get<std::size_t>()) + " requests, limit " +
           fixed(limit * 100, 2) + "% (version " + state.value("version", "?") + ")";
  }
  return std::nullopt;
}

std::string iso_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &local);
  return stamp;
}

std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0)
    return "localhost";
  return name;
}

}  // namespace

int demo_tests_command(const std::vector<std::string>& args) {
  int port = -1;
  std::string host = "127.0.0.1", junit, max_p95_text = "500ms", timeout_text = "2s";
  double max_error_ratio = 0.01;
  po::options_description desc("vigil __demo-tests options (internal: the demo pipeline's)");
  desc.add_options()("help,h", "show this help")("port", po::value<int>(&port)->required(),
                                                 "port of the demo service")(
      "host", po::value<std::string>(&host)->default_value(host), "address of the demo service")(
      "junit", po::value<std::string>(&junit)->required(), "JUnit XML report to write")(
      "max-p95", po::value<std::string>(&max_p95_text)->default_value(max_p95_text),
      "p95 latency of the recent requests must stay below this")(
      "max-error-ratio", po::value<double>(&max_error_ratio)->default_value(max_error_ratio),
      "error ratio of the recent requests must not exceed this (0.01 = 1%)")(
      "timeout", po::value<std::string>(&timeout_text)->default_value(timeout_text),
      "limit for each request");
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_demo_args(args, desc, kUsage, vm, &exit_code))
    return exit_code;
  Target target;
  std::chrono::milliseconds max_p95{};
  try {
    target = {host, parse_port_option("--port", port, false),
              parse_duration_option("--timeout", timeout_text)};
    max_p95 = parse_duration_option("--max-p95", max_p95_text);
  } catch (const std::exception& e) {
    std::cerr << "__demo-tests: " << e.what() << "\n";
    return kExitUsage;
  }

  MetricsFindings metrics;
  const std::vector<std::pair<std::string, std::function<Verdict()>>> tests = {
      {"test_health_answers_ok", [&] { return health_answers_ok(target); }},
      {"test_metrics_parse", [&] { return metrics_parse(target, metrics); }},
      {"test_version_reported", [&] { return version_reported(target, metrics); }},
      {"test_latency_p95_within_limit", [&] { return latency_p95_within(target, max_p95); }},
      {"test_error_ratio_within_limit",
       [&] { return error_ratio_within(target, max_error_ratio); }},
  };
  std::vector<TestCaseResult> results;
  const auto suite_start = std::chrono::steady_clock::now();
  for (const auto& [name, test] : tests) {
    const auto start = std::chrono::steady_clock::now();
    TestCaseResult result{kClassName, name, 0, std::nullopt};
    try {
      result.failure = test();
    } catch (const std::exception& e) {
      // Like an exception in a pytest test: the test fails with what was thrown.
      result.failure = e.what();
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << kClassName << "::" << name
              << (result.failure ? " FAILED: " + *result.failure : " PASSED") << "\n";
    results.push_back(std::move(result));
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - suite_start).count();

  std::size_t failed = 0;
  for (const auto& r : results)
    failed += r.failure ? 1 : 0;
  try {
    const auto parent = std::filesystem::path(junit).parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent);
    write_file_atomically(junit,
                          render_junit("demo-health", results, total, iso_now(), hostname()));
  } catch (const std::exception& e) {
    std::cerr << "__demo-tests: --junit " << e.what() << "\n";
    return 3;  // pytest's "internal error"
  }
  std::cout << results.size() - failed << " passed, " << failed << " failed in " << fixed(total, 2)
            << "s; report " << junit << "\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace vigil::demo
