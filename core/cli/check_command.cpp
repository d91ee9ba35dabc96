// `vigil check TYPE -o key=value ...`: one plugin, ad hoc, like a Nagios plugin. One line of
// output and the Nagios exit code, so it drops into Icinga, Nagios or a shell script as is.
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/execution/check_instance.hpp"
#include "core/log/logging.hpp"
#include "core/model/thresholds.hpp"
#include "core/output/result_format.hpp"
#include "core/time/clock.hpp"
#include "vigil/sdk/option_text.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

constexpr const char* kUsage =
    "usage: vigil check TYPE [-o KEY=VALUE]... [-w METRIC<BOUND]... [-c METRIC<BOUND]...\n"
    "                  [--timeout DURATION] [--format text|json] [--plugin-dir DIR]\n"
    "\n"
    "Runs one check once and exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
    "Options (-o): KEY=VALUE for a scalar; repeat KEY=VALUE or write KEY=[a, b] for a list;\n"
    "  KEY.SUB=VALUE or KEY={SUB: VALUE} for a map. `vigil plugins --describe TYPE` lists them.\n"
    "Thresholds (-w, -c): METRIC<98, METRIC<=98, METRIC>0.5, METRIC>=0.5, METRIC==1, METRIC!=0,\n"
    "  or a Nagios range METRIC=10:20 (alert outside 10..20), METRIC=~:80, METRIC=@10:20.";

constexpr int kExitUnknown = 3;  // Nagios plugins exit UNKNOWN on usage errors

// What the SIGALRM handler prints: set before the timer is armed, read only by the handler,
// which may call nothing but write(2) and _exit(2).
const char* g_timeout_text = nullptr;
std::size_t g_timeout_size = 0;

void on_timeout(int) {
  std::size_t written = 0;
  while (written < g_timeout_size) {
    ssize_t n = ::write(STDOUT_FILENO, g_timeout_text + written, g_timeout_size - written);
    if (n <= 0)
      break;
    written += static_cast<std::size_t>(n);
  }
  ::_exit(static_cast<int>(sdk::Status::Unknown));
}

void arm_timeout(std::chrono::milliseconds timeout, const std::string& line) {
  g_timeout_text = line.data();
  g_timeout_size = line.size();
  struct sigaction action {};
  action.sa_handler = on_timeout;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGALRM, &action, nullptr);
  itimerval timer{};
  timer.it_value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  timer.it_value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setitimer(ITIMER_REAL, &timer, nullptr);
}

void disarm_timeout() {
  itimerval off{};
  ::setitimer(ITIMER_REAL, &off, nullptr);
}

// "pass_rate<98" -> {"pass_rate", "<98"}; "load=~:4" -> {"load", "~:4"}.
bool split_threshold(const std::string& text, std::string* metric, std::string* condition) {
  auto pos = text.find_first_of("<>=!");
  if (pos == std::string::npos || pos == 0)
    return false;
  *metric = text.substr(0, pos);
  const bool nagios_range = text[pos] == '=' && (pos + 1 >= text.size() || text[pos + 1] != '=');
  *condition = nagios_range ? text.substr(pos + 1) : text.substr(pos);
  return true;
}

}  // namespace

int check_command(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string type;
  std::vector<std::string> raw_options, warnings, criticals;
  std::string format = "text";
  std::string timeout_text = "30s";

  po::options_description desc("vigil check options");
  desc.add_options()("help,h", "show this help")("type", po::value<std::string>(&type),
                                                 "check type (positional)")(
      "option,o", po::value<std::vector<std::string>>(&raw_options)->composing(),
      "plugin option KEY=VALUE (repeatable)")(
      "warning,w", po::value<std::vector<std::string>>(&warnings)->composing(),
      "warning threshold METRIC<BOUND (repeatable)")(
      "critical,c", po::value<std::vector<std::string>>(&criticals)->composing(),
      "critical threshold METRIC<BOUND (repeatable)")(
      "timeout,t", po::value<std::string>(&timeout_text), "give up after this long (default 30s)")(
      "format,f", po::value<std::string>(&format), "text (Nagios line) or json");
  add_plugin_dir_option(desc, common);
  po::positional_options_description positional;
  positional.add("type", 1);

  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, &positional, kUsage, vm, &exit_code)) {
    return exit_code == kExitUsage ? kExitUnknown : exit_code;
  }
  auto usage_error = [](const std::string& message) {
    std::cerr << "vigil check: " << message << "\n";
    return kExitUnknown;
  };
  if (type.empty())
    return usage_error("missing check TYPE (see `vigil plugins`)");
  if (format != "text" && format != "json") {
    return usage_error("--format must be text or json, got \"" + format + "\"");
  }
  auto timeout = sdk::parse_duration(timeout_text);
  if (!timeout || timeout->count() <= 0) {
    return usage_error("--timeout: expected a duration like 10s, got \"" + timeout_text + "\"");
  }

  core::Thresholds thresholds;
  for (auto [list, is_critical] : {std::pair{&warnings, false}, std::pair{&criticals, true}}) {
    for (const auto& text : *list) {
      std::string metric, condition_text, error;
      if (!split_threshold(text, &metric, &condition_text)) {
        return usage_error(std::string(is_critical ? "-c" : "-w") + " \"" + text +
                           "\": expected METRIC<BOUND, METRIC>BOUND or METRIC=RANGE");
      }
      auto condition = core::Condition::parse(condition_text, &error);
      if (!condition)
        return usage_error(std::string(is_critical ? "-c " : "-w ") + text + ": " + error);
      core::MetricThreshold t;
      t.metric = metric;
      (is_critical ? t.critical : t.warning) = *condition;
      thresholds.add(std::move(t));
    }
  }

  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& o : raw_options) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      return usage_error("-o \"" + o + "\": expected KEY=VALUE");
    }
    pairs.emplace_back(o.substr(0, eq), o.substr(eq + 1));
  }

  core::PluginCatalog catalog;
  catalog.load_for_type(plugin_search_path(common, {}), type);
  // Problems go to stderr even when the type was found: a refused vigil_<TYPE>.so may have been
  // replaced by another plugin's type of the same name, and the operator must see why.
  for (const auto& p : catalog.problems())
    std::cerr << "vigil check: warning: " << p.to_string() << "\n";
  const sdk::CheckFactory* factory = catalog.find_check(type);
  if (factory == nullptr) {
    return usage_error("no plugin provides check type '" + type + "' (see `vigil plugins`)");
  }
  std::vector<sdk::TextOptionError> errors;
  sdk::Options options = sdk::resolve_text_options(factory->info().options, pairs, errors);
  if (!errors.empty()) {
    for (const auto& e : errors)
      std::cerr << "vigil check " << type << ": " << e.message << "\n";
    return kExitUnknown;
  }
  auto created = factory->create(options);
  if (!created.instance) {
    return usage_error(
        type + (created.error_option.empty() ? "" : " option '" + created.error_option + "'") +
        ": " + created.error);
  }

  core::SystemClock clock;
  core::CheckInstance check(core::CheckIdentity{type, type, "", {}}, std::move(thresholds),
                            std::move(created.instance), clock);
  auto render = [&format](const core::CheckResult& r) {
    return core::redact(format == "json" ? core::format_json(r) : core::format_nagios(r)) + "\n";
  };
  const sdk::TimePoint started = clock.now();
  // The plugin runs on this thread (no worker to start and hand over to: `vigil check` should
  // start as fast as a C Nagios plugin). In-process code cannot be killed, so the timeout is a
  // timer signal whose handler prints the UNKNOWN line prepared here and leaves at once.
  const std::string timeout_line = render(check.unknown_result(
      "timed out after " + sdk::format_duration(*timeout) + " (the plugin did not return)",
      started));
  arm_timeout(*timeout, timeout_line);
  const std::atomic<bool> cancel{false};
  const auto steady_deadline = clock.steady_now() + *timeout;
  core::CheckResult result = check.run(started + *timeout, &cancel);
  disarm_timeout();
  // A plugin that sees its deadline pass and returns ("stopped on request") can beat the timer
  // signal by a hair; either way it ran out of time, and the daemon's scheduler would report it
  // so: the same line, whichever won.
  if (clock.steady_now() >= steady_deadline) {
    std::cout << timeout_line << std::flush;
    return static_cast<int>(sdk::Status::Unknown);
  }
  std::cout << render(result) << std::flush;
  return static_cast<int>(result.status);
}

}  // namespace vigil::cli
