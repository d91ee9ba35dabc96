#pragma once
// Everything vigil must remember across restarts, in one SQLite database <state_dir>/vigil.db:
// check results, alert transitions, rule state, silences, actions, the observation window and
// the plugins' key/value state. The daemon and the CLI (`vigil silence`, `vigil status`,
// `vigil report`) open it at the same time, each with its own connection.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/check_result.hpp"
#include "core/state/records.hpp"
#include "core/state/state_error.hpp"

namespace vigil::core {

namespace sqlite {
class Connection;
}

class StateDatabase {
 public:
  // The schema version this build writes (PRAGMA user_version). Migrations only go forward; a
  // database from a newer vigil is refused rather than misread.
  static int schema_version();
  // Results waiting in memory after failed writes, at most this many (oldest dropped first).
  static constexpr std::size_t kDefaultBacklogLimit = 10000;

  // Creates the directory (0750) and the database when missing, migrates the schema. Throws
  // StateError.
  static std::unique_ptr<StateDatabase> open(const std::filesystem::path& state_dir);
  ~StateDatabase();
  StateDatabase(const StateDatabase&) = delete;
  StateDatabase& operator=(const StateDatabase&) = delete;

  std::filesystem::path path() const;

  // Caps the database file at about `bytes` (PRAGMA max_page_count; 0 = SQLite's own limit), so
  // vigil cannot fill the disk with history: past it, writes fail like a full disk (SQLITE_FULL)
  // and results wait in the backlog until prune() makes room. Per connection, not stored.
  void set_max_size(std::uint64_t bytes);

  // --- check results ---
  // Appends to a bounded in-memory backlog, then writes the whole backlog in one transaction.
  // When the write fails (disk full, I/O error) the results stay in the backlog and the next
  // record_result() writes them first, so nothing is lost once space comes back; past
  // backlog_limit() the oldest are dropped and counted (dropped_results()). Throws StateError
  // after keeping the result; callers log it and carry on.
  void record_result(const CheckResult& r, bool dry_run);
  // Writes the backlog now; throws StateError when it still cannot.
  void flush_pending();
  std::size_t pending_results() const;
  std::uint64_t dropped_results() const;
  void set_backlog_limit(std::size_t limit);
  std::size_t backlog_limit() const;

  // In time order (started, then id); `until` is exclusive; limit 0 = all, else the most recent
  // `limit` (still in time order).
  std::vector<StoredResult> results(std::optional<std::string> check,
                                    std::optional<sdk::TimePoint> since,
                                    std::optional<sdk::TimePoint> until,
                                    std::size_t limit = 0) const;
  // The most recent stored result of each check (dry runs included), by check name.
  std::map<std::string, CheckResult> latest_results() const;

  // --- alert transitions ---
  void record_transition(const AlertTransitionRecord& t);
  std::vector<AlertTransitionRecord> transitions(std::optional<sdk::TimePoint> since = {}) const;

  // --- rule evaluator state (RuleEvaluator::save(), an opaque JSON document per rule) ---
  void save_rule_state(const std::string& rule, const std::string& json);
  std::map<std::string, std::string> load_rule_states() const;

  // --- silences ---
  // Returns the new id (s.id is ignored).
  std::int64_t add_silence(Silence s);
  // Without include_expired: only silences that have not ended or been expired by now (the
  // system clock; the overload takes the time).
  std::vector<Silence> silences(bool include_expired) const;
  std::vector<Silence> silences(bool include_expired, sdk::TimePoint now) const;
  // Ends a silence at `at`; false when there is no such silence or it has already ended.
  bool expire_silence(std::int64_t id, sdk::TimePoint at);

  // --- actions ---
  // Recorded BEFORE the action runs, so a restart never repeats it. Returns the id.
  std::int64_t begin_action(const ActionRecord& a);
  void finish_action(std::int64_t id, const std::string& status, const std::string& message,
                     const std::string& output, int attempts, sdk::TimePoint finished);
  std::vector<ActionRecord> actions(std::optional<sdk::TimePoint> since = {}) const;
  // Actions of this plugin type started at or after `since` that were not skipped: the loop
  // guard's count of rollbacks in the window.
  int count_actions(const std::string& type, sdk::TimePoint since) const;

  // --- the observation window ---
  std::optional<WindowRecord> window() const;
  void save_window(const WindowRecord& w);

  // --- per-check key/value state for plugins (sdk::StateStore) ---
  std::optional<std::string> kv_get(const std::string& check, std::string_view key) const;
  void kv_set(const std::string& check, std::string_view key, std::string_view value);
  void kv_erase(const std::string& check, std::string_view key);

  // Deletes results, transitions and finished actions older than `older_than`, and silences
  // that ended or were expired before it. Rule state, kv state and the window stay.
  void prune(sdk::TimePoint older_than);

 private:
  explicit StateDatabase(std::unique_ptr<sqlite::Connection> db);
  void flush_locked();

  mutable std::mutex mu_;  // one connection, shared by the daemon's threads
  std::unique_ptr<sqlite::Connection> db_;
  // A result waiting to be written, already as the row's values: its metrics as JSON text
  // take a fraction of the memory of the metrics themselves.
  struct PendingRow {
    std::string check;
    std::string plugin;
    std::string pipeline;
    int status = 0;
    int plugin_status = 0;
    std::string summary;
    std::int64_t started_ns = 0;
    std::int64_t duration_ms = 0;
    bool dry_run = false;
    std::string metrics;
    std::string details;
    std::string labels;
  };
  std::deque<PendingRow> backlog_;
  std::size_t backlog_limit_ = kDefaultBacklogLimit;
  std::uint64_t dropped_ = 0;
};

}  // namespace vigil::core
