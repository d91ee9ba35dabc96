// `vigil silence`: mute alerts that match labels for a while, as `amtool silence` does for
// Alertmanager. Silences live in the state database, so the running daemon sees one as soon as
// it is added, and it survives restarts of either.
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/config/config.hpp"
#include "core/output/result_format.hpp"
#include "core/state/state_database.hpp"
#include "core/state/state_dir.hpp"
#include "vigil/sdk/units.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

// BSD sysexits EX_IOERR: the state database could not be read or written.
constexpr int kExitIoError = 74;

constexpr const char* kUsage =
    "usage: vigil silence add --match LABEL=VALUE [--match ...] (--until TIME | --for DURATION)\n"
    "                         --comment TEXT --by NAME [--expire-on-resolve]\n"
    "       vigil silence list [--all] [--format text|json]\n"
    "       vigil silence expire ID\n"
    "Mutes alerts whose labels (check, pipeline, alertname, severity, ...) match every matcher:\n"
    "LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX, LABEL!~REGEX (regexes match the whole value).\n"
    "TIME is ISO 8601 UTC (2026-11-29T18:00:00Z), DURATION like 30m or 2h.\n"
    "Common options: --state-dir DIR, --config FILE.";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The configuration that names the state directory does not load (exit 78, as validate).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Location {
  std::optional<std::string> state_dir;
  CommonOptions common;
};

void add_location_options(po::options_description& desc, Location& loc) {
  desc.add_options()("state-dir", po::value<std::string>()->notifier([&](const std::string& v) {
    loc.state_dir = v;
  }),
                     "state directory holding vigil.db (default: the config's vigil.state_dir, "
                     "$STATE_DIRECTORY, /var/lib/vigil as root, else ~/.local/state/vigil)")(
      "config,C",
      po::value<std::string>()->notifier([&](const std::string& v) { loc.common.config = v; }),
      "configuration file to read vigil.state_dir from (default: $VIGIL_CONFIG, "
      "/etc/vigil/vigil.yaml)")(
      "env,e",
      po::value<std::string>()->notifier([&](const std::string& v) { loc.common.env = v; }),
      "environment overlay (default: $VIGIL_ENV)");
}

struct OpenedState {
  std::unique_ptr<core::StateDatabase> db;
  std::string deployment;  // the configured window's deployment, scopes a new silence
};

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string(v);
}

// Throws ConfigError for a broken configuration, StateError for the database.
OpenedState open_state(const Location& loc) {
  OpenedState out;
  std::optional<std::filesystem::path> from_config;
  std::optional<std::string> file = loc.common.config ? loc.common.config : env_var("VIGIL_CONFIG");
  if (!file && std::filesystem::exists("/etc/vigil/vigil.yaml"))
    file = "/etc/vigil/vigil.yaml";
  if (file) {
    core::ConfigLoadOptions load_opts;
    load_opts.env = loc.common.env ? loc.common.env : env_var("VIGIL_ENV");
    auto loaded = core::ConfigLoader::load_file(*file, load_opts);
    if (!loaded.ok() && !loc.state_dir) {
      throw ConfigError(loaded.issues.front().to_string() +
                        " (fix the configuration or pass --state-dir)");
    }
    from_config = loaded.config.global.state_dir;
    if (loaded.config.window)
      out.deployment = loaded.config.window->deployment;
  }
  std::optional<std::filesystem::path> cli;
  if (loc.state_dir)
    cli = *loc.state_dir;
  out.db = core::StateDatabase::open(core::resolve_state_dir(cli, from_config));
  return out;
}

std::string state_of(const core::Silence& s, sdk::TimePoint now) {
  if (s.active_at(now))
    return "active";
  if ((s.expired_at && *s.expired_at <= now) || s.ends_at <= now)
    return "expired";
  return "pending";
}

std::string matchers_text(const core::Silence& s) {
  std::string out;
  for (const auto& m : s.matchers)
    out += (out.empty() ? "" : " ") + m.to_string();
  return out;
}

int add(const std::vector<std::string>& args) {
  Location loc;
  po::options_description desc("vigil silence add options");
  desc.add_options()("help,h", "show this help")(
      "match,m", po::value<std::vector<std::string>>()->composing(),
      "LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX (repeatable; all must match)")(
      "until", po::value<std::string>(), "end time, ISO 8601 UTC: 2026-11-29T18:00:00Z")(
      "for", po::value<std::string>(), "duration from now: 30m, 2h, 1d")(
      "comment", po::value<std::string>(), "why (required)")("by", po::value<std::string>(),
                                                             "who is silencing (required)")(
      "expire-on-resolve", "end the silence when the alert it mutes resolves");
  add_location_options(desc, loc);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr, kUsage, vm, &exit_code))
    return exit_code;

  const sdk::TimePoint now = std::chrono::system_clock::now();
  core::Silence s;
  s.starts_at = now;
  if (vm.count("match") == 0)
    throw UsageError("at least one --match is required, e.g. --match check=api-health");
  for (const auto& text : vm["match"].as<std::vector<std::string>>()) {
    try {
      s.matchers.push_back(core::SilenceMatcher::parse(text));
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--match: ") + e.what());
    }
  }
  // As Alertmanager refuses them: a silence whose matchers all match an alert with no labels
  // would mute everything.
  if (s.matches(sdk::Labels{})) {
    throw UsageError(
        "--match: at least one matcher must not match the empty string, or the silence would "
        "mute every alert");
  }
  if ((vm.count("until") != 0) == (vm.count("for") != 0))
    throw UsageError("give exactly one of --until TIME or --for DURATION");
  if (vm.count("until") != 0) {
    const auto& text = vm["until"].as<std::string>();
    auto until = core::parse_rfc3339_utc(text);
    if (!until) {
      throw UsageError("--until: expected ISO 8601 UTC like 2026-11-29T18:00:00Z, got \"" + text +
                       "\"");
    }
    if (*until <= now) {
      throw UsageError("--until: " + text + " is in the past (now " + core::format_rfc3339(now) +
                       ")");
    }
    s.ends_at = *until;
  } else {
    const auto& text = vm["for"].as<std::string>();
    auto length = sdk::parse_duration(text);
    if (!length || length->count() <= 0)
      throw UsageError("--for: expected a positive duration like 30m or 2h, got \"" + text + "\"");
    s.ends_at = now + *length;
  }
  if (vm.count("comment") == 0 || vm["comment"].as<std::string>().empty())
    throw UsageError("--comment is required: say why the alerts are muted");
  if (vm.count("by") == 0 || vm["by"].as<std::string>().empty())
    throw UsageError("--by is required: say who is muting the alerts");
  s.comment = vm["comment"].as<std::string>();
  s.created_by = vm["by"].as<std::string>();
  s.expire_on_resolve = vm.count("expire-on-resolve") != 0;

  OpenedState state = open_state(loc);
  s.deployment = state.deployment;
  std::cout << state.db->add_silence(s) << "\n";
  return 0;
}

int list(const std::vector<std::string>& args) {
  Location loc;
  po::options_description desc("vigil silence list options");
  desc.add_options()("help,h", "show this help")("all,a", "include expired silences")(
      "format", po::value<std::string>()->default_value("text"), "text or json");
  add_location_options(desc, loc);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr, kUsage, vm, &exit_code))
    return exit_code;
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json")
    throw UsageError("--format: expected text or json, got \"" + format + "\"");

  OpenedState state = open_state(loc);
  const sdk::TimePoint now = std::chrono::system_clock::now();
  const auto silences = state.db->silences(vm.count("all") != 0, now);
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : silences) {
      nlohmann::json matchers = nlohmann::json::array();
      for (const auto& m : s.matchers)
        matchers.push_back(m.to_string());
      nlohmann::json j = {{"id", s.id},
                          {"state", state_of(s, now)},
                          {"matchers", matchers},
                          {"starts_at", core::format_rfc3339(s.starts_at)},
                          {"ends_at", core::format_rfc3339(s.ends_at)},
                          {"comment", s.comment},
                          {"created_by", s.created_by},
                          {"expire_on_resolve", s.expire_on_resolve},
                          {"deployment", s.deployment},
                          {"expired_at", nullptr}};
      if (s.expired_at)
        j["expired_at"] = core::format_rfc3339(*s.expired_at);
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (silences.empty()) {
    std::cout << "no silences\n";
    return 0;
  }
  std::cout << std::left << std::setw(6) << "ID" << std::setw(9) << "STATE" << std::setw(22)
            << "ENDS" << std::setw(14) << "BY"
            << "MATCHERS  COMMENT\n";
  for (const auto& s : silences) {
    std::cout << std::left << std::setw(6) << s.id << std::setw(9) << state_of(s, now)
              << std::setw(22) << core::format_rfc3339(s.expired_at ? *s.expired_at : s.ends_at)
              << std::setw(14) << s.created_by << matchers_text(s) << "  " << s.comment << "\n";
  }
  return 0;
}

int expire(const std::vector<std::string>& args) {
  Location loc;
  po::options_description desc("vigil silence expire options");
  desc.add_options()("help,h", "show this help")("id", po::value<std::string>(),
                                                 "the silence to end now");
  add_location_options(desc, loc);
  po::positional_options_description positional;
  positional.add("id", 1);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, &positional, kUsage, vm, &exit_code))
    return exit_code;
  if (vm.count("id") == 0)
    throw UsageError("expire needs the silence ID (see `vigil silence list`)");
  const std::string text = vm["id"].as<std::string>();
  std::int64_t id = 0;
  std::size_t used = 0;
  try {
    id = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0 || id <= 0)
    throw UsageError("expire: ID must be a positive number, got \"" + text + "\"");

  OpenedState state = open_state(loc);
  if (!state.db->expire_silence(id, std::chrono::system_clock::now())) {
    std::cerr << "vigil silence expire: no active or pending silence with ID " << id << "\n";
    return 1;
  }
  std::cout << "expired silence " << id << "\n";
  return 0;
}

}  // namespace

int silence_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage << "\n";
    return args.empty() ? kExitUsage : 0;
  }
  const std::string sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (sub == "add")
      return add(rest);
    if (sub == "list")
      return list(rest);
    if (sub == "expire")
      return expire(rest);
    throw UsageError("unknown subcommand '" + sub + "' (add, list or expire)");
  } catch (const UsageError& e) {
    std::cerr << "vigil silence: " << e.what() << "\n";
    return kExitUsage;
  } catch (const ConfigError& e) {
    std::cerr << "vigil silence: " << e.what() << "\n";
    return kExitConfig;
  } catch (const core::StateError& e) {
    std::cerr << "vigil silence: " << e.what() << "\n";
    return kExitIoError;
  }
}

}  // namespace vigil::cli
