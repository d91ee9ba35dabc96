#include "core/metrics/snapshot_source.hpp"

#include "core/log/logging.hpp"

namespace vigil::core {

SnapshotSource::SnapshotSource(std::optional<WindowConfig> window, const AlertEngine& engine,
                               const sdk::Clock& clock, std::filesystem::path state_dir,
                               sdk::TimePoint counting_from)
    : engine_(engine),
      clock_(clock),
      state_dir_(std::move(state_dir)),
      counting_from_(counting_from),
      started_(clock.now()),
      window_(std::move(window)) {}

SnapshotSource::~SnapshotSource() = default;

void SnapshotSource::use_window(std::optional<WindowConfig> window) {
  std::lock_guard<std::mutex> lock(mu_);
  window_ = std::move(window);
}

MetricsSnapshot SnapshotSource::take() {
  std::lock_guard<std::mutex> lock(mu_);
  MetricsSnapshot s;
  s.now = clock_.now();
  s.started = started_;
  s.latest = engine_.latest_results();
  s.alerts = engine_.alerts();
  s.facts = engine_.facts();
  try {
    if (!db_)
      db_ = StateDatabase::open(state_dir_);
    if (window_) {
      if (std::optional<WindowRecord> record = db_->window()) {
        WindowSnapshot w;
        w.ends_at = record->started_at + record->duration +
                    record->extensions * window_->extend_on_inconclusive;
        std::optional<Verdict> final_verdict;
        if (record->verdict)
          final_verdict = parse_verdict(*record->verdict);
        w.verdict = final_verdict ? *final_verdict : decide_verdict(s.facts, *window_).verdict;
        w.record = std::move(*record);
        s.window = std::move(w);
      }
    }
    // Each finished record counted once, by id: records pruned from the database later stay
    // counted, so a counter never goes down while vigil runs.
    for (const ActionRecord& a : db_->actions(counting_from_)) {
      if (a.status == "running")
        continue;  // counted once it ends: a counter cannot take back what it counted
      if (counted_ids_.insert(a.id).second)
        ++actions_shown_[{a.action, a.type, a.status}];
    }
    db_error_logged_ = false;
  } catch (const std::exception& e) {
    if (!db_error_logged_)
      logger()->error("metrics: the window and new actions left out: {}", e.what());
    db_error_logged_ = true;
  }
  s.actions = actions_shown_;
  return s;
}

}  // namespace vigil::core
