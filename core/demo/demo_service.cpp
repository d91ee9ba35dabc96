// `vigil __demo-service`: the service the demo pipeline watches. It serves /health, /metrics
// and /admin/* on loopback while DemoTraffic simulates its load; `--rollback` is the client the
// pipeline's rollback action runs, `--stop` the teardown.
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "core/demo/background.hpp"
#include "core/demo/demo_traffic.hpp"
#include "core/demo/demo_verbs.hpp"
#include "core/demo/http_client.hpp"
#include "core/demo/http_server.hpp"
#include "core/demo/metrics_page.hpp"
#include "core/demo/verb_support.hpp"
#include "core/time/clock.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace vigil::demo {

namespace {

constexpr const char* kUsage =
    "usage: vigil __demo-service --port N [--bind 127.0.0.1] [--degrade-after 20s] [--rate 50]\n"
    "                            [--seed 42] [--state-dir DIR] [--log FILE]\n"
    "                            [--detach] [--pidfile FILE]\n"
    "       vigil __demo-service --rollback --port N [--bind 127.0.0.1] [--timeout 5s]\n"
    "       vigil __demo-service --stop --pidfile FILE";

// How often the server's timer brings the simulated traffic up to date. Requests are replayed
// at their own times whatever this is; it only bounds how stale the state file is.
constexpr std::chrono::milliseconds kTickEvery{100};
constexpr std::chrono::seconds kStopTimeout{5};

struct ServiceOptions {
  std::string bind = "127.0.0.1";
  int port = -1;
  std::string degrade_after = "20s";
  double rate = 50;
  std::uint64_t seed = 42;
  std::string state_dir;
  std::string log;
  std::string pidfile;
  std::string timeout = "5s";
  bool detach = false;
};

std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

HttpResponse json_response(int status, const nlohmann::json& document) {
  return {status, "application/json", document.dump() + "\n"};
}

// The running service: traffic model, routes, and the state file it keeps in --state-dir.
class DemoService {
 public:
  DemoService(const ServiceOptions& options, TrafficSettings settings, core::Clock& clock)
      : options_(options),
        settings_(settings),
        clock_(clock),
        started_at_(clock.now()),
        traffic_(settings, clock.steady_now()) {}

  void tick() {
    traffic_.tick(clock_.steady_now());
    record_new_events();
  }

  HttpResponse handle(const HttpRequest& request) {
    tick();
    const std::string path = path_of(request.target);
    const bool get = request.method == "GET";
    if (path == "/health") {
      if (!get)
        return method_not_allowed("GET");
      return json_response(200, health_document(traffic_.snapshot()));
    }
    if (path == "/metrics") {
      if (!get)
        return method_not_allowed("GET");
      return {200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(traffic_.snapshot())};
    }
    if (path == "/admin/state") {
      if (!get)
        return method_not_allowed("GET");
      return json_response(200, state());
    }
    if (path == "/admin/rollback") {
      if (request.method != "POST")
        return method_not_allowed("POST");
      return rollback();
    }
    return json_response(404, {{"error", "no such path: " + path}});
  }

  void write_state_file() const {
    if (options_.state_dir.empty())
      return;
    write_file_atomically(options_.state_dir + "/state.json", state().dump(2) + "\n");
  }

 private:
  static HttpResponse method_not_allowed(const char* allowed) {
    return json_response(405, {{"error", std::string("method not allowed; use ") + allowed}});
  }

  nlohmann::json state() const {
    nlohmann::json document = state_document(traffic_.snapshot());
    document["pid"] = ::getpid();
    document["started_at"] =
        std::chrono::duration_cast<std::chrono::seconds>(started_at_.time_since_epoch()).count();
    document["degrade_after_seconds"] =
        static_cast<double>(settings_.degrade_after.count()) / 1000.0;
    document["requests_per_second"] = settings_.requests_per_second;
    return document;
  }

  HttpResponse rollback() {
    const RollbackOutcome outcome = traffic_.rollback(clock_.steady_now());
    record_new_events();
    if (!outcome.changed)
      log_line("rollback requested; " + outcome.to + " already serving, the bad release withdrawn");
    return json_response(200, {{"rolled_back", outcome.changed},
                               {"from", outcome.from},
                               {"to", outcome.to},
                               {"version", outcome.to}});
  }

  // Logs each phase change once and keeps the state file in step with it.
  void record_new_events() {
    const TrafficSnapshot snapshot = traffic_.snapshot();
    if (snapshot.events.size() == events_logged_)
      return;
    for (std::size_t i = events_logged_; i < snapshot.events.size(); ++i) {
      const TrafficEvent& e = snapshot.events[i];
      char after[32];
      std::snprintf(after, sizeof after, "%.1f", static_cast<double>(e.at.count()) / 1000.0);
      log_line(e.event + ": version " + e.version + " (" + after + " s after start)");
    }
    events_logged_ = snapshot.events.size();
    try {
      write_state_file();
    } catch (const std::exception& e) {
      log_line(std::string("--state-dir: ") + e.what());
    }
  }

  const ServiceOptions& options_;
  TrafficSettings settings_;
  core::Clock& clock_;
  sdk::TimePoint started_at_;
  DemoTraffic traffic_;
  std::size_t events_logged_ = 0;
};

int run_rollback_client(const ServiceOptions& options) {
  const unsigned short port = parse_port_option("--port", options.port, false);
  const auto timeout = parse_duration_option("--timeout", options.timeout);
  try {
    const HttpReply reply =
        http_request(options.bind, port, "POST", "/admin/rollback", "", timeout);
    if (reply.status != 200) {
      std::cerr << "rollback: POST http://" << options.bind << ":" << port
                << "/admin/rollback answered HTTP " << reply.status << "\n";
      return 1;
    }
    std::cout << reply.body << std::flush;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "rollback: " << e.what() << "\n";
    return 1;
  }
}

int serve(const ServiceOptions& options) {
  // Checked before detaching, so a mistake is reported by the command that made it.
  const unsigned short port = parse_port_option("--port", options.port, true);
  TrafficSettings settings;
  settings.degrade_after = parse_duration_option("--degrade-after", options.degrade_after);
  settings.requests_per_second = options.rate;
  settings.seed = options.seed;
  if (!(options.rate > 0 && options.rate <= 10000))
    throw std::runtime_error("--rate " + std::to_string(options.rate) + ": must be in (0, 10000]");
  if (!options.state_dir.empty() && !std::filesystem::is_directory(options.state_dir))
    throw std::runtime_error("--state-dir " + options.state_dir + ": not a directory");

  Startup startup;
  if (options.detach) {
    if (auto parent_exit = startup.detach(options.log))
      return *parent_exit;
  }
  reset_signals();
  try {
    core::SystemClock clock;
    asio::io_context io;
    DemoService service(options, settings, clock);
    HttpServer server(io, options.bind, port,
                      [&service](const HttpRequest& request) { return service.handle(request); });
    if (!options.pidfile.empty())
      write_pidfile(options.pidfile);
    service.write_state_file();

    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
      if (ec)
        return;
      log_line(std::string("stopping on ") + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT"));
      server.close();
      io.stop();
    });
    asio::steady_timer timer(io);
    std::function<void()> arm = [&] {
      timer.expires_after(kTickEvery);
      timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec)
          return;
        service.tick();
        arm();
      });
    };
    arm();

    startup.ready("demo-service " + std::string(kHealthyVersion) + " listening on http://" +
                  options.bind + ":" + std::to_string(server.port()) + " (pid " +
                  std::to_string(::getpid()) + ", degrades after " + options.degrade_after + ")");
    io.run();
    service.write_state_file();
  } catch (const std::exception& e) {
    startup.failed(std::string("__demo-service: ") + e.what());
    if (!options.pidfile.empty())
      remove_pidfile_if_ours(options.pidfile);
    return 1;
  }
  if (!options.pidfile.empty())
    remove_pidfile_if_ours(options.pidfile);
  return 0;
}

}  // namespace

int demo_service_command(const std::vector<std::string>& args) {
  ServiceOptions options;
  po::options_description desc("vigil __demo-service options (internal: the demo pipeline's)");
  desc.add_options()("help,h", "show this help")("port", po::value<int>(&options.port),
                                                 "port to listen on (0: any free port) or to call")(
      "bind", po::value<std::string>(&options.bind)->default_value(options.bind),
      "loopback address to listen on or to call")(
      "degrade-after", po::value<std::string>(&options.degrade_after)->default_value("20s"),
      "when release 1.5.0 (slow, failing) replaces 1.4.2")(
      "rate", po::value<double>(&options.rate)->default_value(50), "simulated requests per second")(
      "seed", po::value<std::uint64_t>(&options.seed)->default_value(42),
      "seed of the simulated latencies and errors")(
      "state-dir", po::value<std::string>(&options.state_dir),
      "directory to keep state.json in (phase, counters, events)")(
      "log", po::value<std::string>(&options.log), "log file of a detached service")(
      "detach", po::bool_switch(&options.detach), "run in the background; return once listening")(
      "pidfile", po::value<std::string>(&options.pidfile), "pid file to write (or to --stop)")(
      "rollback", "ask the service on --port to roll back to 1.4.2; exit 0 when it did")(
      "stop", "SIGTERM the process in --pidfile and wait until it exits")(
      "timeout", po::value<std::string>(&options.timeout)->default_value("5s"),
      "limit for --rollback's request");
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_demo_args(args, desc, kUsage, vm, &exit_code))
    return exit_code;
  try {
    if (vm.count("stop") != 0) {
      if (options.pidfile.empty()) {
        std::cerr << "--stop needs --pidfile\n" << kUsage << "\n";
        return kExitUsage;
      }
      return stop_from_pidfile(options.pidfile, kStopTimeout);
    }
    if (vm.count("port") == 0) {
      std::cerr << "the option '--port' is required\n" << kUsage << "\n";
      return kExitUsage;
    }
    if (vm.count("rollback") != 0)
      return run_rollback_client(options);
    if (options.detach && options.pidfile.empty()) {
      std::cerr << "--detach needs --pidfile, or nothing could stop the service\n";
      return kExitUsage;
    }
    return serve(options);
  } catch (const std::exception& e) {
    std::cerr << "__demo-service: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace vigil::demo
