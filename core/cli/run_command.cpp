// `vigil run`: watch the configured pipelines until stopped, or run every check once.
#include <signal.h>

#include <iostream>
#include <mutex>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/execution/instantiate.hpp"
#include "core/log/logging.hpp"
#include "core/output/result_format.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/time/clock.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

void log_result(const core::CheckResult& r) {
  auto log = core::logger();
  const std::string line = core::format_log_line(r);
  switch (r.status) {
    case sdk::Status::Ok:
      log->info("{}", line);
      break;
    case sdk::Status::Warning:
    case sdk::Status::Unknown:
      log->warn("{}", line);
      break;
    case sdk::Status::Critical:
      log->error("{}", line);
      break;
  }
}

// Blocks the stop and reload signals in every thread (call before any thread starts) so that
// only the main thread receives them, synchronously, through sigwait.
sigset_t block_control_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string format = "text";
  po::options_description desc("vigil run options");
  desc.add_options()("help,h", "show this help")(
      "once", "run every check once, print the results and exit with the worst status (0-3)")(
      "format,f", po::value<std::string>(&format),
      "with --once: text or json (one object per line)");
  add_config_options(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(
          args, desc, nullptr,
          "usage: vigil run [--config FILE] [--env NAME] [--once [--format text|json]]", vm,
          &exit_code)) {
    return exit_code;
  }
  if (format != "text" && format != "json") {
    std::cerr << "vigil run: --format must be text or json, got \"" << format << "\"\n";
    return kExitUsage;
  }
  const bool once = vm.count("once") != 0;
  const sigset_t signals = once ? sigset_t{} : block_control_signals();

  LoadedConfiguration loaded = load_configuration(common);
  const core::Config& config = loaded.config.config;
  if (!loaded.config.ok()) {
    for (const auto& issue : loaded.config.issues)
      std::cerr << issue.to_string() << "\n";
    std::cerr << loaded.source << ": configuration invalid, not starting (see `vigil validate`)\n";
    return kExitConfig;
  }
  core::LogSettings log_settings;
  log_settings.level = common.log_level.value_or(config.global.log_level);
  log_settings.file = config.global.log_file;
  log_settings.max_size = config.global.log_max_size;
  log_settings.max_files = config.global.log_max_files;
  try {
    core::configure_logging(log_settings);
  } catch (const std::exception& e) {
    std::cerr << "vigil run: " << e.what() << "\n";
    return kExitConfig;
  }
  report_plugin_problems(*loaded.catalog);

  core::SystemClock clock;
  // Checks configured `isolate: true` run in a child: this binary again, same config and
  // plugins, one check per process.
  core::IsolatedCheckTarget isolation;
  std::error_code exe_error;
  isolation.executable = std::filesystem::read_symlink("/proc/self/exe", exe_error);
  isolation.config_file = loaded.config_file;
  isolation.environment = config.environment;
  isolation.plugin_dirs = loaded.plugin_dirs;
  core::InstantiatedChecks built =
      core::instantiate_checks(config, *loaded.catalog, clock, &isolation);
  if (!built.issues.empty()) {
    for (const auto& issue : built.issues)
      std::cerr << issue.to_string() << "\n";
    return kExitConfig;
  }

  std::mutex output_mu;
  core::ResultSink sink = [&output_mu](core::CheckResult r) {
    std::lock_guard<std::mutex> lock(output_mu);
    log_result(r);
  };
  core::SchedulerOptions scheduler_options;
  scheduler_options.max_workers = config.global.max_concurrent_checks;
  core::Scheduler scheduler(clock, scheduler_options, sink);
  for (std::size_t i = 0; i < built.checks.size(); ++i) {
    core::CheckInstance* instance = built.checks[i].get();
    const core::CheckConfig& cfg = *built.configs[i];
    core::ScheduledCheck scheduled;
    scheduled.name = cfg.name;
    scheduled.plugin = cfg.plugin;
    scheduled.pipeline = cfg.pipeline;
    scheduled.interval = cfg.interval;
    scheduled.timeout = cfg.timeout;
    scheduled.run = [instance, &clock](const core::RunRequest& request) {
      return instance->run(clock.now() + (request.deadline - clock.steady_now()), request.cancel);
    };
    scheduler.add(std::move(scheduled));
  }

  if (once) {
    std::vector<core::CheckResult> results = scheduler.run_once();
    sdk::Status worst = sdk::Status::Ok;
    for (const auto& r : results) {
      worst = sdk::worst(worst, r.status);
      if (format == "json") {
        std::cout << core::redact(core::format_json(r)) << "\n";
      } else {
        std::cout << core::redact(r.check + ": " + core::format_nagios(r)) << "\n";
      }
    }
    std::cout.flush();
    return static_cast<int>(worst);
  }

  core::logger()->info("vigil {} watching {} check{} from {}", VIGIL_VERSION, built.checks.size(),
                       built.checks.size() == 1 ? "" : "s", loaded.source);
  scheduler.start();
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0)
      continue;
    if (sig == SIGHUP) {
      core::logger()->warn(
          "SIGHUP received: configuration reload is not supported yet; "
          "restart vigil to apply changes");
      continue;
    }
    core::logger()->info("{} received: stopping (in-flight checks get until their timeout)",
                         sig == SIGINT ? "SIGINT" : "SIGTERM");
    break;
  }
  scheduler.stop();
  core::logger()->info("vigil stopped");
  return 0;
}

}  // namespace vigil::cli
