#pragma once
// What the verbs share: where the config and plugins come from, and loading both.
#include <boost/program_options.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/actions/incident_bundle.hpp"
#include "core/config/config.hpp"
#include "core/plugin/plugin_catalog.hpp"

namespace vigil::cli {

// BSD sysexits, as systemd.exec(5) lists them; 78 lets a unit use RestartPreventExitStatus=78.
inline constexpr int kExitUsage = 64;
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitConfig = 78;

struct CommonOptions {
  std::optional<std::string> config;  // --config, else $VIGIL_CONFIG, else /etc/vigil/vigil.yaml,
                                      // else the embedded default pipeline
  std::optional<std::string> env;     // --env, else $VIGIL_ENV
  std::vector<std::string> plugin_dirs;  // --plugin-dir, searched before the config's
  std::optional<std::string> log_level;
};

void add_config_options(boost::program_options::options_description& desc, CommonOptions& opts);
void add_plugin_dir_option(boost::program_options::options_description& desc, CommonOptions& opts);

// Parses a verb's arguments; prints the error or the help and returns false when the verb
// should exit with *exit_code.
bool parse_verb_args(const std::vector<std::string>& args,
                     const boost::program_options::options_description& desc,
                     const boost::program_options::positional_options_description* positional,
                     const char* usage, boost::program_options::variables_map& vm, int* exit_code);

// Plugin directories in search order: --plugin-dir, $VIGIL_PLUGIN_PATH, the config's
// plugin_dirs, then the build tree's plugin output (when running from a build tree) or the
// installed plugin directory.
std::vector<std::filesystem::path> plugin_search_path(
    const CommonOptions& opts, const std::vector<std::filesystem::path>& from_config);

// A loaded configuration with its plugins, ready to instantiate checks.
struct LoadedConfiguration {
  std::unique_ptr<core::PluginCatalog> catalog;  // outlives everything made from it
  core::ConfigLoadResult config;
  std::string source;                              // file name, or "<embedded default>"
  std::optional<std::string> config_file;          // empty for the embedded default
  std::vector<std::filesystem::path> plugin_dirs;  // the search path plugins were loaded from
  // What the built-in incident_bundle action reads; `vigil run` fills it in.
  std::shared_ptr<core::IncidentSources> incident_sources;
};

// Reads the config (phase 1), loads plugins from the resulting search path, registers the
// host's own action types (command, rollback, incident_bundle), resolves options against the
// schemas (phase 2). Issues are left in config.issues. Before reading, $VIGIL_EXE is set to
// this executable, so a config can run vigil's own verbs (the demo pipeline does).
LoadedConfiguration load_configuration(const CommonOptions& opts);

// Prints plugin load problems as warnings (a broken plugin does not stop the others).
void report_plugin_problems(const core::PluginCatalog& catalog);

}  // namespace vigil::cli
