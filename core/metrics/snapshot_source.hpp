#pragma once
// Takes a MetricsSnapshot of a running vigil: the latest results and the alerts from the
// AlertEngine (which keeps them in memory), the window and the actions from the state database
// through a connection of its own, so a scrape never waits on a check's write to the daemon's.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/alerting/alert_engine.hpp"
#include "core/config/config.hpp"
#include "core/metrics/metrics_snapshot.hpp"
#include "core/state/state_database.hpp"
#include "core/time/clock.hpp"

namespace vigil::core {

class SnapshotSource {
 public:
  // `engine` and `clock` must outlive this. Actions are counted from `counting_from` (the
  // window's start, or when vigil started without a window).
  SnapshotSource(std::optional<WindowConfig> window, const AlertEngine& engine,
                 const sdk::Clock& clock, std::filesystem::path state_dir,
                 sdk::TimePoint counting_from);
  ~SnapshotSource();

  // From any thread. A database that cannot be read leaves the window and new actions out
  // (and says so once in the log) rather than failing the scrape.
  MetricsSnapshot take();
  // The window's configuration after a reload.
  void use_window(std::optional<WindowConfig> window);

 private:
  const AlertEngine& engine_;
  const sdk::Clock& clock_;
  const std::filesystem::path state_dir_;
  const sdk::TimePoint counting_from_;
  const sdk::TimePoint started_;
  std::mutex mu_;
  std::optional<WindowConfig> window_;
  std::unique_ptr<StateDatabase> db_;
  // Finished actions counted so far, and the ids of their records.
  std::map<ActionCountKey, std::uint64_t> actions_shown_;
  std::set<std::int64_t> counted_ids_;
  bool db_error_logged_ = false;
};

}  // namespace vigil::core
