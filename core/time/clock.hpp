#pragma once
// Time for the host, behind an interface. The scheduler reads steady time for due times and
// deadlines, wall time for the timestamps it reports, and it sleeps through the clock as well,
// so a test drives all three by hand with FakeClock and never sleeps itself.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "vigil/sdk/context.hpp"

namespace vigil::core {

class Clock : public sdk::Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Monotonic time for intervals, due times and deadlines: it never jumps when NTP steps the
  // wall clock, so a step cannot fire or starve a batch of checks.
  virtual SteadyTime steady_now() const noexcept = 0;

  // Blocks on cv (with lock released) until notified or until steady time reaches `until`, and
  // returns with lock held. Like any condition-variable wait it can return early, so callers
  // re-check their state in a loop. SteadyTime::max() means "until notified", with no timer.
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          SteadyTime until) = 0;
};

class SystemClock final : public Clock {
 public:
  sdk::TimePoint now() const noexcept override;
  SteadyTime steady_now() const noexcept override;
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  SteadyTime until) override;
};

// A clock for tests: time stands still until the test calls advance(), which moves steady and
// wall time together and wakes every thread whose wait has come due. The observers (sleepers(),
// earliest_wakeup(), await_sleepers(), blocking_waits()) let a test see that a scheduler has
// gone back to sleep, and until when, without sleeping itself.
//
// A thread's mutex and condition variable must outlive its wait_until() call; advance() may be
// called from any thread, including from inside a check's run function.
class FakeClock final : public Clock {
 public:
  // 2025-10-18T15:32:00Z, the same instant as sdk::testing::ManualClock, so expected timestamps
  // in host and plugin tests read alike.
  static constexpr sdk::TimePoint kDefaultWallStart{std::chrono::seconds{1760801520}};

  explicit FakeClock(sdk::TimePoint wall_start = kDefaultWallStart,
                     SteadyTime steady_start = SteadyTime{});

  sdk::TimePoint now() const noexcept override;
  SteadyTime steady_now() const noexcept override;
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  SteadyTime until) override;

  // Moves steady and wall time forward together (a negative step is ignored: steady time never
  // goes back) and wakes the waiters whose time has come. When advance() returns, every such
  // waiter has been notified and no longer counts as a sleeper.
  void advance(std::chrono::milliseconds by);
  // Moves time forward to `when`; does nothing if `when` is not in the future.
  void advance_to(SteadyTime when);

  // Threads currently blocked in wait_until() whose time has not come.
  std::size_t sleepers() const;
  // The earliest time a sleeper asked to be woken at (SteadyTime::max() for "only when
  // notified"); nullopt when nobody sleeps.
  std::optional<SteadyTime> earliest_wakeup() const;
  // Blocks the calling thread until at least `count` threads sleep in wait_until().
  void await_sleepers(std::size_t count) const;
  // How many wait_until() calls actually blocked: each is one wake-up of the waiting thread.
  std::uint64_t blocking_waits() const;

 private:
  struct Sleeper {
    std::mutex* mutex;
    std::condition_variable* cv;
    SteadyTime until;
    bool being_woken = false;  // advance() holds a pointer to it and has yet to notify
  };

  mutable std::mutex mu_;
  // Signalled when sleepers_ changes or advance() has finished waking its sleepers.
  mutable std::condition_variable sleepers_changed_;
  SteadyTime steady_;
  sdk::TimePoint wall_;
  std::vector<Sleeper*> sleepers_;
  std::uint64_t blocking_waits_ = 0;
};

}  // namespace vigil::core
