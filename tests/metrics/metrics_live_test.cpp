// A running `vigil run` (a small config of its own: noop checks, a fixture plugin with awkward
// labels, rules with thresholds) against the real tools that read its metrics: promtool checks
// the exposition and the shipped alert rules, node_exporter serves the textfile, Prometheus
// scrapes /metrics with the shipped scrape config and gives every series back through its HTTP
// API, and the shipped Grafana dashboard uses nothing vigil does not export.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "testing/local_server.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace support = vigil::testing_support;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";
const std::string kPrometheus = "/usr/bin/prometheus";
const std::string kPromtool = "/usr/bin/promtool";
const std::string kNodeExporter = "/usr/bin/prometheus-node-exporter";
const fs::path kPackaging = VIGIL_SOURCE_DIR "/packaging/prometheus";

// The value the fixture plugin puts in a label, to see it survive every reader.
const std::string kAwkwardValue = "quote\" back\\slash\nnewline";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a command through sh, its output (stdout and stderr) into `out`; returns the exit code.
int run_shell(const std::string& command, std::string& out) {
  out.clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr)
    return -1;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string url_encode(const std::string& text) {
  std::string escaped;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
      escaped += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      escaped += buf;
    }
  }
  return escaped;
}

// Polls `probe` until it returns true or `limit` passes.
bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (probe())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return probe();
}

// One sample line of an exposition, labels parsed (and unescaped).
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

std::vector<Sample> parse_exposition(const std::string& text) {
  std::vector<Sample> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
      ++i;
    s.name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const std::size_t eq = line.find('=', i);
        const std::string key = line.substr(i, eq - i);
        std::string value;
        i = eq + 2;  // past ="
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size()) {
            const char next = line[++i];
            value += next == 'n' ? '\n' : next;
          } else {
            value += line[i];
          }
          ++i;
        }
        s.labels[key] = value;
        i += 1;  // past "
        if (i < line.size() && line[i] == ',')
          ++i;
      }
      ++i;  // past }
    }
    s.value = line.substr(line.find_first_not_of(' ', i));
    out.push_back(std::move(s));
  }
  return out;
}

// The value of the one sample of `name` whose labels include `want`; empty when there is none.
std::string value_of(const std::vector<Sample>& samples, const std::string& name,
                     const std::map<std::string, std::string>& want) {
  for (const auto& s : samples) {
    if (s.name != name)
      continue;
    bool match = true;
    for (const auto& [k, v] : want) {
      auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match)
      return s.value;
  }
  return {};
}

struct Live {
  fs::path dir;
  int vigil_port = 0;
  std::unique_ptr<support::ChildProcess> vigil;
  std::string error;

  ~Live() {
    vigil.reset();
    if (!dir.empty())
      fs::remove_all(dir);
  }
  std::string metrics_url() const {
    return "http://127.0.0.1:" + std::to_string(vigil_port) + "/metrics";
  }
  std::string scrape() const {
    std::string body;
    support::http_get(metrics_url(), body);
    return body;
  }
};

std::unique_ptr<Live> start_vigil() {
  auto live = std::make_unique<Live>();
  char pattern[] = "/tmp/vigil_metrics_live_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    live->error = "cannot make a temporary directory";
    return live;
  }
  live->dir = pattern;
  fs::create_directories(live->dir / "textfile");
  live->vigil_port = support::free_loopback_port();
  std::ofstream(live->dir / "vigil.yaml")
      << "vigil:\n"
         "  metrics:\n"
         "    listen: \"127.0.0.1:"
      << live->vigil_port
      << "\"\n    textfile: " << (live->dir / "textfile" / "vigil.prom").string()
      << "\n"
         "actions:\n"
         "  - {name: rollback, plugin: rollback, options: {command: [/bin/true]}}\n"
         "  - {name: sink, plugin: command, options: {command: [/bin/true]}}\n"
         "window:\n"
         "  duration: 1h\n"
         "  deployment: metrics-live\n"
         "  on_failure: [rollback]\n"
         "pipelines:\n"
         "  - name: web\n"
         "    defaults: {interval: 1s, timeout: 1s}\n"
         "    checks:\n"
         "      - name: steady\n"
         "        plugin: noop\n"
         "        options: {value: 42}\n"
         "        thresholds: {value: {warning: \"> 80\", critical: \"> 90\"}}\n"
         "      - name: errors\n"
         "        plugin: noop\n"
         "        options: {value: 7.5}\n"
         "        thresholds: {value: {critical: \"> 5\"}}\n"
         "      - name: disks\n"
         "        plugin: labelled_metrics\n"
         "        options: {value: 70}\n"
         "        thresholds:\n"
         "          used_percent: {warning: \"> 80\", critical: \"> 90\", labels: {mount: /}}\n"
         "    rules:\n"
         "      - {name: errors-high, check: errors, when: \"value > 5\", severity: critical,\n"
         "         notify: [sink]}\n"
         "      - {name: disks-full, check: disks, when: \"used_percent > 95\", severity: "
         "warning}\n";
  live->vigil = std::make_unique<support::ChildProcess>(
      std::vector<std::string>{kVigil, "run", "--config", (live->dir / "vigil.yaml").string(),
                               "--state-dir", (live->dir / "state").string(), "--plugin-dir",
                               VIGIL_METRICS_PLUGIN_DIR},
      (live->dir / "vigil.log").string());
  // Ready when the alert fired and its notification has been counted: everything a test
  // asks about has happened by then.
  const bool ready = eventually(
      [&] {
        const auto samples = parse_exposition(live->scrape());
        return value_of(samples, "vigil_alert_state", {{"rule", "errors-high"}}) == "2" &&
               value_of(samples, "vigil_actions_total", {{"action", "sink"}, {"outcome", "ok"}}) ==
                   "1" &&
               !value_of(samples, "vigil_check_metric", {{"check", "disks"}}).empty();
      },
      60s);
  if (!ready)
    live->error = "vigil did not serve the expected state within 60s; its log:\n" +
                  slurp(live->dir / "vigil.log") + "\nlast scrape:\n" + live->scrape();
  return live;
}

class MetricsLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { live_ = start_vigil(); }
  static void TearDownTestSuite() { live_.reset(); }
  void SetUp() override { ASSERT_TRUE(live_ && live_->error.empty()) << live_->error; }

  static std::unique_ptr<Live> live_;
};

std::unique_ptr<Live> MetricsLive::live_;

TEST_F(MetricsLive, ServesEverySeriesWithItsThresholdsAndEscapedLabels) {
  const auto samples = parse_exposition(live_->scrape());
  EXPECT_EQ(value_of(samples, "vigil_check_status", {{"check", "errors"}}), "2");
  EXPECT_EQ(value_of(samples, "vigil_check_status", {{"check", "steady"}}), "0");
  const std::map<std::string, std::string> root{
      {"check", "disks"}, {"metric", "used_percent"}, {"mount", "/"}};
  EXPECT_EQ(value_of(samples, "vigil_check_metric", root), "70");
  EXPECT_EQ(value_of(samples, "vigil_check_metric_warning_threshold", root), "80");
  EXPECT_EQ(value_of(samples, "vigil_check_metric_critical_threshold", root), "90");
  // /var has no threshold of the check: the warning rule's bound.
  EXPECT_EQ(value_of(samples, "vigil_check_metric_warning_threshold",
                     {{"check", "disks"}, {"mount", "/var"}, {"device", kAwkwardValue}}),
            "95");
  EXPECT_EQ(
      value_of(
          samples, "vigil_check_metric",
          {{"metric", "p95"}, {"exported_check", "inner"}, {"bad_name", "x"}, {"_reserved", "y"}}),
      "0.25");
  EXPECT_EQ(value_of(samples, "vigil_check_metric_warning_threshold", {{"metric", "p95"}}), "0.4");
  EXPECT_EQ(value_of(samples, "vigil_check_metric", {{"metric", "not_a_number"}}), "NaN");
  EXPECT_EQ(value_of(samples, "vigil_window_verdict", {{"verdict", "failed"}}), "1");
  EXPECT_EQ(value_of(samples, "vigil_window_concluded", {{"deployment", "metrics-live"}}), "0");
  EXPECT_EQ(value_of(samples, "vigil_rollbacks_total", {{"action", "rollback"}, {"outcome", "ok"}}),
            "0");
}

TEST_F(MetricsLive, PromtoolFindsNothingWrongWithTheExposition) {
  if (!support::executable(kPromtool))
    GTEST_SKIP() << kPromtool << " is not installed (apt-get install prometheus)";
  const fs::path file = live_->dir / "scraped.prom";
  std::ofstream(file) << live_->scrape();
  std::string out;
  EXPECT_EQ(run_shell(kPromtool + " check metrics < " + file.string(), out), 0) << out;
  EXPECT_EQ(out, "") << slurp(file);
}

// Every vigil_* name in the shipped rules and dashboard is a family vigil exports.
std::set<std::string> vigil_names_in(const std::string& text) {
  std::set<std::string> names;
  const std::regex name(R"(\bvigil_[a-zA-Z0-9_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it)
    names.insert(it->str());
  return names;
}

std::set<std::string> exported_families(const std::string& exposition) {
  std::set<std::string> families;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0)
      families.insert(line.substr(7, line.find(' ', 7) - 7));
  }
  return families;
}

// The PromQL of every panel target and template variable of the dashboard.
std::vector<std::string> dashboard_queries(const nlohmann::json& dashboard) {
  std::vector<std::string> out;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& panels) {
    for (const auto& p : panels) {
      if (p.contains("panels"))
        walk(p["panels"]);
      for (const auto& t : p.value("targets", nlohmann::json::array()))
        out.push_back(t.at("expr").get<std::string>());
    }
  };
  walk(dashboard.at("panels"));
  for (const auto& v : dashboard.at("templating").at("list")) {
    if (v.value("type", "") == "query")
      out.push_back(v.at("query").at("query").get<std::string>());
  }
  return out;
}

TEST_F(MetricsLive, TheDashboardAndRulesUseOnlySeriesVigilExports) {
  const auto dashboard = nlohmann::json::parse(slurp(kPackaging / "grafana-dashboard.json"));
  EXPECT_EQ(dashboard.at("title"), "48-Hour Post-Deployment Monitoring");
  const std::set<std::string> exported = exported_families(live_->scrape());
  const auto queries = dashboard_queries(dashboard);
  ASSERT_GE(queries.size(), 20u);
  // Outside label matchers and quotes, an identifier that is not a PromQL function, keyword or
  // a label list of by/on/without is a series name: it must be vigil's.
  const std::set<std::string> words{"and",     "or",       "unless", "by",    "on",
                                    "without", "ignoring", "bool",   "offset"};
  for (const std::string& q : queries) {
    std::string bare = std::regex_replace(q, std::regex(R"(\{[^}]*\}|\[[^\]]*\]|"[^"]*")"), "");
    bare = std::regex_replace(
        bare, std::regex(R"(\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\))"), "");
    bare = std::regex_replace(bare, std::regex(R"(label_values\(([a-z_0-9]+)\s*,\s*\w+\))"), "$1");
    const std::regex ident(R"([a-zA-Z_][a-zA-Z0-9_]*(\s*\()?)");
    for (auto it = std::sregex_iterator(bare.begin(), bare.end(), ident);
         it != std::sregex_iterator(); ++it) {
      const std::string token = it->str();
      if ((*it)[1].matched || words.count(token) != 0)
        continue;  // a function call or a keyword
      EXPECT_EQ(token.rfind("vigil_", 0), 0u) << "not a vigil series: " << token << " in " << q;
      EXPECT_EQ(exported.count(token), 1u) << token << " is not exported; in " << q;
    }
    for (const auto& name : vigil_names_in(q))
      EXPECT_EQ(exported.count(name), 1u) << name << " is not exported; in " << q;
  }
  for (const auto& name : vigil_names_in(slurp(kPackaging / "vigil-alerts.yml")))
    EXPECT_EQ(exported.count(name), 1u) << name << " in vigil-alerts.yml is not exported";
}

TEST_F(MetricsLive, NodeExporterServesTheTextfile) {
  if (!support::executable(kNodeExporter))
    GTEST_SKIP() << kNodeExporter << " is not installed (apt-get install prometheus-node-exporter)";
  const int port = support::free_loopback_port();
  support::ChildProcess node_exporter(
      {kNodeExporter, "--web.listen-address=127.0.0.1:" + std::to_string(port),
       "--collector.disable-defaults", "--collector.textfile",
       "--collector.textfile.directory=" + (live_->dir / "textfile").string()},
      (live_->dir / "node_exporter.log").string());
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  ASSERT_TRUE(support::wait_until_ready(url, 30s)) << slurp(live_->dir / "node_exporter.log");
  std::vector<Sample> samples;
  // The textfile follows the results: the alert has fired there too once vigil wrote it again.
  ASSERT_TRUE(eventually(
      [&] {
        std::string body;
        support::http_get(url, body);
        samples = parse_exposition(body);
        return value_of(samples, "vigil_alert_state", {{"rule", "errors-high"}}) == "2";
      },
      30s))
      << slurp(live_->dir / "textfile" / "vigil.prom");
  EXPECT_EQ(value_of(samples, "node_textfile_scrape_error", {}), "0")
      << slurp(live_->dir / "node_exporter.log");
  EXPECT_EQ(value_of(samples, "vigil_check_status", {{"check", "errors"}}), "2");
  const std::map<std::string, std::string> root{
      {"check", "disks"}, {"metric", "used_percent"}, {"mount", "/"}};
  EXPECT_EQ(value_of(samples, "vigil_check_metric", root), "70");
  EXPECT_EQ(value_of(samples, "vigil_check_metric_critical_threshold", root), "90");
  EXPECT_EQ(value_of(samples, "vigil_check_metric",
                     {{"metric", "used_percent"}, {"device", kAwkwardValue}}),
            "35");
  // Written by rename: no temporary file is ever left for node_exporter to read.
  for (const auto& e : fs::directory_iterator(live_->dir / "textfile"))
    EXPECT_EQ(e.path().filename(), "vigil.prom");
}

// Clients that connect and never send a request take every connection /metrics serves; the
// checks go on meanwhile (vigil logs each result) and /metrics answers again once the clients
// are gone.
TEST_F(MetricsLive, ChecksGoOnWhileIdleClientsHoldEveryConnection) {
  auto results = [&] {
    const std::string log = slurp(live_->dir / "vigil.log");
    std::size_t n = 0;
    for (std::size_t at = 0; (at = log.find("] \u2717 errors: CRITICAL", at)) != std::string::npos;
         ++at)
      ++n;
    return n;
  };
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(live_->vigil_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    idle.push_back(fd);
  }
  // Accepted in order: once a ninth connection is turned away, the eight hold every slot.
  ASSERT_TRUE(eventually([&] { return live_->scrape().empty(); }, 10s));
  const std::size_t before = results();
  EXPECT_TRUE(eventually([&] { return results() >= before + 2; }, 10s))
      << "no new results while /metrics was saturated:\n"
      << slurp(live_->dir / "vigil.log");
  for (const int fd : idle)
    ::close(fd);
  EXPECT_TRUE(eventually([&] { return !live_->scrape().empty(); }, 10s));
}

// The shipped scrape config pointed at this vigil, every second.
std::string prometheus_config(int vigil_port, const fs::path& rules) {
  std::string snippet = slurp(kPackaging / "scrape-vigil.yml");
  snippet = std::regex_replace(snippet, std::regex("127\\.0\\.0\\.1:28445"),
                               "127.0.0.1:" + std::to_string(vigil_port));
  snippet = std::regex_replace(snippet, std::regex("scrape_interval: 15s"), "scrape_interval: 1s");
  snippet = std::regex_replace(snippet, std::regex("scrape_timeout: 10s"), "scrape_timeout: 1s");
  std::string indented;
  std::istringstream in(snippet);
  for (std::string line; std::getline(in, line);)
    indented += "  " + line + "\n";
  return "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         "rule_files: ['" +
         rules.string() + "']\nscrape_configs:\n" + indented;
}

TEST_F(MetricsLive, PrometheusScrapesItAndGivesTheSeriesBack) {
  if (!support::executable(kPrometheus))
    GTEST_SKIP() << kPrometheus << " is not installed (apt-get install prometheus)";
  const fs::path dir = live_->dir / "prometheus";
  fs::create_directories(dir);
  std::ofstream(dir / "prometheus.yml")
      << prometheus_config(live_->vigil_port, kPackaging / "vigil-alerts.yml");
  const int port = support::free_loopback_port();
  support::ChildProcess prometheus(
      {kPrometheus, "--config.file=" + (dir / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (dir / "data").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      (dir / "prometheus.log").string());
  const std::string server = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(support::wait_until_ready(server + "/-/ready", 60s)) << slurp(dir / "prometheus.log");
  auto query = [&](const std::string& promql) {
    std::string body;
    support::http_get(server + "/api/v1/query?query=" + url_encode(promql), body);
    return nlohmann::json::parse(body, nullptr, false);
  };
  // One value of a query with exactly one series; empty when there is not exactly one.
  auto one = [&](const std::string& promql) -> std::string {
    const auto answer = query(promql);
    if (answer.is_discarded() || answer["status"] != "success")
      return "error";
    const auto& result = answer["data"]["result"];
    return result.size() == 1 ? result[0]["value"][1].get<std::string>() : std::string();
  };
  ASSERT_TRUE(eventually([&] { return one("up{job=\"vigil\"}") == "1"; }, 30s))
      << slurp(dir / "prometheus.log");
  EXPECT_EQ(one("vigil_check_status{job=\"vigil\",check=\"errors\"}"), "2");
  EXPECT_EQ(one("vigil_check_status{check=\"steady\"}"), "0");
  const std::string root = "{check=\"disks\",metric=\"used_percent\",mount=\"/\"}";
  EXPECT_EQ(one("vigil_check_metric" + root), "70");
  EXPECT_EQ(one("vigil_check_metric_warning_threshold" + root), "80");
  EXPECT_EQ(one("vigil_check_metric_critical_threshold" + root), "90");
  // The same labels on value and bound: PromQL matches them one to one.
  EXPECT_EQ(one("vigil_check_metric_critical_threshold" + root + " - vigil_check_metric" + root),
            "20");
  EXPECT_EQ(one("vigil_alert_state{rule=\"errors-high\",severity=\"critical\"}"), "2");
  EXPECT_EQ(one("vigil_window_verdict{deployment=\"metrics-live\",verdict=\"failed\"}"), "1");
  // The awkward label value arrives as the plugin wrote it.
  const auto var = query("vigil_check_metric{mount=\"/var\"}");
  ASSERT_EQ(var["data"]["result"].size(), 1u) << var.dump();
  EXPECT_EQ(var["data"]["result"][0]["metric"]["device"], kAwkwardValue);

  // The shipped rules, evaluated on these series: the firing vigil rule and the CRITICAL
  // check are alerts (pending or firing, by their `for`), vigil being up is not.
  std::set<std::string> alerts;
  ASSERT_TRUE(eventually(
      [&] {
        std::string body;
        support::http_get(server + "/api/v1/alerts", body);
        const auto answer = nlohmann::json::parse(body, nullptr, false);
        alerts.clear();
        if (!answer.is_discarded()) {
          for (const auto& a : answer["data"]["alerts"])
            alerts.insert(a["labels"]["alertname"].get<std::string>());
        }
        return alerts.count("VigilAlertFiring") != 0 && alerts.count("VigilCheckCritical") != 0 &&
               alerts.count("VigilVerdictFailing") != 0;
      },
      30s));
  EXPECT_EQ(alerts.count("VigilDown"), 0u);
  EXPECT_EQ(alerts.count("VigilAbsent"), 0u);
  EXPECT_EQ(alerts.count("VigilVerdictFailed"), 0u);

  // Every dashboard query is valid PromQL that Prometheus runs (Grafana's variables filled in).
  const auto dashboard = nlohmann::json::parse(slurp(kPackaging / "grafana-dashboard.json"));
  for (std::string q : dashboard_queries(dashboard)) {
    if (q.rfind("label_values(", 0) == 0)
      continue;  // Grafana's, not PromQL
    q = std::regex_replace(q, std::regex(R"(\$__rate_interval)"), "1m");
    q = std::regex_replace(q, std::regex(R"(\$(instance|deployment|metric))"), ".*");
    const auto answer = query(q);
    EXPECT_EQ(answer.value("status", ""), "success") << q << ": " << answer.dump();
  }
}

// The shipped rules, without vigil: valid, and each alert firing exactly when it should on
// series shaped like vigil's (tests/metrics/vigil_alerts_test.yml).
TEST(ShippedAlertRules, PassPromtoolsCheckAndUnitTests) {
  if (!support::executable(kPromtool))
    GTEST_SKIP() << kPromtool << " is not installed (apt-get install prometheus)";
  std::string out;
  EXPECT_EQ(
      run_shell(kPromtool + " check rules " + (kPackaging / "vigil-alerts.yml").string(), out), 0)
      << out;
  EXPECT_NE(out.find("SUCCESS: 12 rules found"), std::string::npos) << out;
  EXPECT_EQ(run_shell("cd " VIGIL_SOURCE_DIR "/tests/metrics && " + kPromtool +
                          " test rules vigil_alerts_test.yml",
                      out),
            0)
      << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;
}

// A window that ends in a rollback, through to vigil's exit: the textfile it leaves behind
// holds the final verdict, the rollback and its failed verification, counted from the state
// database. /metrics is off, so nothing listens.
TEST(MetricsTextfile, ARolledBackWindowLeavesItsVerdictAndRollbackBehind) {
  char pattern[] = "/tmp/vigil_metrics_rollback_XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  std::ofstream(dir / "vigil.yaml")
      << "vigil:\n  metrics: {listen: \"off\", textfile: " << (dir / "vigil.prom").string()
      << "}\n"
         "actions:\n"
         "  - name: rollback\n"
         "    plugin: rollback\n"
         "    options: {command: [/bin/true], verify: [errors], verify_within: 2s,\n"
         "              verify_interval: 500ms}\n"
         "window: {duration: 1h, deployment: rb-1}\n"
         "pipelines:\n"
         "  - name: web\n"
         "    defaults: {interval: 500ms, timeout: 500ms}\n"
         "    checks:\n"
         "      - name: errors\n"
         "        plugin: noop\n"
         "        options: {value: 7.5}\n"
         "        thresholds: {value: {critical: \"> 5\"}}\n"
         "    rules:\n"
         "      - name: errors-high\n"
         "        check: errors\n"
         "        when: \"value > 5\"\n"
         "        severity: critical\n"
         "        escalation: [{after: 1s, run: [rollback]}]\n";
  support::ChildProcess vigil({kVigil, "run", "--config", (dir / "vigil.yaml").string(),
                               "--state-dir", (dir / "state").string()},
                              (dir / "vigil.log").string());
  ASSERT_TRUE(eventually([&] { return !vigil.running(); }, 60s))
      << "the window did not conclude; log:\n"
      << slurp(dir / "vigil.log");
  const std::string log = slurp(dir / "vigil.log");
  EXPECT_NE(log.find("VERDICT FAILED"), std::string::npos) << log;
  EXPECT_EQ(log.find("metrics: serving"), std::string::npos) << log;
  const auto samples = parse_exposition(slurp(dir / "vigil.prom"));
  EXPECT_EQ(value_of(samples, "vigil_window_concluded", {{"deployment", "rb-1"}}), "1");
  EXPECT_EQ(value_of(samples, "vigil_window_verdict", {{"verdict", "failed"}}), "1");
  EXPECT_EQ(value_of(samples, "vigil_window_verdict", {{"verdict", "successful"}}), "0");
  EXPECT_EQ(value_of(samples, "vigil_rollbacks_total", {{"action", "rollback"}, {"outcome", "ok"}}),
            "1");
  EXPECT_EQ(value_of(samples, "vigil_actions_total",
                     {{"action", "rollback"}, {"type", "verify"}, {"outcome", "failed"}}),
            "1");
  // Concluded within seconds of a 1h window: it stopped early, and the ratio says where.
  const std::string progress = value_of(samples, "vigil_window_progress_ratio", {});
  ASSERT_FALSE(progress.empty());
  EXPECT_GT(std::stod(progress), 0);
  EXPECT_LT(std::stod(progress), 0.05);
}

}  // namespace
