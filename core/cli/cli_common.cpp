#include "core/cli/cli_common.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "core/actions/command_action.hpp"
#include "core/cli/embedded_config.hpp"
#include "core/log/logging.hpp"
#include "core/state/state_dir.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

void add_config_options(po::options_description& desc, CommonOptions& opts) {
  desc.add_options()(
      "config,C",
      po::value<std::string>()->notifier([&](const std::string& v) { opts.config = v; }),
      "configuration file (default: $VIGIL_CONFIG, /etc/vigil/vigil.yaml, or the embedded "
      "default pipeline)")(
      "env,e", po::value<std::string>()->notifier([&](const std::string& v) { opts.env = v; }),
      "environment overlay: reads environments/NAME.yaml beside the config (default: "
      "$VIGIL_ENV)")("log-level", po::value<std::string>()->notifier([&](const std::string& v) {
    opts.log_level = v;
  }),
                     "trace, debug, info, warning or error (overrides the config)");
  add_plugin_dir_option(desc, opts);
}

void add_plugin_dir_option(po::options_description& desc, CommonOptions& opts) {
  desc.add_options()("plugin-dir,P",
                     po::value<std::vector<std::string>>()->composing()->notifier(
                         [&](const std::vector<std::string>& v) { opts.plugin_dirs = v; }),
                     "directory to load plugins from (repeatable; searched first)");
}

bool parse_verb_args(const std::vector<std::string>& args, const po::options_description& desc,
                     const po::positional_options_description* positional, const char* usage,
                     po::variables_map& vm, int* exit_code) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional != nullptr)
      parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help") != 0) {
      std::cout << usage << "\n\n" << desc << "\n";
      *exit_code = 0;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vigil: " << e.what() << "\n" << usage << "\n(see --help)\n";
    *exit_code = kExitUsage;
    return false;
  }
  return true;
}

namespace {

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return std::nullopt;
  return std::string(v);
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : exe.parent_path();
}

}  // namespace

std::vector<std::filesystem::path> plugin_search_path(
    const CommonOptions& opts, const std::vector<std::filesystem::path>& from_config) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& d : opts.plugin_dirs)
    dirs.emplace_back(d);
  if (auto path = env_var("VIGIL_PLUGIN_PATH")) {
    std::size_t start = 0;
    while (start <= path->size()) {
      auto colon = path->find(':', start);
      auto part =
          path->substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!part.empty())
        dirs.emplace_back(part);
      if (colon == std::string::npos)
        break;
      start = colon + 1;
    }
  }
  for (const auto& d : from_config)
    dirs.push_back(d);
  // A binary in a build tree (build/bin/vigil) uses the plugins built beside it, so a developer
  // never loads stale installed plugins by accident.
  std::error_code ec;
  const auto build_plugins = executable_dir() / ".." / "plugins-out";
  if (std::filesystem::is_directory(build_plugins, ec)) {
    dirs.push_back(std::filesystem::weakly_canonical(build_plugins, ec));
  } else {
    dirs.emplace_back(VIGIL_DEFAULT_PLUGIN_DIR);
  }
  return dirs;
}

LoadedConfiguration load_configuration(const CommonOptions& opts) {
  LoadedConfiguration loaded;
  core::ConfigLoadOptions load_opts;
  load_opts.env = opts.env ? opts.env : env_var("VIGIL_ENV");

  std::error_code exe_error;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", exe_error).string();
  if (!exe_error)
    ::setenv("VIGIL_EXE", exe.c_str(), 1);

  // ${VIGIL_STATE_DIR}: the state directory by default (`vigil run --state-dir` sets it first),
  // so a config can keep its own files beside vigil's.
  if (!env_var("VIGIL_STATE_DIR"))
    ::setenv("VIGIL_STATE_DIR", core::resolve_state_dir(std::nullopt, std::nullopt).c_str(), 1);
  const std::string state_dir_value = env_var("VIGIL_STATE_DIR").value_or("");

  std::optional<std::string> file = opts.config ? opts.config : env_var("VIGIL_CONFIG");
  if (!file && std::filesystem::exists("/etc/vigil/vigil.yaml"))
    file = "/etc/vigil/vigil.yaml";
  if (file) {
    loaded.source = *file;
    loaded.config_file = *file;
    loaded.config = core::ConfigLoader::load_file(*file, load_opts);
  } else {
    loaded.source = "<embedded default>";
    loaded.config =
        core::ConfigLoader::load_string(kEmbeddedDefaultConfig, loaded.source, load_opts);
  }
  // ${VIGIL_EXE} is interpolated like any variable, but it is no secret: keep it readable.
  std::erase(loaded.config.config.secrets, exe);
  std::erase(loaded.config.config.secrets, state_dir_value);
  core::set_log_secrets(loaded.config.config.secrets);

  loaded.catalog = std::make_unique<core::PluginCatalog>();
  loaded.plugin_dirs = plugin_search_path(opts, loaded.config.config.global.plugin_dirs);
  for (const auto& dir : loaded.plugin_dirs) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
      loaded.catalog->load_directory(dir);
  }
  loaded.incident_sources = std::make_shared<core::IncidentSources>();
  core::register_builtin_actions(
      *loaded.catalog, [sources = loaded.incident_sources](const sdk::Options& options) {
        return std::make_unique<core::IncidentBundleAction>(options, sources);
      });
  const core::PluginCatalog& catalog = *loaded.catalog;
  core::ConfigLoader::resolve(
      loaded.config, [&catalog](std::string_view type) { return catalog.find_type(type); });
  // Resolving added the values of secret options, some read from files: redact those too.
  std::erase(loaded.config.config.secrets, exe);
  std::erase(loaded.config.config.secrets, state_dir_value);
  core::set_log_secrets(loaded.config.config.secrets);
  for (const auto& warning : loaded.config.warnings)
    core::logger()->warn("{}", warning.to_string());
  return loaded;
}

void report_plugin_problems(const core::PluginCatalog& catalog) {
  for (const auto& p : catalog.problems())
    core::logger()->warn("{}", p.to_string());
}

}  // namespace vigil::cli
