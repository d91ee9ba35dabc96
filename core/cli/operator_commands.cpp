// The operator's verbs: `vigil status` reads the state directory; `vigil rollback --now`,
// `vigil promote` and `vigil abort` ask the running `vigil run` to act (core/control) and
// print its answer.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/cli/cli_common.hpp"
#include "core/cli/verbs.hpp"
#include "core/control/operator_requests.hpp"
#include "core/output/result_format.hpp"
#include "core/state/state_database.hpp"
#include "core/state/state_dir.hpp"
#include "vigil/sdk/units.hpp"

namespace po = boost::program_options;

namespace vigil::cli {

namespace {

constexpr int kExitUnavailable = 69;  // no vigil is running to act on the request
constexpr int kExitState = 73;

std::filesystem::path state_dir_for(const CommonOptions& common,
                                    const std::optional<std::string>& option) {
  std::optional<std::filesystem::path> from_config;
  // Only the state_dir matters here; a config with errors elsewhere must not stop an operator
  // from reading status or rolling back.
  LoadedConfiguration loaded = load_configuration(common);
  from_config = loaded.config.config.global.state_dir;
  return core::resolve_state_dir(
      option ? std::optional<std::filesystem::path>(*option) : std::nullopt, from_config);
}

std::string who(const std::optional<std::string>& by) {
  if (by && !by->empty())
    return *by;
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0')
      return v;
  }
  return "uid " + std::to_string(::getuid());
}

std::string ago(sdk::TimePoint then, sdk::TimePoint now) {
  if (now <= then)
    return "0s";
  return sdk::format_duration(std::chrono::duration_cast<std::chrono::seconds>(now - then));
}

int operator_request(const std::string& verb, const std::vector<std::string>& args) {
  CommonOptions common;
  std::optional<std::string> state_dir_option, by, reason;
  po::options_description desc("vigil " + verb + " options");
  desc.add_options()("help,h", "show this help")(
      "reason,r", po::value<std::string>()->notifier([&](const std::string& v) { reason = v; }),
      "why (required): recorded with the action and shown in the report")(
      "by", po::value<std::string>()->notifier([&](const std::string& v) { by = v; }),
      "who asks (default: $SUDO_USER or $USER)")(
      "state-dir",
      po::value<std::string>()->notifier([&](const std::string& v) { state_dir_option = v; }),
      "the running vigil's state directory")("wait", po::value<int>()->default_value(30),
                                             "seconds to wait for vigil's answer");
  if (verb == "rollback") {
    desc.add_options()("now", "roll back now (required: says you mean it)")(
        "force", "override the loop guard and the cooldown");
  }
  add_config_options(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  const std::string usage = "usage: vigil " + verb + (verb == "rollback" ? " --now" : "") +
                            " --reason TEXT [--by NAME] [--state-dir DIR]";
  if (!parse_verb_args(args, desc, nullptr, usage.c_str(), vm, &exit_code))
    return exit_code;
  if (verb == "rollback" && vm.count("now") == 0) {
    std::cerr << "vigil rollback: --now is required (a rollback is not undone)\n" << usage << "\n";
    return kExitUsage;
  }
  if (!reason || reason->empty()) {
    std::cerr << "vigil " << verb << ": --reason is required: it goes into the log and report\n";
    return kExitUsage;
  }
  const std::filesystem::path state_dir = state_dir_for(common, state_dir_option);
  const auto pid = core::DaemonLock::holder(state_dir);
  if (!pid) {
    std::cerr << "vigil " << verb << ": no vigil is running on " << state_dir.string()
              << " (start `vigil run`, or pass --state-dir)\n";
    return kExitUnavailable;
  }
  core::OperatorRequest request;
  request.verb = verb;
  request.reason = *reason;
  request.by = who(by);
  request.force = vm.count("force") != 0;
  std::string id;
  try {
    id = core::submit_request(state_dir, request);
  } catch (const std::exception& e) {
    std::cerr << "vigil " << verb << ": " << e.what() << "\n";
    return kExitState;
  }
  ::kill(*pid, SIGUSR1);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(vm["wait"].as<int>());
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto answer = core::take_answer(state_dir, id)) {
      std::cout << "vigil " << verb << ": " << answer->message << "\n";
      return answer->ok ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cerr << "vigil " << verb << ": no answer from vigil (pid " << *pid << ") within "
            << vm["wait"].as<int>() << "s; the request stays queued in "
            << (state_dir / "requests").string() << "\n";
  return kExitUnavailable;
}

}  // namespace

int rollback_command(const std::vector<std::string>& args) {
  return operator_request("rollback", args);
}
int promote_command(const std::vector<std::string>& args) {
  return operator_request("promote", args);
}
int abort_command(const std::vector<std::string>& args) {
  return operator_request("abort", args);
}

int status_command(const std::vector<std::string>& args) {
  CommonOptions common;
  std::optional<std::string> state_dir_option;
  std::string format = "text";
  po::options_description desc("vigil status options");
  desc.add_options()("help,h", "show this help")(
      "state-dir",
      po::value<std::string>()->notifier([&](const std::string& v) { state_dir_option = v; }),
      "state directory (default as for `vigil run`)")("format,f", po::value<std::string>(&format),
                                                      "text or json");
  add_config_options(desc, common);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_verb_args(args, desc, nullptr,
                       "usage: vigil status [--state-dir DIR] [--format text|json]", vm,
                       &exit_code))
    return exit_code;
  if (format != "text" && format != "json") {
    std::cerr << "vigil status: --format must be text or json, got \"" << format << "\"\n";
    return kExitUsage;
  }
  const std::filesystem::path state_dir = state_dir_for(common, state_dir_option);
  if (!std::filesystem::exists(state_dir / "vigil.db")) {
    std::cerr << "vigil status: no state in " << state_dir.string()
              << " (has `vigil run` been started with this state directory?)\n";
    return kExitState;
  }
  std::unique_ptr<core::StateDatabase> db;
  try {
    db = core::StateDatabase::open(state_dir);
  } catch (const std::exception& e) {
    std::cerr << "vigil status: " << e.what() << "\n";
    return kExitState;
  }
  const auto now = std::chrono::system_clock::now();
  const auto window = db->window();
  const auto latest = db->latest_results();
  const auto silences = db->silences(false, now);
  const auto actions = db->actions(window ? std::optional(window->started_at) : std::nullopt);
  nlohmann::json snapshot = nlohmann::json::object();
  {
    std::ifstream in(state_dir / "metrics_snapshot.json");
    if (in) {
      try {
        in >> snapshot;
      } catch (const std::exception&) {
        snapshot = nlohmann::json::object();
      }
    }
  }
  const auto daemon = core::DaemonLock::holder(state_dir);

  if (format == "json") {
    nlohmann::json j;
    j["running"] = daemon.has_value();
    if (daemon)
      j["pid"] = *daemon;
    if (window) {
      j["window"] = {{"deployment", window->deployment},
                     {"started", core::format_rfc3339(window->started_at)},
                     {"duration_seconds",
                      std::chrono::duration_cast<std::chrono::seconds>(window->duration).count()},
                     {"stage", window->stage},
                     {"extensions", window->extensions},
                     {"verdict", window->verdict.value_or("")},
                     {"verdict_reason", window->verdict_reason}};
    }
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& [name, r] : latest) {
      checks.push_back({{"pipeline", r.pipeline},
                        {"check", r.check},
                        {"status", std::string(sdk::to_string(r.status))},
                        {"summary", r.summary},
                        {"time", core::format_rfc3339(r.started)}});
    }
    j["checks"] = checks;
    j["alerts"] = snapshot.value("alerts", nlohmann::json::array());
    j["verdict_so_far"] = snapshot.value("verdict_so_far", nlohmann::json());
    nlohmann::json sil = nlohmann::json::array();
    for (const auto& s : silences) {
      nlohmann::json m = nlohmann::json::array();
      for (const auto& matcher : s.matchers)
        m.push_back(matcher.to_string());
      sil.push_back({{"id", s.id},
                     {"matchers", m},
                     {"ends", core::format_rfc3339(s.ends_at)},
                     {"comment", s.comment},
                     {"by", s.created_by}});
    }
    j["silences"] = sil;
    nlohmann::json acts = nlohmann::json::array();
    for (const auto& a : actions) {
      acts.push_back({{"started", core::format_rfc3339(a.started_at)},
                      {"action", a.action},
                      {"type", a.type},
                      {"trigger", a.trigger},
                      {"status", a.status},
                      {"message", a.message}});
    }
    j["actions"] = acts;
    std::cout << j.dump(2) << "\n";
    return 0;
  }

  std::ostringstream out;
  out << "vigil: " << (daemon ? "running (pid " + std::to_string(*daemon) + ")" : "not running")
      << ", state " << state_dir.string() << "\n";
  if (window) {
    const auto ends = window->started_at + window->duration;
    out << "window: " << (window->deployment.empty() ? "(no deployment id)" : window->deployment)
        << ", stage " << window->stage << ", started " << core::format_rfc3339(window->started_at)
        << ", elapsed " << ago(window->started_at, now);
    if (window->stage != "concluded")
      out << ", remaining " << (now < ends ? ago(now, ends) : "0s");
    if (window->extensions > 0)
      out << ", extended " << window->extensions << "x";
    out << "\n";
    if (window->verdict) {
      out << "verdict: " << *window->verdict << " (" << window->verdict_reason << ")\n";
    } else if (snapshot.contains("verdict_so_far")) {
      out << "verdict so far: " << snapshot["verdict_so_far"].value("verdict", "?") << " ("
          << snapshot["verdict_so_far"].value("reason", "") << ")\n";
    }
  } else {
    out << "window: none (watching without a verdict)\n";
  }
  out << "\nchecks:\n";
  for (const auto& [name, r] : latest) {
    out << "  " << r.pipeline << "/" << r.check << "  " << sdk::to_string(r.status) << "  "
        << r.summary << "  (" << ago(r.started, now) << " ago)\n";
  }
  out << "\nalerts:\n";
  bool any_alert = false;
  for (const auto& a : snapshot.value("alerts", nlohmann::json::array())) {
    any_alert = true;
    std::string state = a.value("state", "");
    for (auto& ch : state)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out << "  " << state << " [" << a.value("severity", "") << "] " << a.value("rule", "") << ": "
        << a.value("reason", "") << (a.value("silenced", false) ? " (silenced)" : "") << "\n";
  }
  if (!any_alert)
    out << "  none pending or firing\n";
  out << "\nsilences:\n";
  if (silences.empty())
    out << "  none\n";
  for (const auto& s : silences) {
    std::string m;
    for (const auto& matcher : s.matchers)
      m += (m.empty() ? "" : ",") + matcher.to_string();
    out << "  #" << s.id << " " << m << " until " << core::format_rfc3339(s.ends_at) << " by "
        << s.created_by << ": " << s.comment << "\n";
  }
  out << "\nactions:\n";
  if (actions.empty())
    out << "  none\n";
  for (const auto& a : actions) {
    out << "  " << core::format_rfc3339(a.started_at) << " " << a.action << " (" << a.type
        << ") for " << a.trigger << ": " << a.status << (a.message.empty() ? "" : " - " + a.message)
        << "\n";
  }
  std::cout << out.str();
  return 0;
}

}  // namespace vigil::cli
