#include "core/state/schema.hpp"

#include <array>
#include <string>

namespace vigil::core::state_schema {

namespace {

// Migration N (1-based) takes the database from user_version N-1 to N. Never edit one that has
// shipped: append a new one. Times are nanoseconds since the Unix epoch (UTC), durations
// milliseconds; labels, metrics, details and matchers are JSON text.
constexpr std::array<const char*, 1> kMigrations = {
    R"sql(
CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  check_name TEXT NOT NULL,
  plugin TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  status INTEGER NOT NULL,
  plugin_status INTEGER NOT NULL,
  summary TEXT NOT NULL,
  started_ns INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  dry_run INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  details TEXT NOT NULL,
  labels TEXT NOT NULL
);
CREATE INDEX results_by_time ON results (started_ns);
CREATE INDEX results_by_check ON results (check_name, started_ns);

CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  rule TEXT NOT NULL,
  check_name TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  severity TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at_ns INTEGER NOT NULL,
  reason TEXT NOT NULL,
  value REAL,
  silenced INTEGER NOT NULL,
  dry_run INTEGER NOT NULL,
  labels TEXT NOT NULL
);
CREATE INDEX transitions_by_time ON transitions (at_ns);

CREATE TABLE rule_states (
  rule TEXT PRIMARY KEY,
  state TEXT NOT NULL
);

CREATE TABLE silences (
  id INTEGER PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_ns INTEGER NOT NULL,
  ends_ns INTEGER NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expire_on_resolve INTEGER NOT NULL,
  deployment TEXT NOT NULL,
  expired_ns INTEGER
);

CREATE TABLE actions (
  id INTEGER PRIMARY KEY,
  action TEXT NOT NULL,
  type TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  rule TEXT NOT NULL,
  started_ns INTEGER NOT NULL,
  finished_ns INTEGER,
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  output TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  deployment TEXT NOT NULL
);
CREATE INDEX actions_by_type ON actions (type, started_ns);

CREATE TABLE observation_window (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  deployment TEXT NOT NULL,
  started_ns INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  stage TEXT NOT NULL,
  extensions INTEGER NOT NULL,
  verdict TEXT,
  concluded_ns INTEGER,
  verdict_reason TEXT NOT NULL
);

CREATE TABLE check_kv (
  check_name TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (check_name, key)
) WITHOUT ROWID;
)sql",
};

int read_version(sqlite::Connection& db) {
  sqlite::Statement st(db, "PRAGMA user_version");
  return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

}  // namespace

int latest_version() {
  return static_cast<int>(kMigrations.size());
}

void migrate(sqlite::Connection& db) {
  sqlite::ContextScope scope(db, "migrating the schema");
  if (read_version(db) == latest_version())
    return;  // the common case takes no write lock
  // The daemon and a CLI may open a fresh database at the same moment: the version is read
  // again under the write lock, so only one of them migrates.
  sqlite::WriteTransaction tx(db);
  const int current = read_version(db);
  if (current > latest_version()) {
    db.fail(SQLITE_ERROR, "schema version " + std::to_string(current) +
                              " is newer than this vigil understands (" +
                              std::to_string(latest_version()) + "); upgrade vigil");
  }
  for (int v = current; v < latest_version(); ++v) {
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
    // PRAGMA takes no bound parameters; the value is our own integer, not input.
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
  }
  tx.commit();
}

}  // namespace vigil::core::state_schema
