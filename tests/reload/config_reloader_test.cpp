// ConfigReloader over a real scheduler, dispatcher, alert engine and state database on a
// FakeClock, with a check type registered by the test itself: a refused reload changes nothing,
// an accepted one changes exactly the difference.
#include "core/reload/config_reloader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "core/time/clock.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;

// "probe": reports OK with its `summary` option; refuses an option `refuse` like a plugin
// constructor refusing its options.
class ProbeRunner final : public sdk::CheckRunner {
 public:
  explicit ProbeRunner(std::string summary) : summary_(std::move(summary)) {}
  sdk::Result run(sdk::Context&) noexcept override { return sdk::Result::ok(summary_); }

 private:
  std::string summary_;
};

class ProbeFactory final : public sdk::CheckFactory {
 public:
  const sdk::TypeInfo& info() const noexcept override { return info_; }
  sdk::Created<sdk::CheckRunner> create(const sdk::Options& options) const noexcept override {
    sdk::Created<sdk::CheckRunner> out;
    if (options.has("refuse")) {
      out.error_option = "refuse";
      out.error = "refused by the test";
      return out;
    }
    out.instance = std::make_unique<ProbeRunner>(options.has("summary") ? options.string("summary")
                                                                        : std::string("probe"));
    return out;
  }

 private:
  sdk::TypeInfo info_{sdk::PluginKind::Check, "probe", "test probe", {}};
};

CheckConfig probe(const std::string& name, std::chrono::milliseconds interval) {
  CheckConfig c;
  c.name = name;
  c.pipeline = "web";
  c.plugin = "probe";
  c.interval = interval;
  c.timeout = 5s;
  c.where = SourceLocation{"test.yaml", 3, 7};
  c.options.set("summary", sdk::OptionValue(sdk::Scalar(name + "-run")));
  return c;
}

ConfigLoadResult config_of(std::vector<CheckConfig> checks) {
  ConfigLoadResult r;
  PipelineConfig p;
  p.name = "web";
  p.checks = std::move(checks);
  r.config.pipelines.push_back(std::move(p));
  return r;
}

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-reloader-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(ConfigReloader, RefusesABadConfigurationWholeAndAppliesAGoodOneByItsDifference) {
  TempDir dir;
  FakeClock clock;
  PluginCatalog catalog;
  catalog.add_check(std::make_unique<ProbeFactory>());
  auto db = StateDatabase::open(dir.path());
  const ConfigLoadResult running =
      config_of({probe("keep", 10s), probe("gone", 10s), probe("retime", 1h)});
  ActionDispatcher dispatcher(clock, nullptr);
  dispatcher.start();
  AlertEngine engine(running.config, clock, *db, dispatcher);
  engine.restore(clock.now(), "", true);
  std::mutex mu;
  std::condition_variable arrived;
  std::vector<std::string> summaries;
  Scheduler scheduler(clock, {}, [&](CheckResult r) {
    engine.on_result(r);
    std::lock_guard<std::mutex> lock(mu);
    summaries.push_back(r.summary);
    arrived.notify_all();
  });

  ConfigLoadResult next;  // what the next read returns
  ReloadTargets targets;
  targets.clock = &clock;
  targets.db = db.get();
  targets.scheduler = &scheduler;
  targets.dispatcher = &dispatcher;
  targets.engine = &engine;
  targets.catalog = &catalog;
  ConfigReloader reloader(
      running.config, "test.yaml", [&next] { return next; }, targets);
  reloader.schedule(instantiate_checks(running.config, catalog, clock));
  const Clock::SteadyTime t0 = clock.steady_now();
  scheduler.start();
  clock.advance(3s);
  {
    // The runs due in those 3s are over before anything is reloaded.
    std::size_t due = 0;
    for (const auto& [name, interval] : {std::pair{"keep", 10s}, {"gone", 10s}, {"retime", 1h}})
      due += spread_offset("web", name, interval) <= 3s ? 1 : 0;
    std::unique_lock<std::mutex> lock(mu);
    arrived.wait(lock, [&] { return summaries.size() >= due; });
  }
  const auto keep_due = scheduler.next_due("web", "keep");
  const auto retime_due = scheduler.next_due("web", "retime");
  ASSERT_TRUE(keep_due && retime_due);
  EXPECT_EQ(*keep_due, t0 + spread_offset("web", "keep", 10s));

  // A loader issue: refused, nothing touched.
  next = config_of({probe("keep", 10s)});
  next.issues.push_back({SourceLocation{"test.yaml", 4, 9}, "pipelines[web]", "broken"});
  EXPECT_FALSE(reloader.reload());
  EXPECT_EQ(scheduler.size(), 3u);
  EXPECT_EQ(&reloader.config(), &running.config);

  // The plugin refuses a changed check's options: refused before anything changes, although
  // the same configuration also adds and removes checks.
  CheckConfig refused = probe("retime", 10s);
  refused.options.set("refuse", sdk::OptionValue(sdk::Scalar(true)));
  next = config_of({probe("keep", 10s), refused, probe("fresh", 10s)});
  EXPECT_FALSE(reloader.reload());
  EXPECT_EQ(scheduler.size(), 3u);
  EXPECT_TRUE(scheduler.next_due("web", "gone").has_value());
  EXPECT_FALSE(scheduler.next_due("web", "fresh").has_value());
  EXPECT_EQ(scheduler.next_due("web", "retime"), retime_due);

  // Accepted: gone leaves, fresh comes at its offset, retime runs every 10s from now, keep is
  // untouched.
  next = config_of({probe("keep", 10s), probe("retime", 10s), probe("fresh", 10s)});
  const Clock::SteadyTime reloaded_at = clock.steady_now();
  std::ptrdiff_t gone_runs = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    gone_runs = std::count(summaries.begin(), summaries.end(), "gone-run");
  }
  ASSERT_TRUE(reloader.reload());
  EXPECT_EQ(scheduler.size(), 3u);
  EXPECT_FALSE(scheduler.next_due("web", "gone").has_value());
  EXPECT_EQ(scheduler.next_due("web", "keep"), keep_due);
  EXPECT_EQ(scheduler.next_due("web", "fresh"), reloaded_at + spread_offset("web", "fresh", 10s));
  EXPECT_EQ(scheduler.next_due("web", "retime"), reloaded_at + spread_offset("web", "retime", 10s));
  EXPECT_EQ(reloader.config().pipelines[0].checks.size(), 3u);
  EXPECT_NE(&reloader.config(), &running.config);

  // The new instances run.
  clock.advance(10s);
  {
    std::unique_lock<std::mutex> lock(mu);
    arrived.wait(lock, [&] {
      return std::count(summaries.begin(), summaries.end(), "fresh-run") == 1 &&
             std::count(summaries.begin(), summaries.end(), "retime-run") == 1;
    });
    EXPECT_EQ(std::count(summaries.begin(), summaries.end(), "gone-run"), gone_runs);
  }
  scheduler.stop();
  dispatcher.stop();
}

}  // namespace
}  // namespace vigil::core
