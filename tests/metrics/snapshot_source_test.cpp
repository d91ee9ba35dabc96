// SnapshotSource over a real state database in a temporary directory and a real AlertEngine on
// a FakeClock: the window and its verdict so far, actions counted once each, and never fewer
// after the database prunes them.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/actions/action_dispatcher.hpp"
#include "core/alerting/alert_engine.hpp"
#include "core/metrics/snapshot_source.hpp"
#include "core/state/state_database.hpp"
#include "core/time/clock.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-snapshot-XXXXXX";
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Config config_with_window() {
  ConfigLoadOptions options;
  options.getenv = [](std::string_view) { return std::optional<std::string>(); };
  ConfigLoadResult r = ConfigLoader::load_string(R"(window: {duration: 10h, deployment: d1}
pipelines:
  - name: web
    checks:
      - {name: api, plugin: noop}
)",
                                                 "test.yaml", options);
  EXPECT_TRUE(r.ok());
  return r.config;
}

void record_action(StateDatabase& db, const std::string& action, const std::string& status,
                   sdk::TimePoint at) {
  ActionRecord rec;
  rec.action = action;
  rec.type = "command";
  rec.trigger = "test";
  rec.started_at = at;
  rec.status = "running";
  const auto id = db.begin_action(rec);
  if (status != "running")
    db.finish_action(id, status, "", "", 1, at);
}

TEST(SnapshotSource, WindowVerdictSoFarAndActionsCountedOnceNeverFewer) {
  TempDir dir;
  const Config config = config_with_window();
  FakeClock clock;
  auto db = StateDatabase::open(dir.path());
  ActionDispatcher dispatcher(clock, nullptr);
  AlertEngine engine(config, clock, *db, dispatcher);
  const sdk::TimePoint start = clock.now();
  WindowRecord w;
  w.deployment = "d1";
  w.started_at = start;
  w.duration = 10h;
  w.stage = "watch";
  w.extensions = 1;
  db->save_window(w);
  engine.restore(start, "d1", true);
  SnapshotSource source(config.window, engine, clock, dir.path(), start);

  record_action(*db, "sink", "ok", start + 1s);
  record_action(*db, "sink", "ok", start + 2s);
  record_action(*db, "sink", "failed", start + 3s);
  record_action(*db, "sink", "running", start + 4s);
  MetricsSnapshot s = source.take();
  ASSERT_TRUE(s.window);
  EXPECT_EQ(s.window->record.deployment, "d1");
  EXPECT_EQ(s.window->ends_at, start + 10h);            // no extend_on_inconclusive configured
  EXPECT_EQ(s.window->verdict, Verdict::Inconclusive);  // no result yet
  const ActionCountKey ok{"sink", "command", "ok"};
  const ActionCountKey failed{"sink", "command", "failed"};
  EXPECT_EQ(s.actions[ok], 2u);
  EXPECT_EQ(s.actions[failed], 1u);
  EXPECT_EQ(s.actions.count({"sink", "command", "running"}), 0u);

  // Taken again: the same records are not counted twice.
  EXPECT_EQ(source.take().actions[ok], 2u);

  // The two old ones pruned, one new: 3, not 1.
  clock.advance(1h);
  db->prune(start + 150s);
  record_action(*db, "sink", "ok", clock.now());
  s = source.take();
  EXPECT_EQ(s.actions[ok], 3u);
  EXPECT_EQ(s.actions[failed], 1u);

  // A concluded window shows its recorded verdict.
  w.stage = "concluded";
  w.verdict = "failed";
  w.concluded_at = clock.now();
  db->save_window(w);
  s = source.take();
  EXPECT_EQ(s.window->verdict, Verdict::Failed);
  EXPECT_EQ(s.window->record.stage, "concluded");
}

}  // namespace
}  // namespace vigil::core
