#include "core/time/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using SteadyTime = Clock::SteadyTime;

TEST(FakeClock, StandsStillUntilAdvanced) {
  FakeClock clock;
  EXPECT_EQ(clock.now(), FakeClock::kDefaultWallStart);
  EXPECT_EQ(clock.steady_now(), SteadyTime{});
  EXPECT_EQ(clock.now(), FakeClock::kDefaultWallStart);
}

TEST(FakeClock, AdvanceMovesWallAndSteadyTimeTogether) {
  FakeClock clock(sdk::TimePoint{100s}, SteadyTime{5s});
  clock.advance(1500ms);
  EXPECT_EQ(clock.now(), sdk::TimePoint{101500ms});
  EXPECT_EQ(clock.steady_now(), SteadyTime{6500ms});
  clock.advance(-1s);  // steady time never goes back
  EXPECT_EQ(clock.steady_now(), SteadyTime{6500ms});
  clock.advance_to(SteadyTime{10s});
  EXPECT_EQ(clock.steady_now(), SteadyTime{10s});
  EXPECT_EQ(clock.now(), sdk::TimePoint{105s});
  clock.advance_to(SteadyTime{1s});
  EXPECT_EQ(clock.steady_now(), SteadyTime{10s});
}

TEST(FakeClock, WaitForATimeAlreadyPastReturnsAtOnce) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  clock.wait_until(lock, cv, clock.steady_now());
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_EQ(clock.blocking_waits(), 0u);
}

TEST(FakeClock, AdvanceWakesOnlyWaitersWhoseTimeHasCome) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool woke = false;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mu);
    clock.wait_until(lock, cv, SteadyTime{5s});
    woke = true;
  });
  clock.await_sleepers(1);
  EXPECT_EQ(clock.earliest_wakeup(), SteadyTime{5s});

  clock.advance(4999ms);
  EXPECT_EQ(clock.sleepers(), 1u);  // advance() wakes due waiters before returning
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_FALSE(woke);
  }

  clock.advance(1ms);
  EXPECT_EQ(clock.sleepers(), 0u);
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.blocking_waits(), 1u);
}

TEST(FakeClock, NotificationWakesAWaiterBeforeItsTime) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!ready)
      clock.wait_until(lock, cv, SteadyTime::max());
  });
  clock.await_sleepers(1);
  EXPECT_EQ(clock.earliest_wakeup(), SteadyTime::max());
  {
    std::lock_guard<std::mutex> lock(mu);
    ready = true;
  }
  cv.notify_all();
  waiter.join();
  EXPECT_EQ(clock.sleepers(), 0u);
  EXPECT_EQ(clock.steady_now(), SteadyTime{});
}

TEST(FakeClock, ManyWaitersWakeInOneAdvance) {
  FakeClock clock;
  std::mutex mu;
  // One condition variable each: a shared one would wake the waiters that are not due too, and
  // the sleeper count below would flicker while they go back to sleep.
  std::vector<std::condition_variable> cvs(8);
  std::vector<std::thread> waiters;
  for (int i = 1; i <= 8; ++i) {
    waiters.emplace_back([&clock, &mu, &cv = cvs[static_cast<std::size_t>(i - 1)], i] {
      std::unique_lock<std::mutex> lock(mu);
      while (clock.steady_now() < SteadyTime{std::chrono::seconds{i}}) {
        clock.wait_until(lock, cv, SteadyTime{std::chrono::seconds{i}});
      }
    });
  }
  clock.await_sleepers(8);
  clock.advance(4s);
  EXPECT_EQ(clock.sleepers(), 4u);
  clock.advance(4s);
  for (auto& t : waiters)
    t.join();
  EXPECT_EQ(clock.sleepers(), 0u);
}

TEST(SystemClock, ReadsTheSystemClocks) {
  SystemClock clock;
  const auto wall_before = std::chrono::system_clock::now();
  const auto steady_before = std::chrono::steady_clock::now();
  EXPECT_GE(clock.now(), wall_before);
  EXPECT_GE(clock.steady_now(), steady_before);
}

TEST(SystemClock, WaitsUntilNotifiedWhenThereIsNoDeadline) {
  SystemClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  std::thread notifier([&] {
    std::lock_guard<std::mutex> lock(mu);
    ready = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  while (!ready)
    clock.wait_until(lock, cv, SteadyTime::max());
  lock.unlock();
  notifier.join();
  SUCCEED();
}

TEST(SystemClock, WaitForATimeAlreadyPastReturns) {
  SystemClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  clock.wait_until(lock, cv, clock.steady_now() - 1s);
  EXPECT_TRUE(lock.owns_lock());
}

}  // namespace
}  // namespace vigil::core
