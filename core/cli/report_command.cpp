// `vigil report`: the seed's final 48-hour report, from the state database alone, so it can be
// made while vigil runs, after the window concluded, or on another machine from a copy of the
// state directory.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <tuple>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/config/config.hpp"
#include "core/output/result_format.hpp"
#include "core/report/report_loader.hpp"
#include "core/report/report_render.hpp"
#include "core/state/atomic_file.hpp"
#include "core/state/state_database.hpp"
#include "core/state/state_dir.hpp"
#include "core/state/state_error.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

constexpr int kExitNoInput = 66;  // no state database where we were told to look
constexpr int kExitIoError = 74;

constexpr const char* kUsage =
    "usage: vigil report [--format md|html|json] [--output FILE] [--since TIME] [--until TIME]\n"
    "                    [--state-dir DIR] [--config FILE] [--env NAME]\n"
    "The final report of the observation window from the stored history: start, end, outcome,\n"
    "average pass rate, error rate, P95, uptime per check, alerts triggered, silences, actions.\n"
    "Without a window it covers the stored history up to now. html is one self-contained page\n"
    "with a chart per metric. TIME is ISO 8601 UTC (2026-11-29T18:00:00Z).";

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string(v);
}

}  // namespace

int report_command(const std::vector<std::string>& args) {
  std::string format = "md";
  std::optional<std::string> output, state_dir, since_text, until_text;
  CommonOptions common;
  po::options_description desc("vigil report options");
  desc.add_options()("help,h", "show this help")(
      "format,f", po::value<std::string>(&format)->default_value("md"), "md, html or json")(
      "output,o", po::value<std::string>()->notifier([&](const std::string& v) { output = v; }),
      "write the report to FILE (atomically) instead of standard output")(
      "since", po::value<std::string>()->notifier([&](const std::string& v) { since_text = v; }),
      "start of the report instead of the window's start")(
      "until", po::value<std::string>()->notifier([&](const std::string& v) { until_text = v; }),
      "end of the report instead of the window's end (or now)")(
      "state-dir", po::value<std::string>()->notifier([&](const std::string& v) { state_dir = v; }),
      "state directory holding vigil.db (default: the config's vigil.state_dir, "
      "$STATE_DIRECTORY, /var/lib/vigil as root, else ~/.local/state/vigil)")(
      "config,C",
      po::value<std::string>()->notifier([&](const std::string& v) { common.config = v; }),
      "configuration file to read vigil.state_dir and the window from (default: $VIGIL_CONFIG, "
      "/etc/vigil/vigil.yaml)")(
      "env,e", po::value<std::string>()->notifier([&](const std::string& v) { common.env = v; }),
      "environment overlay (default: $VIGIL_ENV)");
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr, kUsage, vm, &exit_code))
    return exit_code;
  if (format == "markdown")
    format = "md";
  if (format != "md" && format != "html" && format != "json") {
    std::cerr << "vigil report: --format: expected md, html or json, got \"" << format << "\"\n";
    return kExitUsage;
  }

  core::report::ReportLoadOptions load;
  load.now = std::chrono::system_clock::now();
  for (auto [text, target, name] : {std::tuple{&since_text, &load.since, "--since"},
                                    std::tuple{&until_text, &load.until, "--until"}}) {
    if (!*text)
      continue;
    *target = core::parse_rfc3339_utc(**text);
    if (!*target) {
      std::cerr << "vigil report: " << name
                << ": expected ISO 8601 UTC like 2026-11-29T18:00:00Z, got \"" << **text << "\"\n";
      return kExitUsage;
    }
  }

  // The configuration only says where the state is and how long an extension lasts; a report
  // must not need the plugins, so only phase 1 is read.
  std::optional<std::filesystem::path> from_config;
  std::optional<std::string> file = common.config ? common.config : env_var("VIGIL_CONFIG");
  if (!file && std::filesystem::exists("/etc/vigil/vigil.yaml"))
    file = "/etc/vigil/vigil.yaml";
  if (file) {
    core::ConfigLoadOptions load_opts;
    load_opts.env = common.env ? common.env : env_var("VIGIL_ENV");
    auto loaded = core::ConfigLoader::load_file(*file, load_opts);
    if (!loaded.ok() && !state_dir) {
      std::cerr << "vigil report: " << loaded.issues.front().to_string()
                << " (fix the configuration or pass --state-dir)\n";
      return kExitConfig;
    }
    from_config = loaded.config.global.state_dir;
    if (loaded.config.window)
      load.extension_length = loaded.config.window->extend_on_inconclusive;
  }
  const std::filesystem::path dir = core::resolve_state_dir(
      state_dir ? std::optional<std::filesystem::path>(*state_dir) : std::nullopt, from_config);
  // Opening creates a database; a report of an empty new one would only hide a wrong path.
  if (!std::filesystem::exists(dir / "vigil.db")) {
    std::cerr << "vigil report: no state database in " << dir.string()
              << " (run `vigil run` first, or pass --state-dir)\n";
    return kExitNoInput;
  }

  std::string text;
  try {
    auto db = core::StateDatabase::open(dir);
    const core::report::ReportData data = core::report::load_report_data(*db, load);
    if (format == "md") {
      text = core::report::render_markdown(data);
    } else if (format == "html") {
      text = core::report::render_html(data);
    } else {
      // Action output may hold any bytes; invalid UTF-8 becomes U+FFFD rather than an error.
      text = core::report::render_json(data).dump(2, ' ', false,
                                                  nlohmann::json::error_handler_t::replace) +
             "\n";
    }
  } catch (const core::StateError& e) {
    std::cerr << "vigil report: " << e.what() << "\n";
    return kExitIoError;
  }

  if (!output) {
    std::cout << text;
    std::cout.flush();
    return std::cout ? 0 : kExitIoError;
  }
  try {
    core::write_file_atomically(*output, text);
  } catch (const std::exception& e) {
    std::cerr << "vigil report: --output " << *output << ": " << e.what() << "\n";
    return kExitIoError;
  }
  return 0;
}

}  // namespace vigil::cli
