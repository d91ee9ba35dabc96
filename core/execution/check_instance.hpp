#pragma once
// One configured check bound to the plugin object that measures it. The scheduler calls run()
// on a worker thread; run() calls into the plugin through the SDK's noexcept adapter, then the
// host judges the plugin's result against the configured thresholds.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/model/check_result.hpp"
#include "core/model/thresholds.hpp"
#include "vigil/sdk/context.hpp"
#include "vigil/sdk/plugin.hpp"

namespace vigil::core {

// Per-check key/value state (sdk::StateStore), in memory: `vigil check`, `--once` and tests.
// `vigil run` gives each check a DurableStateStore instead.
class MemoryStateStore final : public sdk::StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override;
  void set(std::string_view key, std::string value) override;
  void erase(std::string_view key) override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> values_;
};

struct CheckIdentity {
  std::string name;
  std::string plugin;
  std::string pipeline;
  sdk::Labels labels;
};

class CheckInstance {
 public:
  CheckInstance(CheckIdentity identity, Thresholds thresholds,
                std::unique_ptr<sdk::CheckRunner> runner, const sdk::Clock& clock);

  // Runs the plugin once on the calling thread. Never throws; a plugin that throws has already
  // been turned into UNKNOWN by the SDK adapter.
  CheckResult run(sdk::TimePoint deadline, const std::atomic<bool>* cancel);

  const CheckIdentity& identity() const noexcept { return identity_; }
  // Gives the plugin durable state (the state database) instead of the in-memory default.
  // Before the first run.
  void use_state_store(std::unique_ptr<sdk::StateStore> store) { store_ = std::move(store); }

  // A result for a run that never produced one (timeout, skip): same identity, UNKNOWN.
  CheckResult unknown_result(std::string summary, sdk::TimePoint started) const;

 private:
  CheckIdentity identity_;
  Thresholds thresholds_;
  std::unique_ptr<sdk::CheckRunner> runner_;
  const sdk::Clock* clock_;
  MemoryStateStore state_;
  std::unique_ptr<sdk::StateStore> store_;  // when set, used instead of state_
};

}  // namespace vigil::core
