// The state database: every record round-trips, the file is a WAL database at the current
// schema version, data survives reopening, and a full database keeps results in memory until
// there is room again.
#include "core/state/state_database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmath>
#include <limits>

#include "core/state/durable_state_store.hpp"
#include "core/state/state_dir.hpp"
#include "tests/state/state_test_support.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using testing::raw_query;
using testing::sample_result;
using testing::TempStateDir;

const sdk::TimePoint kT0{std::chrono::seconds{1760801520}};  // 2025-10-18T15:32:00Z

TEST(StateDatabase, CreatesAWalDatabaseAtTheCurrentSchemaVersion) {
  TempStateDir dir;
  const auto state_dir = dir.path() / "nested" / "state";
  auto db = StateDatabase::open(state_dir);
  EXPECT_EQ(db->path(), state_dir / "vigil.db");
  EXPECT_TRUE(std::filesystem::exists(db->path()));
  EXPECT_EQ(raw_query(db->path(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_query(db->path(), "PRAGMA user_version"),
            std::to_string(StateDatabase::schema_version()));
  EXPECT_GE(StateDatabase::schema_version(), 1);
  struct stat st {};
  ASSERT_EQ(::stat(state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST(StateDatabase, RefusesADatabaseFromANewerVigil) {
  TempStateDir dir;
  { auto db = StateDatabase::open(dir.path()); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "vigil.db").c_str(), &raw), SQLITE_OK);
  const std::string bump =
      "PRAGMA user_version = " + std::to_string(StateDatabase::schema_version() + 1);
  ASSERT_EQ(sqlite3_exec(raw, bump.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  try {
    StateDatabase::open(dir.path());
    FAIL() << "a newer schema was accepted";
  } catch (const StateError& e) {
    const std::string what = e.what();
    EXPECT_NE(
        what.find("state database " + (dir.path() / "vigil.db").string() + ": schema version"),
        std::string::npos)
        << what;
    EXPECT_NE(what.find("upgrade vigil"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

TEST(StateDatabase, NotADatabaseIsAOneLineStateError) {
  TempStateDir dir;
  std::FILE* f = std::fopen((dir.path() / "vigil.db").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not an SQLite database, it is a text file long enough to have a header\n", f);
  std::fclose(f);
  try {
    StateDatabase::open(dir.path());
    FAIL() << "a text file was opened as a database";
  } catch (const StateError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("(SQLITE_NOTADB)"), std::string::npos) << what;
    EXPECT_NE(what.find("while opening"), std::string::npos) << what;
  }
}

TEST(StateDatabase, ResultsRoundTripWithMetricsDetailsAndLabels) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  CheckResult r = sample_result("api-health", kT0 + 123456789ns, sdk::Status::Warning);
  r.plugin_status = sdk::Status::Ok;
  r.details = {"line one", "line two"};
  r.labels = {{"team", "web"}, {"tier", "1"}};
  sdk::Metric latency("latency", 0.25, "s", {{"op", "read"}});
  latency.warn = sdk::Range::parse("0.2");
  latency.crit = sdk::Range::parse("@10:20");
  latency.min = 0;
  latency.max = 1.5;
  r.metrics.push_back(latency);
  r.metrics.emplace_back("ratio", std::numeric_limits<double>::quiet_NaN());
  r.metrics.emplace_back("overflow", std::numeric_limits<double>::infinity(), "c");
  db->record_result(r, true);

  auto stored = db->results(std::nullopt, std::nullopt, std::nullopt);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_GT(stored[0].id, 0);
  EXPECT_TRUE(stored[0].dry_run);
  const CheckResult& back = stored[0].result;
  EXPECT_EQ(back.check, "api-health");
  EXPECT_EQ(back.plugin, "http_probe");
  EXPECT_EQ(back.pipeline, "web");
  EXPECT_EQ(back.status, sdk::Status::Warning);
  EXPECT_EQ(back.plugin_status, sdk::Status::Ok);
  EXPECT_EQ(back.summary, r.summary);
  EXPECT_EQ(back.started, r.started);  // nanosecond exact
  EXPECT_EQ(back.duration, 12ms);
  EXPECT_EQ(back.details, r.details);
  EXPECT_EQ(back.labels, r.labels);
  ASSERT_EQ(back.metrics.size(), 3u);
  const sdk::Metric& m = back.metrics[0];
  EXPECT_EQ(m.name, "latency");
  EXPECT_DOUBLE_EQ(m.value, 0.25);
  EXPECT_EQ(m.unit, "s");
  EXPECT_EQ(m.labels, latency.labels);
  ASSERT_TRUE(m.warn && m.crit);
  EXPECT_EQ(m.warn->to_string(), "0.2");
  EXPECT_EQ(m.crit->to_string(), "@10:20");
  EXPECT_EQ(m.min, 0.0);
  EXPECT_EQ(m.max, 1.5);
  EXPECT_TRUE(std::isnan(back.metrics[1].value));
  EXPECT_FALSE(back.metrics[1].warn.has_value());
  EXPECT_FALSE(back.metrics[1].min.has_value());
  EXPECT_EQ(back.metrics[2].value, std::numeric_limits<double>::infinity());
}

TEST(StateDatabase, InvalidUtf8FromAPluginIsStoredNotRefused) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  CheckResult r = sample_result("exec-check", kT0);
  r.details = {std::string("bad byte \xff here")};
  r.labels = {{"raw", std::string("\xc3")}};
  ASSERT_NO_THROW(db->record_result(r, false));
  auto stored = db->results("exec-check", std::nullopt, std::nullopt);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].result.details[0], "bad byte \xef\xbf\xbd here");
}

TEST(StateDatabase, ResultsFilterByCheckAndTimeAndKeepTheNewestUnderALimit) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  // Recorded out of order: results() returns time order regardless.
  db->record_result(sample_result("api", kT0 + 20s), false);
  db->record_result(sample_result("api", kT0), false);
  db->record_result(sample_result("db", kT0 + 5s), false);
  db->record_result(sample_result("api", kT0 + 10s), false);
  db->record_result(sample_result("api", kT0 + 30s), false);

  auto api = db->results("api", std::nullopt, std::nullopt);
  ASSERT_EQ(api.size(), 4u);
  EXPECT_EQ(api[0].result.started, kT0);
  EXPECT_EQ(api[3].result.started, kT0 + 30s);

  auto window = db->results("api", kT0 + 10s, kT0 + 30s);  // since inclusive, until exclusive
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[0].result.started, kT0 + 10s);
  EXPECT_EQ(window[1].result.started, kT0 + 20s);

  auto newest_two = db->results(std::nullopt, std::nullopt, std::nullopt, 2);
  ASSERT_EQ(newest_two.size(), 2u);
  EXPECT_EQ(newest_two[0].result.started, kT0 + 20s);
  EXPECT_EQ(newest_two[1].result.started, kT0 + 30s);

  EXPECT_EQ(db->results(std::nullopt, std::nullopt, std::nullopt).size(), 5u);
  EXPECT_TRUE(db->results("nope", std::nullopt, std::nullopt).empty());
}

TEST(StateDatabase, LatestResultsHoldsTheNewestOfEachCheck) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  db->record_result(sample_result("api", kT0 + 10s, sdk::Status::Critical), false);
  db->record_result(sample_result("api", kT0, sdk::Status::Ok), false);
  db->record_result(sample_result("db", kT0 + 1s, sdk::Status::Warning), false);
  db->record_result(sample_result("db", kT0 + 2s, sdk::Status::Ok), false);
  auto latest = db->latest_results();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest.at("api").status, sdk::Status::Critical);
  EXPECT_EQ(latest.at("api").started, kT0 + 10s);
  EXPECT_EQ(latest.at("db").started, kT0 + 2s);
}

TEST(StateDatabase, TransitionsRoundTrip) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  AlertTransitionRecord t;
  t.rule = "api-down";
  t.check = "api";
  t.pipeline = "web";
  t.severity = "critical";
  t.kind = "state";
  t.from = "pending";
  t.to = "firing";
  t.at = kT0 + 5s;
  t.reason = "3 of 3 results CRITICAL";
  t.value = 0.5;
  t.silenced = true;
  t.dry_run = false;
  t.labels = {{"alertname", "api-down"}, {"severity", "critical"}};
  db->record_transition(t);
  AlertTransitionRecord flap = t;
  flap.kind = "flapping_started";
  flap.value.reset();
  flap.silenced = false;
  flap.dry_run = true;
  flap.at = kT0 + 60s;
  db->record_transition(flap);

  auto all = db->transitions();
  ASSERT_EQ(all.size(), 2u);
  const auto& back = all[0];
  EXPECT_GT(back.id, 0);
  EXPECT_EQ(back.rule, t.rule);
  EXPECT_EQ(back.check, t.check);
  EXPECT_EQ(back.pipeline, t.pipeline);
  EXPECT_EQ(back.severity, t.severity);
  EXPECT_EQ(back.kind, "state");
  EXPECT_EQ(back.from, "pending");
  EXPECT_EQ(back.to, "firing");
  EXPECT_EQ(back.at, t.at);
  EXPECT_EQ(back.reason, t.reason);
  EXPECT_EQ(back.value, 0.5);
  EXPECT_TRUE(back.silenced);
  EXPECT_FALSE(back.dry_run);
  EXPECT_EQ(back.labels, t.labels);
  EXPECT_EQ(all[1].kind, "flapping_started");
  EXPECT_FALSE(all[1].value.has_value());
  EXPECT_TRUE(all[1].dry_run);

  auto recent = db->transitions(kT0 + 10s);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].kind, "flapping_started");
}

TEST(StateDatabase, RuleStatesAreReplacedPerRule) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  db->save_rule_state("api-down", R"({"state":"pending"})");
  db->save_rule_state("db-slow", R"({"state":"inactive"})");
  db->save_rule_state("api-down", R"({"state":"firing"})");
  auto states = db->load_rule_states();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states.at("api-down"), R"({"state":"firing"})");
  EXPECT_EQ(states.at("db-slow"), R"({"state":"inactive"})");
}

TEST(StateDatabase, ActionsAreRecordedBeforeTheyRunAndFinishedAfter) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  ActionRecord a;
  a.action = "rollback-web";
  a.type = "rollback";
  a.trigger = "rule:api-down:step1";
  a.rule = "api-down";
  a.started_at = kT0;
  a.status = "running";
  a.attempts = 0;
  a.deployment = "deploy-42";
  const auto id = db->begin_action(a);
  EXPECT_GT(id, 0);

  auto running = db->actions();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].id, id);
  EXPECT_EQ(running[0].status, "running");
  EXPECT_FALSE(running[0].finished_at.has_value());

  db->finish_action(id, "ok", "rolled back to v41", "kubectl output\nline 2", 2, kT0 + 30s);
  auto done = db->actions();
  ASSERT_EQ(done.size(), 1u);
  const auto& back = done[0];
  EXPECT_EQ(back.action, "rollback-web");
  EXPECT_EQ(back.type, "rollback");
  EXPECT_EQ(back.trigger, "rule:api-down:step1");
  EXPECT_EQ(back.rule, "api-down");
  EXPECT_EQ(back.started_at, kT0);
  EXPECT_EQ(back.finished_at, kT0 + 30s);
  EXPECT_EQ(back.status, "ok");
  EXPECT_EQ(back.message, "rolled back to v41");
  EXPECT_EQ(back.output, "kubectl output\nline 2");
  EXPECT_EQ(back.attempts, 2);
  EXPECT_EQ(back.deployment, "deploy-42");

  EXPECT_THROW(db->finish_action(id + 100, "ok", "", "", 1, kT0), StateError);
}

TEST(StateDatabase, CountActionsCountsOneTypeSinceATimeWithoutSkippedRuns) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  auto begin = [&](const std::string& type, sdk::TimePoint at, const std::string& status) {
    ActionRecord a;
    a.action = type + "-action";
    a.type = type;
    a.trigger = "manual";
    a.started_at = at;
    a.status = status;
    return db->begin_action(a);
  };
  begin("rollback", kT0 - 1h, "running");
  begin("rollback", kT0, "running");
  begin("rollback", kT0 + 10min, "skipped");
  begin("rollback", kT0 + 20min, "running");
  begin("webhook", kT0 + 20min, "running");
  EXPECT_EQ(db->count_actions("rollback", kT0), 2);
  EXPECT_EQ(db->count_actions("rollback", kT0 - 2h), 3);
  EXPECT_EQ(db->count_actions("webhook", kT0), 1);
  EXPECT_EQ(db->count_actions("page", kT0), 0);
  EXPECT_EQ(db->actions(kT0 + 10min).size(), 3u);
}

TEST(StateDatabase, TheWindowIsASingleRecordReplacedOnSave) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  EXPECT_FALSE(db->window().has_value());
  WindowRecord w;
  w.deployment = "deploy-42";
  w.started_at = kT0;
  w.duration = 48h;
  w.stage = "watch";
  db->save_window(w);
  auto back = db->window();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->deployment, "deploy-42");
  EXPECT_EQ(back->started_at, kT0);
  EXPECT_EQ(back->duration, 48h);
  EXPECT_EQ(back->stage, "watch");
  EXPECT_EQ(back->extensions, 0);
  EXPECT_FALSE(back->verdict.has_value());
  EXPECT_FALSE(back->concluded_at.has_value());

  w.stage = "concluded";
  w.extensions = 1;
  w.verdict = "successful";
  w.concluded_at = kT0 + 72h;
  w.verdict_reason = "no critical alert in 72h";
  db->save_window(w);
  back = db->window();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stage, "concluded");
  EXPECT_EQ(back->extensions, 1);
  EXPECT_EQ(back->verdict, "successful");
  EXPECT_EQ(back->concluded_at, kT0 + 72h);
  EXPECT_EQ(back->verdict_reason, "no critical alert in 72h");
  EXPECT_EQ(raw_query(db->path(), "SELECT count(*) FROM observation_window"), "1");
}

TEST(StateDatabase, KeyValueStateIsPerCheck) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  db->kv_set("api", "last_total", "41");
  db->kv_set("db", "last_total", "7");
  db->kv_set("api", "last_total", "42");
  EXPECT_EQ(db->kv_get("api", "last_total"), "42");
  EXPECT_EQ(db->kv_get("db", "last_total"), "7");
  EXPECT_FALSE(db->kv_get("api", "other"));
  db->kv_erase("api", "last_total");
  EXPECT_FALSE(db->kv_get("api", "last_total"));
  EXPECT_EQ(db->kv_get("db", "last_total"), "7");
}

TEST(StateDatabase, ReopeningKeepsEverything) {
  TempStateDir dir;
  std::int64_t silence_id = 0;
  {
    auto db = StateDatabase::open(dir.path());
    db->record_result(sample_result("api", kT0), false);
    AlertTransitionRecord t;
    t.rule = "api-down";
    t.kind = "state";
    t.at = kT0;
    db->record_transition(t);
    db->save_rule_state("api-down", "{}");
    Silence s;
    s.matchers = {SilenceMatcher::parse("check=api")};
    s.starts_at = kT0;
    s.ends_at = kT0 + 1h;
    s.comment = "maintenance";
    s.created_by = "alice";
    silence_id = db->add_silence(s);
    ActionRecord a;
    a.action = "notify";
    a.type = "webhook";
    a.trigger = "manual";
    a.started_at = kT0;
    db->begin_action(a);
    WindowRecord w;
    w.deployment = "d1";
    w.stage = "watch";
    db->save_window(w);
    db->kv_set("api", "k", "v");
  }
  auto db = StateDatabase::open(dir.path());
  EXPECT_EQ(db->results(std::nullopt, std::nullopt, std::nullopt).size(), 1u);
  EXPECT_EQ(db->transitions().size(), 1u);
  EXPECT_EQ(db->load_rule_states().size(), 1u);
  auto silences = db->silences(true);
  ASSERT_EQ(silences.size(), 1u);
  EXPECT_EQ(silences[0].id, silence_id);
  EXPECT_EQ(db->actions().size(), 1u);
  EXPECT_EQ(db->actions()[0].status, "running");  // begin_action's default
  ASSERT_TRUE(db->window());
  EXPECT_EQ(db->window()->deployment, "d1");
  EXPECT_EQ(db->kv_get("api", "k"), "v");
}

TEST(StateDatabase, PruneDropsOldHistoryButKeepsStateAndRunningActions) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  db->record_result(sample_result("api", kT0 - 2h), false);
  db->record_result(sample_result("api", kT0), false);
  AlertTransitionRecord t;
  t.rule = "r";
  t.kind = "state";
  t.at = kT0 - 2h;
  db->record_transition(t);
  t.at = kT0 + 1s;
  db->record_transition(t);
  ActionRecord a;
  a.action = "x";
  a.type = "exec";
  a.trigger = "manual";
  a.started_at = kT0 - 3h;
  const auto finished_old = db->begin_action(a);
  db->finish_action(finished_old, "ok", "", "", 1, kT0 - 3h + 1s);
  db->begin_action(a);  // still running: kept whatever its age, so it is never repeated
  Silence s;
  s.matchers = {SilenceMatcher::parse("check=api")};
  s.comment = "c";
  s.created_by = "b";
  s.starts_at = kT0 - 3h;
  s.ends_at = kT0 - 2h;  // ended long ago
  db->add_silence(s);
  s.ends_at = kT0 + 2h;  // still running, but expired by hand long ago
  const auto expired_id = db->add_silence(s);
  ASSERT_TRUE(db->expire_silence(expired_id, kT0 - 90min));
  s.ends_at = kT0 + 2h;  // current
  const auto current_id = db->add_silence(s);
  db->save_rule_state("r", "{}");
  db->kv_set("api", "k", "v");

  db->prune(kT0 - 1h);

  auto results = db->results(std::nullopt, std::nullopt, std::nullopt);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.started, kT0);
  ASSERT_EQ(db->transitions().size(), 1u);
  auto actions = db->actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].status, "running");
  auto silences = db->silences(true, kT0);
  ASSERT_EQ(silences.size(), 1u);
  EXPECT_EQ(silences[0].id, current_id);
  EXPECT_EQ(db->load_rule_states().size(), 1u);
  EXPECT_EQ(db->kv_get("api", "k"), "v");
}

// A database at its size limit fails writes exactly as a full disk does (SQLITE_FULL), which is
// deterministic where a tiny tmpfs is not.
TEST(StateDatabase, AFullDatabaseKeepsResultsInMemoryAndWritesThemWhenThereIsRoom) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  const auto page_count = std::stoull(raw_query(db->path(), "PRAGMA page_count"));
  const auto page_size = std::stoull(raw_query(db->path(), "PRAGMA page_size"));
  db->set_max_size(page_count * page_size);

  std::vector<CheckResult> sent;
  std::string first_error;
  for (int i = 0; i < 50 && first_error.empty(); ++i) {
    CheckResult r = sample_result("api-health", kT0 + std::chrono::seconds(i));
    r.summary = std::string(1500, 'x') + std::to_string(i);
    sent.push_back(r);
    try {
      db->record_result(r, false);
    } catch (const StateError& e) {
      first_error = e.what();
    }
  }
  ASSERT_FALSE(first_error.empty()) << "the size limit never hit";
  EXPECT_NE(first_error.find("state database " + db->path().string() + ": "), std::string::npos)
      << first_error;
  EXPECT_NE(first_error.find("(SQLITE_FULL) while recording result of api-health"),
            std::string::npos)
      << first_error;
  EXPECT_EQ(first_error.find('\n'), std::string::npos);
  EXPECT_EQ(db->pending_results(), 1u);

  // Still full: each further result waits too, and the error says how many are kept.
  for (int i = 0; i < 3; ++i) {
    CheckResult r = sample_result("api-health", kT0 + std::chrono::minutes(10 + i));
    sent.push_back(r);
    try {
      db->record_result(r, false);
      FAIL() << "a write succeeded on a full database";
    } catch (const StateError& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(2 + i) + " results kept in memory"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(db->pending_results(), 4u);
  // Other records are independent of the backlog and fail on their own.
  EXPECT_THROW(db->save_rule_state("r", std::string(20000, 'y')), StateError);

  // Space comes back: the next write stores the backlog first, in order, then itself.
  db->set_max_size(0);
  CheckResult last = sample_result("api-health", kT0 + 1h);
  sent.push_back(last);
  db->record_result(last, false);
  EXPECT_EQ(db->pending_results(), 0u);
  EXPECT_EQ(db->dropped_results(), 0u);
  auto stored = db->results("api-health", std::nullopt, std::nullopt);
  ASSERT_EQ(stored.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(stored[i].result.started, sent[i].started) << i;
    EXPECT_EQ(stored[i].result.summary, sent[i].summary) << i;
  }
  EXPECT_EQ(raw_query(db->path(), "PRAGMA integrity_check"), "ok");
}

TEST(StateDatabase, TheBacklogIsBoundedAndDropsTheOldestCounted) {
  TempStateDir dir;
  auto db = StateDatabase::open(dir.path());
  db->set_backlog_limit(3);
  const auto page_count = std::stoull(raw_query(db->path(), "PRAGMA page_count"));
  const auto page_size = std::stoull(raw_query(db->path(), "PRAGMA page_size"));
  db->set_max_size(page_count * page_size);
  int failures = 0;
  int i = 0;
  // Fill until the first failure, then record 5 more that all fail.
  for (; i < 100 && failures < 6; ++i) {
    CheckResult r = sample_result("api", kT0 + std::chrono::seconds(i));
    r.summary = std::string(1500, 'z');
    try {
      db->record_result(r, false);
    } catch (const StateError&) {
      ++failures;
    }
  }
  ASSERT_EQ(failures, 6);
  EXPECT_EQ(db->pending_results(), 3u);
  EXPECT_EQ(db->dropped_results(), 3u);
  db->set_max_size(0);
  db->flush_pending();
  auto stored = db->results("api", kT0 + std::chrono::seconds(i - 3), std::nullopt);
  ASSERT_EQ(stored.size(), 3u);  // the three newest survived
  EXPECT_EQ(stored.back().result.started, kT0 + std::chrono::seconds(i - 1));
  EXPECT_TRUE(
      db->results("api", kT0 + std::chrono::seconds(i - 6), kT0 + std::chrono::seconds(i - 3))
          .empty());
}

TEST(DurableStateStore, SurvivesReopeningAndKeepsUnsavedValuesWhenFull) {
  TempStateDir dir;
  {
    auto db = StateDatabase::open(dir.path());
    DurableStateStore store(*db, "cpu");
    store.set_number("last_idle", 1234.5);
    store.set("mode", "fast");
    store.erase("mode");
    DurableStateStore other(*db, "disk");
    other.set("mode", "slow");
    EXPECT_FALSE(store.get("mode"));
  }
  auto db = StateDatabase::open(dir.path());
  DurableStateStore store(*db, "cpu");
  EXPECT_EQ(store.get_number("last_idle"), 1234.5);
  EXPECT_EQ(db->kv_get("disk", "mode"), "slow");

  const auto page_count = std::stoull(raw_query(db->path(), "PRAGMA page_count"));
  const auto page_size = std::stoull(raw_query(db->path(), "PRAGMA page_size"));
  db->set_max_size(page_count * page_size);
  const std::string big(3 * page_size, 'q');
  EXPECT_NO_THROW(store.set("sample", big));  // never throws into a plugin
  EXPECT_EQ(store.pending(), 1u);
  EXPECT_EQ(store.get("sample"), big);  // the plugin still sees its value
  db->set_max_size(0);
  store.set("other", "1");
  EXPECT_EQ(store.pending(), 0u);
  EXPECT_EQ(db->kv_get("cpu", "sample"), big);
}

class StateDirEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"STATE_DIRECTORY", "XDG_STATE_HOME", "HOME"}) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(StateDirEnvironment, CliThenConfigThenSystemdThenRootOrXdg) {
  ::setenv("STATE_DIRECTORY", "/run/state/vigil:/other", 1);
  EXPECT_EQ(resolve_state_dir(std::filesystem::path("/cli"), std::filesystem::path("/cfg")),
            "/cli");
  EXPECT_EQ(resolve_state_dir(std::nullopt, std::filesystem::path("/cfg")), "/cfg");
  EXPECT_EQ(resolve_state_dir(std::nullopt, std::nullopt), "/run/state/vigil");
  ::unsetenv("STATE_DIRECTORY");
  ::setenv("XDG_STATE_HOME", "/xdg", 1);
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(resolve_state_dir(std::nullopt, std::nullopt, true), "/var/lib/vigil");
  EXPECT_EQ(resolve_state_dir(std::nullopt, std::nullopt, false), "/xdg/vigil");
  ::setenv("XDG_STATE_HOME", "relative", 1);  // invalid per XDG: ignored
  EXPECT_EQ(resolve_state_dir(std::nullopt, std::nullopt, false), "/home/u/.local/state/vigil");
  ::unsetenv("XDG_STATE_HOME");
  EXPECT_EQ(resolve_state_dir(std::nullopt, std::nullopt, false), "/home/u/.local/state/vigil");
}

}  // namespace
}  // namespace vigil::core
