#include "core/execution/isolated_runner.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "vigil/sdk/subprocess.hpp"

namespace vigil::core {

std::vector<std::string> IsolatedCheckRunner::child_argv(std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = {target_.executable.string(),
                                   "__run-check",
                                   "--pipeline",
                                   target_.pipeline,
                                   "--check",
                                   target_.check,
                                   "--timeout-ms",
                                   std::to_string(timeout.count())};
  if (target_.config_file) {
    argv.insert(argv.end(), {"--config", *target_.config_file});
  }
  if (target_.environment)
    argv.insert(argv.end(), {"--env", *target_.environment});
  for (const auto& dir : target_.plugin_dirs)
    argv.insert(argv.end(), {"--plugin-dir", dir.string()});
  return argv;
}

std::optional<sdk::Result> result_from_json(const std::string& text, std::string* error) {
  try {
    const auto j = nlohmann::json::parse(text);
    auto status = sdk::status_from_string(j.at("status").get<std::string>());
    if (!status) {
      *error = "unknown status " + j.at("status").dump();
      return std::nullopt;
    }
    sdk::Result result = sdk::Result::with_status(*status, j.at("summary").get<std::string>());
    for (const auto& m : j.at("metrics")) {
      sdk::Metric metric;
      metric.name = m.at("name").get<std::string>();
      metric.value = m.at("value").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                             : m.at("value").get<double>();
      metric.unit = m.value("unit", "");
      metric.labels = m.value("labels", sdk::Labels{});
      if (m.contains("warn"))
        metric.warn = sdk::Range::parse(m["warn"].get<std::string>());
      if (m.contains("crit"))
        metric.crit = sdk::Range::parse(m["crit"].get<std::string>());
      if (m.contains("min") && !m["min"].is_null())
        metric.min = m["min"].get<double>();
      if (m.contains("max") && !m["max"].is_null())
        metric.max = m["max"].get<double>();
      result.metric(std::move(metric));
    }
    for (const auto& d : j.value("details", std::vector<std::string>{}))
      result.detail(d);
    return result;
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

namespace {

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  std::string line = text.substr(0, end);
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

}  // namespace

sdk::Result IsolatedCheckRunner::run(sdk::Context& ctx) noexcept {
  try {
    const auto timeout = ctx.remaining();
    if (timeout.count() <= 0)
      return sdk::Result::unknown("no time left to start the isolated run");
    sdk::ProcessSpec spec;
    spec.program = target_.executable.string();
    spec.argv = child_argv(timeout);
    spec.environment = sdk::merged_environment({});
    spec.max_stdout = std::size_t{4} * 1024 * 1024;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    sdk::ProcessOutcome outcome =
        sdk::run_process(spec, deadline, [&ctx] { return ctx.stop_requested(); });
    const std::string why = outcome.err.text.empty() ? "" : ": " + first_line(outcome.err.text);
    switch (outcome.end) {
      case sdk::ProcessEnd::Exited:
        break;
      case sdk::ProcessEnd::Signaled:
        return sdk::Result::unknown("isolated check process crashed: killed by signal " +
                                    std::to_string(outcome.signal) + " (" +
                                    ::strsignal(outcome.signal) + ")" + why);
      case sdk::ProcessEnd::TimedOut:
        return sdk::Result::unknown("timed out after " + sdk::format_duration(timeout) +
                                    "; the isolated check process was killed");
      case sdk::ProcessEnd::Cancelled:
        return sdk::Result::unknown("cancelled: vigil is stopping");
      case sdk::ProcessEnd::SpawnFailed:
        return sdk::Result::unknown("cannot start the isolated check process " + spec.program +
                                    ": errno " + std::to_string(outcome.spawn_error));
      case sdk::ProcessEnd::Lost:
        return sdk::Result::unknown("the isolated check process was reaped elsewhere");
    }
    std::string error;
    if (auto result = result_from_json(outcome.out.text, &error))
      return std::move(*result);
    return sdk::Result::unknown("isolated check process exited " +
                                std::to_string(outcome.exit_code) + " without a result" + why);
  } catch (const std::exception& e) {
    return sdk::Result::unknown(std::string("isolated run failed: ") + e.what());
  }
}

}  // namespace vigil::core
