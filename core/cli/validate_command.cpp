// `vigil validate`: every configuration error at once, each with file:line:col, and a non-zero
// exit, in the manner of `promtool check config`. Used by ExecStartPre and before a reload.
#include <iostream>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/execution/instantiate.hpp"
#include "core/time/clock.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

int validate_command(const std::vector<std::string>& args) {
  CommonOptions common;
  po::options_description desc("vigil validate options");
  desc.add_options()("help,h", "show this help")("quiet,q", "print errors only");
  add_config_options(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr,
                       "usage: vigil validate [--config FILE] [--env NAME] [--plugin-dir DIR]\n"
                       "Checks the configuration and every plugin it names; exits 0 when valid, "
                       "78 when not.",
                       vm, &exit_code)) {
    return exit_code;
  }

  LoadedConfiguration loaded = load_configuration(common);
  std::vector<core::ConfigIssue> issues = loaded.config.issues;
  std::size_t check_count = 0;
  if (loaded.config.ok()) {
    // Construct every check too: a plugin may refuse a combination of options that are each
    // valid on their own, and validate must catch that before the daemon does.
    core::SystemClock clock;
    auto built = core::instantiate_checks(loaded.config.config, *loaded.catalog, clock);
    issues.insert(issues.end(), built.issues.begin(), built.issues.end());
    check_count = built.checks.size();
  }
  for (const auto& p : loaded.catalog->problems())
    std::cerr << "warning: " << p.to_string() << "\n";
  for (const auto& issue : issues)
    std::cerr << issue.to_string() << "\n";
  if (!issues.empty()) {
    std::cerr << loaded.source << ": " << issues.size() << " error"
              << (issues.size() == 1 ? "" : "s") << "\n";
    return kExitConfig;
  }
  if (vm.count("quiet") == 0) {
    std::cout << loaded.source << ": valid: " << loaded.config.config.pipelines.size()
              << " pipeline" << (loaded.config.config.pipelines.size() == 1 ? "" : "s") << ", "
              << check_count << " check" << (check_count == 1 ? "" : "s");
    if (loaded.config.config.environment) {
      std::cout << " (environment " << *loaded.config.config.environment << ")";
    }
    std::cout << "\n";
  }
  return 0;
}

}  // namespace vigil::cli
