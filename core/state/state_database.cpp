#include "core/state/state_database.hpp"

#include <sys/stat.h>

#include <algorithm>

#include <system_error>

#include "core/log/logging.hpp"
#include "core/state/record_codec.hpp"
#include "core/state/schema.hpp"
#include "core/state/sqlite_handle.hpp"

namespace vigil::core {

using sqlite::ContextScope;
using sqlite::Statement;
using sqlite::WriteTransaction;
using state_codec::from_ns;
using state_codec::to_ns;

namespace {

// How long a statement waits for another process's write lock (the CLI adding a silence while
// the daemon records) before failing with SQLITE_BUSY. Writes here are single small
// transactions, so anything near this long means something is wrong.
constexpr int kBusyTimeoutMs = 5000;

void create_state_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec))
    return;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw StateError("state directory " + dir.string() + ": cannot create: " + ec.message());
  }
  // Results and silences say what is deployed and who silenced what: not world-readable.
  ::chmod(dir.c_str(), 0750);
}

CheckResult read_result(const Statement& st, int c) {
  CheckResult r;
  r.check = st.text(c + 0);
  r.plugin = st.text(c + 1);
  r.pipeline = st.text(c + 2);
  r.status = static_cast<sdk::Status>(st.int64(c + 3));
  r.plugin_status = static_cast<sdk::Status>(st.int64(c + 4));
  r.summary = st.text(c + 5);
  r.started = from_ns(st.int64(c + 6));
  r.duration = std::chrono::milliseconds(st.int64(c + 7));
  r.metrics = state_codec::metrics_from_json(st.text(c + 8));
  r.details = state_codec::strings_from_json(st.text(c + 9));
  r.labels = state_codec::labels_from_json(st.text(c + 10));
  return r;
}

constexpr const char* kResultColumns =
    "check_name, plugin, pipeline, status, plugin_status, summary, started_ns, duration_ms, "
    "metrics, details, labels";

Silence read_silence(const Statement& st) {
  Silence s;
  s.id = st.int64(0);
  s.matchers = state_codec::matchers_from_json(st.text(1));
  s.starts_at = from_ns(st.int64(2));
  s.ends_at = from_ns(st.int64(3));
  s.comment = st.text(4);
  s.created_by = st.text(5);
  s.expire_on_resolve = st.int64(6) != 0;
  s.deployment = st.text(7);
  if (auto e = st.optional_int64(8))
    s.expired_at = from_ns(*e);
  return s;
}

ActionRecord read_action(const Statement& st) {
  ActionRecord a;
  a.id = st.int64(0);
  a.action = st.text(1);
  a.type = st.text(2);
  a.trigger = st.text(3);
  a.rule = st.text(4);
  a.started_at = from_ns(st.int64(5));
  if (auto f = st.optional_int64(6))
    a.finished_at = from_ns(*f);
  a.status = st.text(7);
  a.message = st.text(8);
  a.output = st.text(9);
  a.attempts = static_cast<int>(st.int64(10));
  a.deployment = st.text(11);
  return a;
}

}  // namespace

int StateDatabase::schema_version() {
  return state_schema::latest_version();
}

std::unique_ptr<StateDatabase> StateDatabase::open(const std::filesystem::path& state_dir) {
  create_state_dir(state_dir);
  auto db = std::make_unique<sqlite::Connection>(state_dir / "vigil.db");
  ContextScope scope(*db, "opening");
  sqlite3_busy_timeout(db->get(), kBusyTimeoutMs);
  // WAL lets the CLI read while the daemon writes (readers never block the writer or each
  // other) and survives a crash of either at any instruction. With synchronous=NORMAL the WAL
  // is fsynced at checkpoints, not at every commit: a process kill (SIGKILL, OOM, segfault)
  // loses nothing, because committed transactions are already in the OS page cache; only a
  // power loss or kernel crash can lose the last few commits, never corrupt the file. For
  // health-check history that trade is right: results arrive every few seconds and a lost
  // second of them is re-measured, while FULL would fsync on every result.
  const std::string mode = db->query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal")
    db->fail(SQLITE_ERROR, "cannot switch to WAL mode (journal_mode is " + mode + ")");
  db->exec("PRAGMA synchronous = NORMAL");
  // SQLite's page cache defaults to 2 MiB per connection and fills with the pages of the rows
  // written, which are read back rarely: a daemon storing a 1,000-target result a second grew
  // by 2 MiB over its first cycles for no reads. 512 KiB holds the indexes' hot pages; the
  // rest comes from the OS page cache when a report reads it.
  db->exec("PRAGMA cache_size = -512");
  state_schema::migrate(*db);
  ::chmod(db->file().c_str(), 0640);
  return std::unique_ptr<StateDatabase>(new StateDatabase(std::move(db)));
}

StateDatabase::StateDatabase(std::unique_ptr<sqlite::Connection> db) : db_(std::move(db)) {}

StateDatabase::~StateDatabase() {
  std::lock_guard lock(mu_);
  if (backlog_.empty())
    return;
  try {
    flush_locked();
  } catch (const StateError& e) {
    logger()->error("{}; {} results not stored", e.what(), backlog_.size());
  }
}

std::filesystem::path StateDatabase::path() const {
  return db_->file();
}

void StateDatabase::set_max_size(std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "setting the size limit");
  const std::int64_t page_size = std::stoll(db_->query_text("PRAGMA page_size"));
  // 4294967294 is SQLite's ceiling for max_page_count. PRAGMA takes no bound parameters; the
  // value is a number we computed.
  const std::uint64_t pages =
      bytes == 0 ? 4294967294ULL
                 : std::max<std::uint64_t>(1, bytes / static_cast<std::uint64_t>(page_size));
  db_->query_text("PRAGMA max_page_count = " + std::to_string(pages));
}

void StateDatabase::record_result(const CheckResult& r, bool dry_run) {
  PendingRow row{r.check,
                 r.plugin,
                 r.pipeline,
                 static_cast<int>(r.status),
                 static_cast<int>(r.plugin_status),
                 r.summary,
                 to_ns(r.started),
                 static_cast<std::int64_t>(r.duration.count()),
                 dry_run,
                 state_codec::metrics_to_json(r.metrics),
                 state_codec::strings_to_json(r.details),
                 state_codec::labels_to_json(r.labels)};
  std::lock_guard lock(mu_);
  backlog_.push_back(std::move(row));
  if (backlog_.size() > backlog_limit_) {
    const std::size_t drop = backlog_.size() - backlog_limit_;
    backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(drop));
    dropped_ += drop;
    logger()->warn(
        "state database {}: result backlog full ({} results), dropped the oldest; {} "
        "dropped since start",
        db_->file().string(), backlog_limit_, dropped_);
  }
  ContextScope scope(*db_, "recording result of " + r.check);
  try {
    flush_locked();
  } catch (const StateError& e) {
    throw StateError(std::string(e.what()) + " (" + std::to_string(backlog_.size()) +
                         " results kept in memory, retried on the next write)",
                     e.sqlite_code());
  }
}

void StateDatabase::flush_pending() {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "writing pending results");
  flush_locked();
}

void StateDatabase::flush_locked() {
  if (backlog_.empty())
    return;
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT INTO results (check_name, plugin, pipeline, status, plugin_status, "
               "summary, started_ns, duration_ms, dry_run, metrics, details, labels) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  for (const PendingRow& row : backlog_) {
    st.reset();
    st.bind(1, row.check)
        .bind(2, row.plugin)
        .bind(3, row.pipeline)
        .bind(4, row.status)
        .bind(5, row.plugin_status)
        .bind(6, row.summary)
        .bind(7, row.started_ns)
        .bind(8, row.duration_ms)
        .bind(9, row.dry_run)
        .bind(10, row.metrics)
        .bind(11, row.details)
        .bind(12, row.labels);
    st.run();
  }
  tx.commit();
  backlog_.clear();
}

std::size_t StateDatabase::pending_results() const {
  std::lock_guard lock(mu_);
  return backlog_.size();
}

std::uint64_t StateDatabase::dropped_results() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void StateDatabase::set_backlog_limit(std::size_t limit) {
  std::lock_guard lock(mu_);
  backlog_limit_ = limit == 0 ? 1 : limit;
}

std::size_t StateDatabase::backlog_limit() const {
  std::lock_guard lock(mu_);
  return backlog_limit_;
}

std::vector<StoredResult> StateDatabase::results(std::optional<std::string> check,
                                                 std::optional<sdk::TimePoint> since,
                                                 std::optional<sdk::TimePoint> until,
                                                 std::size_t limit) const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading results");
  // NULL parameters switch a condition off, so one statement serves every combination. With a
  // limit the newest rows are taken and put back in time order.
  Statement st(*db_, std::string("SELECT * FROM (SELECT id, dry_run, ") + kResultColumns +
                         " FROM results WHERE (?1 IS NULL OR check_name = ?1) "
                         "AND (?2 IS NULL OR started_ns >= ?2) AND (?3 IS NULL OR started_ns < ?3) "
                         "ORDER BY started_ns DESC, id DESC LIMIT ?4) ORDER BY started_ns, id");
  st.bind(1, check);
  if (since)
    st.bind(2, to_ns(*since));
  if (until)
    st.bind(3, to_ns(*until));
  st.bind(4, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
  std::vector<StoredResult> out;
  while (st.step()) {
    StoredResult r;
    r.id = st.int64(0);
    r.dry_run = st.int64(1) != 0;
    r.result = read_result(st, 2);
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::string, CheckResult> StateDatabase::latest_results() const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading latest results");
  Statement st(*db_, std::string("SELECT ") + kResultColumns +
                         " FROM (SELECT *, row_number() OVER (PARTITION BY check_name "
                         "ORDER BY started_ns DESC, id DESC) AS newest FROM results) "
                         "WHERE newest = 1");
  std::map<std::string, CheckResult> out;
  while (st.step()) {
    CheckResult r = read_result(st, 0);
    out[r.check] = std::move(r);
  }
  return out;
}

void StateDatabase::record_transition(const AlertTransitionRecord& t) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "recording transition of rule " + t.rule);
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT INTO transitions (rule, check_name, pipeline, severity, kind, from_state, "
               "to_state, at_ns, reason, value, silenced, dry_run, labels) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  st.bind(1, t.rule)
      .bind(2, t.check)
      .bind(3, t.pipeline)
      .bind(4, t.severity)
      .bind(5, t.kind)
      .bind(6, t.from)
      .bind(7, t.to)
      .bind(8, to_ns(t.at))
      .bind(9, t.reason)
      .bind(10, t.value)
      .bind(11, t.silenced)
      .bind(12, t.dry_run)
      .bind(13, state_codec::labels_to_json(t.labels));
  st.run();
  tx.commit();
}

std::vector<AlertTransitionRecord> StateDatabase::transitions(
    std::optional<sdk::TimePoint> since) const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading transitions");
  Statement st(*db_,
               "SELECT id, rule, check_name, pipeline, severity, kind, from_state, to_state, "
               "at_ns, reason, value, silenced, dry_run, labels FROM transitions "
               "WHERE ?1 IS NULL OR at_ns >= ?1 ORDER BY at_ns, id");
  if (since)
    st.bind(1, to_ns(*since));
  std::vector<AlertTransitionRecord> out;
  while (st.step()) {
    AlertTransitionRecord t;
    t.id = st.int64(0);
    t.rule = st.text(1);
    t.check = st.text(2);
    t.pipeline = st.text(3);
    t.severity = st.text(4);
    t.kind = st.text(5);
    t.from = st.text(6);
    t.to = st.text(7);
    t.at = from_ns(st.int64(8));
    t.reason = st.text(9);
    t.value = st.optional_real(10);
    t.silenced = st.int64(11) != 0;
    t.dry_run = st.int64(12) != 0;
    t.labels = state_codec::labels_from_json(st.text(13));
    out.push_back(std::move(t));
  }
  return out;
}

void StateDatabase::save_rule_state(const std::string& rule, const std::string& json) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "saving the state of rule " + rule);
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT INTO rule_states (rule, state) VALUES (?1, ?2) "
               "ON CONFLICT (rule) DO UPDATE SET state = excluded.state");
  st.bind(1, rule).bind(2, json);
  st.run();
  tx.commit();
}

std::map<std::string, std::string> StateDatabase::load_rule_states() const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "loading rule states");
  Statement st(*db_, "SELECT rule, state FROM rule_states");
  std::map<std::string, std::string> out;
  while (st.step())
    out[st.text(0)] = st.text(1);
  return out;
}

std::int64_t StateDatabase::add_silence(Silence s) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "adding a silence");
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT INTO silences (matchers, starts_ns, ends_ns, comment, created_by, "
               "expire_on_resolve, deployment, expired_ns) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.bind(1, state_codec::matchers_to_json(s.matchers))
      .bind(2, to_ns(s.starts_at))
      .bind(3, to_ns(s.ends_at))
      .bind(4, s.comment)
      .bind(5, s.created_by)
      .bind(6, s.expire_on_resolve)
      .bind(7, s.deployment);
  if (s.expired_at)
    st.bind(8, to_ns(*s.expired_at));
  st.run();
  const std::int64_t id = db_->last_insert_id();
  tx.commit();
  return id;
}

std::vector<Silence> StateDatabase::silences(bool include_expired) const {
  return silences(include_expired, std::chrono::system_clock::now());
}

std::vector<Silence> StateDatabase::silences(bool include_expired, sdk::TimePoint now) const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading silences");
  Statement st(*db_,
               "SELECT id, matchers, starts_ns, ends_ns, comment, created_by, expire_on_resolve, "
               "deployment, expired_ns FROM silences "
               "WHERE ?1 OR (ends_ns > ?2 AND (expired_ns IS NULL OR expired_ns > ?2)) "
               "ORDER BY id");
  st.bind(1, include_expired).bind(2, to_ns(now));
  std::vector<Silence> out;
  while (st.step())
    out.push_back(read_silence(st));
  return out;
}

bool StateDatabase::expire_silence(std::int64_t id, sdk::TimePoint at) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "expiring silence " + std::to_string(id));
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "UPDATE silences SET expired_ns = ?2 WHERE id = ?1 AND ends_ns > ?2 "
               "AND (expired_ns IS NULL OR expired_ns > ?2)");
  st.bind(1, id).bind(2, to_ns(at));
  st.run();
  const bool changed = db_->changes() > 0;
  tx.commit();
  return changed;
}

std::int64_t StateDatabase::begin_action(const ActionRecord& a) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "recording the start of action " + a.action);
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT INTO actions (action, type, trigger_name, rule, started_ns, finished_ns, "
               "status, message, output, attempts, deployment) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  st.bind(1, a.action)
      .bind(2, a.type)
      .bind(3, a.trigger)
      .bind(4, a.rule)
      .bind(5, to_ns(a.started_at))
      .bind(7, a.status.empty() ? std::string("running") : a.status)
      .bind(8, a.message)
      .bind(9, a.output)
      .bind(10, a.attempts)
      .bind(11, a.deployment);
  if (a.finished_at)
    st.bind(6, to_ns(*a.finished_at));
  st.run();
  const std::int64_t id = db_->last_insert_id();
  tx.commit();
  return id;
}

void StateDatabase::finish_action(std::int64_t id, const std::string& status,
                                  const std::string& message, const std::string& output,
                                  int attempts, sdk::TimePoint finished) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "recording the end of action run " + std::to_string(id));
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "UPDATE actions SET status = ?2, message = ?3, output = ?4, attempts = ?5, "
               "finished_ns = ?6 WHERE id = ?1");
  st.bind(1, id)
      .bind(2, status)
      .bind(3, message)
      .bind(4, output)
      .bind(5, attempts)
      .bind(6, to_ns(finished));
  st.run();
  if (db_->changes() == 0)
    db_->fail(SQLITE_NOTFOUND, "no action run with id " + std::to_string(id));
  tx.commit();
}

std::vector<ActionRecord> StateDatabase::actions(std::optional<sdk::TimePoint> since) const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading actions");
  Statement st(*db_,
               "SELECT id, action, type, trigger_name, rule, started_ns, finished_ns, status, "
               "message, output, attempts, deployment FROM actions "
               "WHERE ?1 IS NULL OR started_ns >= ?1 ORDER BY started_ns, id");
  if (since)
    st.bind(1, to_ns(*since));
  std::vector<ActionRecord> out;
  while (st.step())
    out.push_back(read_action(st));
  return out;
}

int StateDatabase::count_actions(const std::string& type, sdk::TimePoint since) const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "counting " + type + " actions");
  Statement st(*db_,
               "SELECT count(*) FROM actions WHERE type = ?1 AND started_ns >= ?2 "
               "AND status != 'skipped'");
  st.bind(1, type).bind(2, to_ns(since));
  return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

std::optional<WindowRecord> StateDatabase::window() const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading the observation window");
  Statement st(*db_,
               "SELECT deployment, started_ns, duration_ms, stage, extensions, verdict, "
               "concluded_ns, verdict_reason FROM observation_window WHERE singleton = 1");
  if (!st.step())
    return std::nullopt;
  WindowRecord w;
  w.deployment = st.text(0);
  w.started_at = from_ns(st.int64(1));
  w.duration = std::chrono::milliseconds(st.int64(2));
  w.stage = st.text(3);
  w.extensions = static_cast<int>(st.int64(4));
  w.verdict = st.optional_text(5);
  if (auto c = st.optional_int64(6))
    w.concluded_at = from_ns(*c);
  w.verdict_reason = st.text(7);
  return w;
}

void StateDatabase::save_window(const WindowRecord& w) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "saving the observation window of " + w.deployment);
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT OR REPLACE INTO observation_window (singleton, deployment, started_ns, "
               "duration_ms, stage, extensions, verdict, concluded_ns, verdict_reason) "
               "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.bind(1, w.deployment)
      .bind(2, to_ns(w.started_at))
      .bind(3, static_cast<std::int64_t>(w.duration.count()))
      .bind(4, w.stage)
      .bind(5, w.extensions)
      .bind(6, w.verdict)
      .bind(8, w.verdict_reason);
  if (w.concluded_at)
    st.bind(7, to_ns(*w.concluded_at));
  st.run();
  tx.commit();
}

std::optional<std::string> StateDatabase::kv_get(const std::string& check,
                                                 std::string_view key) const {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "reading state of check " + check);
  Statement st(*db_, "SELECT value FROM check_kv WHERE check_name = ?1 AND key = ?2");
  st.bind(1, check).bind(2, key);
  if (!st.step())
    return std::nullopt;
  return st.text(0);
}

void StateDatabase::kv_set(const std::string& check, std::string_view key, std::string_view value) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "saving state of check " + check);
  WriteTransaction tx(*db_);
  Statement st(*db_,
               "INSERT INTO check_kv (check_name, key, value) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (check_name, key) DO UPDATE SET value = excluded.value");
  st.bind(1, check).bind(2, key).bind(3, value);
  st.run();
  tx.commit();
}

void StateDatabase::kv_erase(const std::string& check, std::string_view key) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "erasing state of check " + check);
  WriteTransaction tx(*db_);
  Statement st(*db_, "DELETE FROM check_kv WHERE check_name = ?1 AND key = ?2");
  st.bind(1, check).bind(2, key);
  st.run();
  tx.commit();
}

void StateDatabase::prune(sdk::TimePoint older_than) {
  std::lock_guard lock(mu_);
  ContextScope scope(*db_, "pruning old records");
  const std::int64_t cutoff = to_ns(older_than);
  WriteTransaction tx(*db_);
  for (const char* sql : {
           "DELETE FROM results WHERE started_ns < ?1",
           "DELETE FROM transitions WHERE at_ns < ?1",
           "DELETE FROM actions WHERE finished_ns IS NOT NULL AND finished_ns < ?1",
           "DELETE FROM silences WHERE ends_ns < ?1 OR expired_ns < ?1",
       }) {
    Statement st(*db_, sql);
    st.bind(1, cutoff);
    st.run();
  }
  tx.commit();
}

}  // namespace vigil::core
