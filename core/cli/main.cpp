// vigil: post-deployment health checks. Verbs: run, validate, check, plugins.
#include <iostream>
#include <string>
#include <vector>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/demo/demo_verbs.hpp"
#include "core/plugin/plugin_catalog.hpp"

namespace {

constexpr const char* kHelp =
    "usage: vigil [--version] [--help] VERB [ARGS]\n"
    "\n"
    "Watches a deployment: runs health checks on a schedule, judges their results against\n"
    "thresholds and reports.\n"
    "\n"
    "verbs:\n"
    "  run        watch the configured pipelines (--once: run every check once and exit 0-3)\n"
    "  validate   check the configuration and the plugins it names; exit 78 on errors\n"
    "  check      run one check type ad hoc, like a Nagios plugin\n"
    "  plugins    list installed plugins, or describe a check type's options\n"
    "  report     the window's final report from stored history (md, html, json)\n"
    "  silence    mute matching alerts for a while: add, list, expire\n"
    "  status     the window, each check's last status, alerts, silences, actions\n"
    "  rollback   roll back now (--now --reason TEXT), through the running vigil\n"
    "  promote    end the window as successful (--reason TEXT)\n"
    "  abort      end the window as failed (--reason TEXT)\n"
    "\n"
    "`vigil VERB --help` describes each verb.";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kHelp << "\n";
    return args.empty() ? vigil::cli::kExitUsage : 0;
  }
  if (args[0] == "--version" || args[0] == "-V" || args[0] == "version") {
    std::cout << "vigil " << VIGIL_VERSION << "\n" << vigil::core::host_build_description() << "\n";
    return 0;
  }
  const std::string verb = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (verb == "run")
      return vigil::cli::run_command(rest);
    if (verb == "validate")
      return vigil::cli::validate_command(rest);
    if (verb == "check")
      return vigil::cli::check_command(rest);
    if (verb == "plugins")
      return vigil::cli::plugins_command(rest);
    if (verb == "report")
      return vigil::cli::report_command(rest);
    if (verb == "silence")
      return vigil::cli::silence_command(rest);
    if (verb == "status")
      return vigil::cli::status_command(rest);
    if (verb == "rollback")
      return vigil::cli::rollback_command(rest);
    if (verb == "promote")
      return vigil::cli::promote_command(rest);
    if (verb == "abort")
      return vigil::cli::abort_command(rest);
    if (verb == "__run-check")
      return vigil::cli::isolated_check_command(rest);
    // The demo pipeline's service, tests and webhook sink (core/demo); not listed in --help.
    if (verb == "__demo-service")
      return vigil::demo::demo_service_command(rest);
    if (verb == "__demo-tests")
      return vigil::demo::demo_tests_command(rest);
    if (verb == "__demo-webhook-sink")
      return vigil::demo::webhook_sink_command(rest);
  } catch (const std::exception& e) {
    std::cerr << "vigil " << verb << ": internal error: " << e.what() << "\n";
    return vigil::cli::kExitSoftware;
  }
  std::cerr << "vigil: unknown verb '" << verb << "'\n" << kHelp << "\n";
  return vigil::cli::kExitUsage;
}
