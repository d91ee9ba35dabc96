// `vigil run`: watch the configured pipelines (through the observation window,
// when one is configured, to its verdict), or run every check once.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/actions/action_dispatcher.hpp"
#include "core/actions/database_action_journal.hpp"
#include "core/alerting/alert_engine.hpp"
#include "core/cli/cli_common.hpp"
#include "core/cli/reread_configuration.hpp"
#include "core/cli/verbs.hpp"
#include "core/control/operator_requests.hpp"
#include "core/execution/instantiate.hpp"
#include "core/log/logging.hpp"
#include "core/metrics/metrics_exporter.hpp"
#include "core/output/result_format.hpp"
#include "core/reload/config_reloader.hpp"
#include "core/report/report_loader.hpp"
#include "core/report/report_render.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/state/atomic_file.hpp"
#include "core/state/durable_state_store.hpp"
#include "core/state/state_database.hpp"
#include "core/state/state_dir.hpp"
#include "core/systemd/systemd_notifier.hpp"
#include "core/time/clock.hpp"
#include "core/window/observation_window.hpp"
#include "vigil/sdk/units.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

// A preflight check failed: the deployment's checklist is not met
// (EX_UNAVAILABLE).
constexpr int kExitPreflightFailed = 69;
// The state directory or database cannot be used (EX_CANTCREAT).
constexpr int kExitState = 73;

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

// Blocks the control signals in every thread (call before any thread starts) so
// that only the main thread receives them, synchronously, through sigtimedwait.
sigset_t block_control_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);  // "something changed": sent by the result sink to the main thread
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

core::ScheduledCheck scheduled_for(core::CheckInstance* instance, const core::CheckConfig& cfg,
                                   core::Clock& clock) {
  core::ScheduledCheck scheduled;
  scheduled.name = cfg.name;
  scheduled.plugin = cfg.plugin;
  scheduled.pipeline = cfg.pipeline;
  scheduled.interval = cfg.interval;
  scheduled.timeout = cfg.timeout;
  scheduled.labels = cfg.labels;
  scheduled.run = [instance, &clock](const core::RunRequest& request) {
    return instance->run(clock.now() + (request.deadline - clock.steady_now()), request.cancel);
  };
  return scheduled;
}

int run_once(const core::Config& config, core::InstantiatedChecks& built, core::Clock& clock,
             const std::string& format) {
  core::SchedulerOptions scheduler_options;
  scheduler_options.max_workers = config.global.max_concurrent_checks;
  core::Scheduler scheduler(clock, scheduler_options, [](core::CheckResult) {});
  for (std::size_t i = 0; i < built.checks.size(); ++i)
    scheduler.add(scheduled_for(built.checks[i].get(), *built.configs[i], clock));
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

// Everything `vigil run` holds while watching, in the order it must be torn
// down (reverse).
struct Watch {
  const core::Config* config;  // the running one: a reload (SIGHUP) moves it
  // Before the members it points into, so destroyed after them: it keeps every configuration
  // applied by a reload, which lanes and actions in flight may still use.
  std::unique_ptr<core::ConfigReloader> reloader;
  core::SystemClock clock;
  std::filesystem::path state_dir;
  std::unique_ptr<core::StateDatabase> db;
  std::unique_ptr<core::DatabaseActionJournal> journal;
  std::unique_ptr<core::ActionDispatcher> dispatcher;
  std::unique_ptr<core::AlertEngine> engine;
  std::unique_ptr<core::ObservationWindow> window;
  std::unique_ptr<core::Scheduler> scheduler;
  core::SystemdNotifier systemd;                   // does nothing outside systemd
  std::unique_ptr<core::MetricsExporter> metrics;  // /metrics and the textfile
  std::optional<std::string> promoted, aborted;
  std::size_t snapshot_results = static_cast<std::size_t>(-1);
  sdk::TimePoint next_prune{};

  explicit Watch(const core::Config& c) : config(&c) {}

  void write_snapshot(bool force) {
    const core::WindowFacts facts = engine->facts();
    if (!force && facts.results == snapshot_results)
      return;
    snapshot_results = facts.results;
    try {
      nlohmann::json j = nlohmann::json::parse(engine->snapshot_json());
      if (window) {
        const core::WindowRecord& w = window->record();
        j["window"] = {{"deployment", w.deployment},
                       {"started", core::format_rfc3339(w.started_at)},
                       {"ends", core::format_rfc3339(window->ends_at())},
                       {"stage", w.stage},
                       {"extensions", w.extensions}};
        core::WindowFacts so_far = facts;
        so_far.promoted = promoted;
        so_far.aborted = aborted;
        const core::VerdictDecision d = core::decide_verdict(so_far, *config->window);
        j["verdict_so_far"] = {{"verdict", std::string(core::to_string(d.verdict))},
                               {"reason", d.reason}};
      }
      core::write_file_atomically(state_dir / "metrics_snapshot.json", j.dump(2) + "\n");
    } catch (const std::exception& e) {
      core::logger()->error("metrics_snapshot.json: {}", e.what());
    }
    if (metrics)
      metrics->write_textfile();
  }

  void prune_if_due() {
    const sdk::TimePoint now = clock.now();
    if (now < next_prune)
      return;
    next_prune = now + std::chrono::hours(1);
    std::chrono::milliseconds retention{std::chrono::hours(24)};
    if (config->window) {
      retention = config->window->retention.count() > 0
                      ? config->window->retention
                      : config->window->duration + std::chrono::hours(24);
    } else {
      retention = std::chrono::hours(72);
    }
    try {
      db->prune(now - retention);
    } catch (const std::exception& e) {
      core::logger()->error("{}", e.what());
    }
  }

  void handle_requests() {
    for (const auto& request : core::take_requests(state_dir)) {
      core::OperatorResponse response;
      auto log = core::logger();
      log->warn("operator request from {}: {} ({})", request.by, request.verb, request.reason);
      if (request.verb == "rollback") {
        const std::string error =
            engine->request_rollback(request.reason, request.by, request.force);
        response.ok = error.empty();
        response.message = error.empty() ? "rollback started; `vigil status` follows it" : error;
      } else if (request.verb == "promote" || request.verb == "abort") {
        if (!window) {
          response.message = "no observation window is configured: nothing to " + request.verb;
        } else {
          (request.verb == "promote" ? promoted : aborted) =
              request.reason + " (by " + request.by + ")";
          core::ActionRecord rec;
          rec.action = request.verb;
          rec.type = "operator";
          rec.trigger = "manual:" + request.by;
          rec.started_at = clock.now();
          rec.status = "ok";
          rec.message = request.reason;
          rec.deployment = config->window->deployment;
          try {
            const auto id = db->begin_action(rec);
            db->finish_action(id, "ok", request.reason, "", 1, clock.now());
          } catch (const std::exception& e) {
            log->error("{}", e.what());
          }
          response.ok = true;
          response.message = request.verb + " recorded; the window concludes now";
        }
      } else {
        response.message = "unknown request '" + request.verb + "'";
      }
      try {
        core::answer_request(state_dir, request.id, response);
      } catch (const std::exception& e) {
        log->error("{}", e.what());
      }
    }
  }

  // Runs a list of actions for a window event and waits for them (bounded by
  // their timeouts).
  void run_actions(const std::vector<std::string>& names, sdk::Event event,
                   const std::string& trigger) {
    for (const auto& name : names) {
      systemd.watchdog_ping();  // each action may take its timeout times its attempts
      const core::ActionConfig* action = nullptr;
      for (const auto& a : config->actions) {
        if (a.name == name)
          action = &a;
      }
      if (action != nullptr && action->plugin == "rollback") {
        const std::string error = engine->request_rollback(event.summary, trigger, false);
        if (!error.empty())
          core::logger()->warn("{}: rollback {} not run: {}", trigger, name, error);
        dispatcher->wait_idle();
        continue;
      }
      core::ActionJob job;
      job.action = name;
      job.event = event;
      job.trigger = trigger;
      dispatcher->submit(std::move(job));
      // In order: "stop the service" must not overtake "roll it back".
      dispatcher->wait_idle();
    }
  }

  void write_reports(const core::WindowRecord& record) {
    try {
      core::report::ReportLoadOptions options;
      options.now = clock.now();
      if (config->window)
        options.extension_length = config->window->extend_on_inconclusive;
      const core::report::ReportData data = core::report::load_report_data(*db, options);
      const std::filesystem::path md = state_dir / "report.md";
      const std::filesystem::path html = state_dir / "report.html";
      core::write_file_atomically(md, core::report::render_markdown(data));
      core::write_file_atomically(html, core::report::render_html(data));
      core::logger()->info("report written: {} and {}", md.string(), html.string());
    } catch (const std::exception& e) {
      core::logger()->error("report for {} not written: {}", record.deployment, e.what());
    }
  }

  // Decides and acts on the verdict. Returns false when the window was extended
  // instead.
  bool conclude(bool final_decision) {
    core::WindowFacts facts = engine->facts();
    facts.promoted = promoted;
    facts.aborted = aborted;
    const auto decision = window->conclude(facts, final_decision);
    if (!decision)
      return false;
    auto log = core::logger();
    const std::string verdict(core::to_string(decision->verdict));
    std::string upper = verdict;
    for (auto& ch : upper)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (decision->verdict == core::Verdict::Successful)
      log->info("VERDICT {}: {}", upper, decision->reason);
    else
      log->error("VERDICT {}: {}", upper, decision->reason);
    sdk::Event event;
    event.kind = "verdict";
    event.severity = decision->verdict == core::Verdict::Failed ? "critical" : "info";
    event.status = decision->verdict == core::Verdict::Successful ? sdk::Status::Ok
                   : decision->verdict == core::Verdict::Failed   ? sdk::Status::Critical
                                                                  : sdk::Status::Warning;
    event.summary = "verdict " + verdict + ": " + decision->reason;
    event.starts_at = window->record().started_at;
    event.ends_at = clock.now();
    event.deployment = config->window->deployment;
    run_actions(window->actions_for(decision->verdict), event, "verdict:" + verdict);
    engine->end_of_window();
    write_snapshot(true);
    write_reports(window->record());
    return true;
  }
};

}  // namespace

int run_command(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string format = "text";
  std::optional<std::string> state_dir_option;
  po::options_description desc("vigil run options");
  desc.add_options()("help,h", "show this help")(
      "once",
      "run every check once, print the results and exit with the worst status "
      "(0-3)")("format,f", po::value<std::string>(&format),
               "with --once: text or json (one object per line)")(
      "state-dir",
      po::value<std::string>()->notifier([&](const std::string& v) { state_dir_option = v; }),
      "state directory (default: the config's vigil.state_dir, "
      "$STATE_DIRECTORY, "
      "/var/lib/vigil as root, else ~/.local/state/vigil)");
  add_config_options(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr,
                       "usage: vigil run [--config FILE] [--env NAME] [--state-dir DIR] "
                       "[--once [--format text|json]]",
                       vm, &exit_code)) {
    return exit_code;
  }
  if (format != "text" && format != "json") {
    std::cerr << "vigil run: --format must be text or json, got \"" << format << "\"\n";
    return kExitUsage;
  }
  const bool once = vm.count("once") != 0;
  const sigset_t signals = once ? sigset_t{} : block_control_signals();

  if (state_dir_option) {
    ::setenv(
        "VIGIL_STATE_DIR",
        core::resolve_state_dir(std::filesystem::path(*state_dir_option), std::nullopt).c_str(), 1);
  }
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

  Watch watch(config);
  core::Clock& clock = watch.clock;
  // Checks configured `isolate: true` run in a child: this binary again, same
  // config and plugins, one check per process.
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
  if (once)
    return run_once(config, built, clock, format);

  // --- state ---
  watch.state_dir = core::resolve_state_dir(
      state_dir_option ? std::optional<std::filesystem::path>(*state_dir_option) : std::nullopt,
      config.global.state_dir);
  std::optional<core::DaemonLock> lock;
  try {
    watch.db = core::StateDatabase::open(watch.state_dir);
    pid_t holder = 0;
    lock = core::DaemonLock::acquire(watch.state_dir, &holder);
    if (!lock) {
      std::cerr << "vigil run: another vigil (pid " << holder << ") is watching "
                << watch.state_dir.string() << "; one vigil per state directory\n";
      return kExitState;
    }
  } catch (const std::exception& e) {
    std::cerr << "vigil run: " << e.what() << "\n";
    return kExitState;
  }
  auto log = core::logger();
  for (std::size_t i = 0; i < built.checks.size(); ++i) {
    const core::CheckConfig& cfg = *built.configs[i];
    built.checks[i]->use_state_store(
        std::make_unique<core::DurableStateStore>(*watch.db, cfg.pipeline + "/" + cfg.name));
  }
  loaded.incident_sources->db = watch.db.get();
  loaded.incident_sources->state_dir = watch.state_dir;
  loaded.incident_sources->log_file = config.global.log_file;

  // --- actions ---
  const std::string deployment = config.window ? config.window->deployment : std::string();
  watch.journal = std::make_unique<core::DatabaseActionJournal>(*watch.db, deployment);
  watch.dispatcher = std::make_unique<core::ActionDispatcher>(clock, watch.journal.get());
  for (const auto& action : config.actions) {
    const sdk::ActionFactory* factory = loaded.catalog->find_action(action.plugin);
    if (factory == nullptr) {
      std::cerr << action.where.to_string() << ": " << action.path
                << ".plugin: no loaded plugin provides action type '" << action.plugin << "'\n";
      return kExitConfig;
    }
    auto created = factory->create(action.options);
    if (!created.instance) {
      core::SourceLocation where = action.where;
      if (auto it = action.option_locations.find(created.error_option);
          it != action.option_locations.end())
        where = it->second;
      std::cerr << where.to_string() << ": " << action.path << ".options"
                << (created.error_option.empty() ? "" : "." + created.error_option) << ": "
                << created.error << "\n";
      return kExitConfig;
    }
    watch.dispatcher->add(action, std::move(created.instance));
  }
  watch.dispatcher->start();

  // --- window, engine, scheduler ---
  bool new_window = false;
  sdk::TimePoint counting_from = clock.now();
  if (config.window) {
    watch.window = std::make_unique<core::ObservationWindow>(*config.window, *watch.db, clock);
    new_window = watch.window->open();
    counting_from = watch.window->record().started_at;
  }
  std::mutex output_mu;
  core::SchedulerOptions scheduler_options;
  scheduler_options.max_workers = config.global.max_concurrent_checks;
  std::atomic<core::AlertEngine*> engine_ptr{nullptr};
  const pthread_t main_thread = pthread_self();
  watch.scheduler = std::make_unique<core::Scheduler>(
      clock, scheduler_options, [&output_mu, &engine_ptr, main_thread](core::CheckResult r) {
        // Stored first, then logged: a result in the log is a result in the database, so a
        // SIGKILL loses at most the results still in flight.
        if (core::AlertEngine* engine = engine_ptr.load()) {
          // An alert moved or a rollback was verified: the main thread may have to act (run
          // a due step, conclude the window) before its timer would wake it.
          if (engine->on_result(r))
            pthread_kill(main_thread, SIGUSR2);
        }
        std::lock_guard<std::mutex> output_lock(output_mu);
        log_result(r);
      });
  core::AlertEngineHooks hooks;
  core::Scheduler* scheduler = watch.scheduler.get();
  hooks.run_check_now = [scheduler](const std::string& pipeline, const std::string& check) {
    scheduler->run_now(pipeline, check);
  };
  hooks.wake = [main_thread] { pthread_kill(main_thread, SIGUSR2); };
  try {
    watch.engine =
        std::make_unique<core::AlertEngine>(config, clock, *watch.db, *watch.dispatcher, hooks);
  } catch (const std::exception& e) {
    std::cerr << "vigil run: " << e.what() << "\n";
    return kExitConfig;
  }
  watch.engine->restore(counting_from, deployment, new_window);
  engine_ptr = watch.engine.get();
  watch.metrics = std::make_unique<core::MetricsExporter>(config, *watch.engine, clock,
                                                          watch.state_dir, counting_from);
  loaded.incident_sources->snapshot = [&watch] { return watch.engine->snapshot_json(); };
  watch.prune_if_due();

  // Ready before preflight, which may take as long as its slowest check: systemd's start
  // timeout is for loading, STATUS= tells what follows.
  core::SystemdNotifier& systemd = watch.systemd;
  const bool preflight_due = !watch.window || watch.window->record().stage == "preflight";
  systemd.ready(preflight_due ? "preflight" : "resuming the watch");
  if (watch.window && watch.window->concluded()) {
    systemd.stopping("the observation window has concluded");
    log->info("the observation window of {} has concluded ({}); nothing to watch", deployment,
              watch.window->record().verdict.value_or("?"));
    return 0;
  }
  if (new_window && !config.window->on_start.empty()) {
    sdk::Event event;
    event.kind = "window";
    event.severity = "info";
    event.status = sdk::Status::Ok;
    event.summary = "observation window opened";
    event.starts_at = clock.now();
    event.deployment = deployment;
    watch.run_actions(config.window->on_start, event, "window:start");
  }

  // --- preflight: the checklist before watching ---
  systemd.watchdog_ping();
  if (preflight_due) {
    core::Scheduler preflight(clock, scheduler_options, [](core::CheckResult) {});
    std::size_t count = 0;
    for (std::size_t i = 0; i < built.checks.size(); ++i) {
      if (built.configs[i]->preflight) {
        preflight.add(scheduled_for(built.checks[i].get(), *built.configs[i], clock));
        ++count;
      }
    }
    if (count > 0) {
      log->info("preflight: {} check{}", count, count == 1 ? "" : "s");
      std::vector<std::string> failed;
      for (const core::CheckResult& r : preflight.run_once()) {
        watch.engine->on_result(r);
        log_result(r);
        if (r.status == sdk::Status::Critical || r.status == sdk::Status::Unknown)
          failed.push_back(r.check + " " + std::string(sdk::to_string(r.status)) + ": " +
                           r.summary);
      }
      if (!failed.empty()) {
        for (const auto& f : failed)
          log->error("PREFLIGHT FAILED {}", f);
        log->error("preflight failed: not watching (fix the checklist and run again)");
        systemd.stopping("preflight failed");
        watch.dispatcher->stop();
        return kExitPreflightFailed;
      }
      log->info("preflight passed");
    }
    if (watch.window)
      watch.window->enter("watch");
  }

  if (watch.window) {
    log->info("vigil {} watching {} check{} from {} until {} ({} rules)", VIGIL_VERSION,
              built.checks.size(), built.checks.size() == 1 ? "" : "s", loaded.source,
              core::format_rfc3339(watch.window->ends_at()), config.rules.size());
  } else {
    log->info("vigil {} watching {} check{} from {} ({} rules)", VIGIL_VERSION, built.checks.size(),
              built.checks.size() == 1 ? "" : "s", loaded.source, config.rules.size());
  }
  const auto watching = [&watch] {
    std::size_t checks = 0;
    for (const auto& pipeline : watch.config->pipelines)
      checks += pipeline.checks.size();
    return "watching " + std::to_string(checks) + " check" + (checks == 1 ? "" : "s") +
           (watch.window ? " until " + core::format_rfc3339(watch.window->ends_at()) : "");
  };
  systemd.status(watching());
  core::ReloadTargets reload_targets{.clock = &clock,
                                     .db = watch.db.get(),
                                     .scheduler = watch.scheduler.get(),
                                     .dispatcher = watch.dispatcher.get(),
                                     .engine = watch.engine.get(),
                                     .window = watch.window.get(),
                                     .catalog = loaded.catalog.get(),
                                     .isolation = isolation,
                                     .log_level_pinned = common.log_level.has_value(),
                                     .state_dir_pinned = state_dir_option.has_value()};
  watch.reloader = std::make_unique<core::ConfigReloader>(
      config, loaded.source, [&common, &loaded] { return reread_configuration(common, loaded); },
      std::move(reload_targets));
  watch.reloader->schedule(std::move(built));
  watch.scheduler->start();
  watch.handle_requests();  // requests made while vigil was down

  bool concluded = false;
  for (;;) {
    systemd.watchdog_ping();
    const sdk::TimePoint now = clock.now();
    sdk::TimePoint next = watch.engine->tick();
    if (watch.window)
      next = std::min(next, watch.window->ends_at());
    watch.write_snapshot(false);
    watch.prune_if_due();
    if (watch.window) {
      const bool operator_decided = watch.promoted || watch.aborted;
      if (operator_decided || watch.engine->rollback_settled() || now >= watch.window->ends_at()) {
        if (watch.conclude(operator_decided || watch.engine->rollback_settled())) {
          concluded = true;
          break;
        }
        systemd.status(watching());
        continue;  // extended
      }
    }
    // Sleep until something is due, a signal arrives, or at most a minute (the
    // snapshot).
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock.now());
    wait = std::clamp(wait, std::chrono::milliseconds(10),
                      std::chrono::milliseconds(std::chrono::minutes(1)));
    // Results arrive on other threads; the snapshot and the window follow them
    // within a second.
    if (watch.engine->facts().results != watch.snapshot_results)
      wait = std::min(wait, std::chrono::milliseconds(1000));
    wait = systemd.cap_sleep(wait);  // the next ping is due within half the watchdog interval
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(wait.count() / 1000);
    ts.tv_nsec = static_cast<long>((wait.count() % 1000) * 1000000);
    const int sig = sigtimedwait(&signals, nullptr, &ts);
    if (sig < 0)
      continue;  // timeout or EINTR
    if (sig == SIGUSR1) {
      watch.handle_requests();
      continue;
    }
    if (sig == SIGUSR2)
      continue;
    if (sig == SIGHUP) {
      systemd.reloading();
      log->info("SIGHUP received: reloading {}", loaded.source);
      if (watch.reloader->reload()) {
        watch.config = &watch.reloader->config();
        if (watch.metrics)
          watch.metrics->use_config(*watch.config);
      }
      systemd.ready(watching());
      continue;
    }
    log->info("{} received: stopping (in-flight checks get until their timeout)",
              sig == SIGINT ? "SIGINT" : "SIGTERM");
    systemd.stopping(sig == SIGINT ? "SIGINT received: stopping" : "SIGTERM received: stopping");
    break;
  }
  if (concluded)
    systemd.stopping("the observation window has concluded");
  watch.scheduler->stop();
  engine_ptr = nullptr;
  watch.dispatcher->stop();
  watch.write_snapshot(true);
  log->info(concluded ? "vigil stopped: the window has concluded" : "vigil stopped");
  return 0;
}

}  // namespace vigil::cli
