#include "core/execution/check_instance.hpp"

#include <chrono>

#include "core/execution/run_context.hpp"

namespace vigil::core {

std::optional<std::string> MemoryStateStore::get(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(key);
  if (it == values_.end())
    return std::nullopt;
  return it->second;
}

void MemoryStateStore::set(std::string_view key, std::string value) {
  std::lock_guard<std::mutex> lock(mu_);
  values_.insert_or_assign(std::string(key), std::move(value));
}

void MemoryStateStore::erase(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = values_.find(key); it != values_.end())
    values_.erase(it);
}

CheckInstance::CheckInstance(CheckIdentity identity, Thresholds thresholds,
                             std::unique_ptr<sdk::CheckRunner> runner, const sdk::Clock& clock)
    : identity_(std::move(identity)),
      thresholds_(std::move(thresholds)),
      runner_(std::move(runner)),
      clock_(&clock) {}

CheckResult CheckInstance::run(sdk::TimePoint deadline, const std::atomic<bool>* cancel) {
  const sdk::TimePoint started = clock_->now();
  const auto steady_start = std::chrono::steady_clock::now();
  RunContext ctx(identity_.name, *clock_, store_ ? *store_ : state_, deadline, cancel);
  sdk::Result result = runner_->run(ctx);

  CheckResult out;
  out.check = identity_.name;
  out.plugin = identity_.plugin;
  out.pipeline = identity_.pipeline;
  out.labels = identity_.labels;
  out.started = started;
  out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - steady_start);
  out.plugin_status = result.status();
  thresholds_.judge(result);
  out.status = result.status();
  out.summary = result.summary();
  out.metrics = std::move(result.metrics());
  out.details = result.details();
  return out;
}

CheckResult CheckInstance::unknown_result(std::string summary, sdk::TimePoint started) const {
  CheckResult out;
  out.check = identity_.name;
  out.plugin = identity_.plugin;
  out.pipeline = identity_.pipeline;
  out.labels = identity_.labels;
  out.started = started;
  out.status = sdk::Status::Unknown;
  out.plugin_status = sdk::Status::Unknown;
  out.summary = std::move(summary);
  return out;
}

}  // namespace vigil::core
