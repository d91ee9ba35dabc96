// The observation window across a reload: a new duration moves its end, not its start, and is
// what a restart resumes with.
#include "core/window/observation_window.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/time/clock.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;

TEST(ObservationWindow, AReloadedDurationMovesTheEndAndIsStored) {
  std::string templ = ::testing::TempDir() + "vigil-window-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ.data());
  {
    FakeClock clock;
    auto db = StateDatabase::open(dir);
    WindowConfig config;
    config.duration = 48h;
    config.deployment = "genesis-42";
    ObservationWindow window(config, *db, clock);
    ASSERT_TRUE(window.open());
    const sdk::TimePoint started = window.record().started_at;
    EXPECT_EQ(window.ends_at(), started + 48h);

    clock.advance(1h);
    WindowConfig shorter = config;
    shorter.duration = 24h;
    shorter.on_success = {"promote"};
    window.reconfigure(shorter);
    EXPECT_EQ(window.record().started_at, started);
    EXPECT_EQ(window.ends_at(), started + 24h);
    EXPECT_EQ(window.actions_for(Verdict::Successful), std::vector<std::string>{"promote"});
    ASSERT_TRUE(db->window().has_value());
    EXPECT_EQ(db->window()->duration, 24h);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::core
