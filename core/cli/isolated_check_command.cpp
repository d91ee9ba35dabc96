// `vigil __run-check`: the child side of `isolate: true` (core/execution/isolated_runner.hpp).
// Loads the configuration and plugins as the parent did, runs the one named check once with no
// thresholds (the parent judges), prints the plugin's result as one JSON object and exits with
// its status. Not for people: the parent gives every argument.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/execution/check_instance.hpp"
#include "core/output/result_format.hpp"
#include "core/time/clock.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

int isolated_check_command(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string pipeline_name, check_name;
  long timeout_ms = 30000;
  po::options_description desc("vigil __run-check options (internal)");
  desc.add_options()("help,h", "show this help")(
      "pipeline", po::value<std::string>(&pipeline_name)->required(), "pipeline of the check")(
      "check", po::value<std::string>(&check_name)->required(), "check to run")(
      "timeout-ms", po::value<long>(&timeout_ms), "deadline of the run");
  add_config_options(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr,
                       "usage: vigil __run-check --pipeline P --check C [--config F] [--env E]", vm,
                       &exit_code)) {
    return exit_code;
  }
  // If vigil goes away (stopped, or exiting after `run --once` while this run was abandoned as
  // timed out), this child must not live on as an orphan stuck in a plugin.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1)
    return kExitSoftware;

  LoadedConfiguration loaded = load_configuration(common);
  if (!loaded.config.ok()) {
    std::cerr << "configuration invalid in the isolated run: "
              << loaded.config.issues.front().to_string() << "\n";
    return kExitConfig;
  }
  for (const auto& pipeline : loaded.config.config.pipelines) {
    if (pipeline.name != pipeline_name)
      continue;
    for (const auto& check : pipeline.checks) {
      if (check.name != check_name)
        continue;
      const sdk::CheckFactory* factory = loaded.catalog->find_check(check.plugin);
      if (factory == nullptr) {
        std::cerr << "no loaded plugin provides check type '" << check.plugin << "'\n";
        return kExitConfig;
      }
      auto created = factory->create(check.options);
      if (!created.instance) {
        std::cerr << check.path << ".options: " << created.error << "\n";
        return kExitConfig;
      }
      core::SystemClock clock;
      core::CheckInstance instance({check.name, check.plugin, check.pipeline, check.labels}, {},
                                   std::move(created.instance), clock);
      const std::atomic<bool> cancel{false};
      core::CheckResult result =
          instance.run(clock.now() + std::chrono::milliseconds(timeout_ms), &cancel);
      std::cout << core::format_json(result) << std::endl;
      return static_cast<int>(result.status);
    }
  }
  std::cerr << "no check " << pipeline_name << "/" << check_name << " in " << loaded.source << "\n";
  return kExitConfig;
}

}  // namespace vigil::cli
