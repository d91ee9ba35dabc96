#pragma once
// `incident_bundle`: the seed's "preserve evidence". On a rollback (or whenever a rule's
// escalation or an operator asks) it copies what an investigation needs into
// <dir>/incident-YYYYmmdd-HHMMSS/ before anything is restarted or pruned:
//
//   README.md              the event: what fired, when, why, labels, deployment
//   results.json           every stored result within `history`
//   alerts.json            alert transitions within `history`
//   actions.json           actions and their outcomes within `history`
//   silences.json          silences in force
//   metrics_snapshot.json  the latest snapshot
//   logs/                  vigil's log file (its last max_file_size bytes)
//   files/                 the `include` globs: test reports, service logs
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/state/state_database.hpp"
#include "vigil/sdk/action.hpp"
#include "vigil/sdk/options.hpp"

namespace vigil::core {

// What a bundle is made from. `vigil run` fills it once the state database is open.
struct IncidentSources {
  StateDatabase* db = nullptr;
  std::filesystem::path state_dir;
  std::optional<std::filesystem::path> log_file;
  std::function<std::string()> snapshot;
};

class IncidentBundleAction final : public sdk::Action {
 public:
  IncidentBundleAction(const sdk::Options& options, std::shared_ptr<const IncidentSources> sources);
  sdk::ActionOutcome execute(const sdk::Event& event, sdk::Context& ctx) override;

 private:
  std::shared_ptr<const IncidentSources> sources_;
  std::optional<std::filesystem::path> dir_;
  std::vector<std::string> include_;
  std::chrono::milliseconds history_;
  std::uint64_t max_file_size_;
};

}  // namespace vigil::core
