#include "core/window/observation_window.hpp"

#include "core/log/logging.hpp"
#include "core/output/result_format.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

ObservationWindow::ObservationWindow(const WindowConfig& config, StateDatabase& db,
                                     const sdk::Clock& clock)
    : config_(&config), db_(db), clock_(clock) {}

void ObservationWindow::reconfigure(const WindowConfig& config) {
  config_ = &config;
  if (record_.duration == config.duration)
    return;
  record_.duration = config.duration;
  save();
  logger()->info("observation window{}{}: duration now {}, ends {}",
                 record_.deployment.empty() ? "" : " of ", record_.deployment,
                 sdk::format_duration(config.duration), format_rfc3339(ends_at()));
}

void ObservationWindow::save() {
  try {
    db_.save_window(record_);
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
}

bool ObservationWindow::open() {
  auto log = logger();
  std::optional<WindowRecord> stored = db_.window();
  if (stored && stored->stage != "concluded") {
    if (stored->deployment == config_->deployment) {
      record_ = *stored;
      // The configured duration wins: an operator may have lengthened the window.
      record_.duration = config_->duration;
      log->info("observation window{}{} resumed: started {}, {} stage, ends {}",
                record_.deployment.empty() ? "" : " of ", record_.deployment,
                format_rfc3339(record_.started_at), record_.stage, format_rfc3339(ends_at()));
      save();
      return false;
    }
    stored->stage = "concluded";
    stored->verdict = std::string(to_string(Verdict::Inconclusive));
    stored->concluded_at = clock_.now();
    stored->verdict_reason = "superseded by deployment " + config_->deployment;
    db_.save_window(*stored);
    log->warn("observation window of {} closed unfinished: superseded by {}", stored->deployment,
              config_->deployment);
  }
  record_ = WindowRecord{};
  record_.deployment = config_->deployment;
  record_.started_at = clock_.now();
  record_.duration = config_->duration;
  record_.stage = "preflight";
  save();
  log->info("observation window{}{} opened: {} until {}", record_.deployment.empty() ? "" : " of ",
            record_.deployment, sdk::format_duration(config_->duration), format_rfc3339(ends_at()));
  return true;
}

sdk::TimePoint ObservationWindow::ends_at() const {
  return record_.started_at + record_.duration +
         record_.extensions * config_->extend_on_inconclusive;
}

void ObservationWindow::enter(const std::string& stage) {
  if (record_.stage == stage)
    return;
  record_.stage = stage;
  save();
}

std::optional<VerdictDecision> ObservationWindow::conclude(const WindowFacts& facts,
                                                           bool final_decision) {
  VerdictDecision d = decide_verdict(facts, *config_);
  if (d.verdict == Verdict::Inconclusive && !final_decision &&
      config_->extend_on_inconclusive.count() > 0 && record_.extensions < config_->max_extensions) {
    ++record_.extensions;
    save();
    logger()->warn("VERDICT INCONCLUSIVE ({}): window extended by {} to {} (extension {} of {})",
                   d.reason, sdk::format_duration(config_->extend_on_inconclusive),
                   format_rfc3339(ends_at()), record_.extensions, config_->max_extensions);
    return std::nullopt;
  }
  record_.stage = "concluded";
  record_.verdict = std::string(to_string(d.verdict));
  record_.concluded_at = clock_.now();
  record_.verdict_reason = d.reason;
  save();
  return d;
}

const std::vector<std::string>& ObservationWindow::actions_for(Verdict v) const {
  switch (v) {
    case Verdict::Successful:
      return config_->on_success;
    case Verdict::Failed:
      return config_->on_failure;
    case Verdict::Inconclusive:
      return config_->on_inconclusive;
  }
  return config_->on_inconclusive;
}

}  // namespace vigil::core
