#include "core/time/clock.hpp"

#include <algorithm>

namespace vigil::core {

sdk::TimePoint SystemClock::now() const noexcept {
  return std::chrono::system_clock::now();
}

Clock::SteadyTime SystemClock::steady_now() const noexcept {
  return std::chrono::steady_clock::now();
}

void SystemClock::wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                             SteadyTime until) {
  // A timed wait on time_point::max() would have the library convert an absurd timeout; a plain
  // wait says what is meant and arms no timer.
  if (until == SteadyTime::max()) {
    cv.wait(lock);
  } else {
    cv.wait_until(lock, until);
  }
}

FakeClock::FakeClock(sdk::TimePoint wall_start, SteadyTime steady_start)
    : steady_(steady_start), wall_(wall_start) {}

sdk::TimePoint FakeClock::now() const noexcept {
  std::lock_guard<std::mutex> guard(mu_);
  return wall_;
}

Clock::SteadyTime FakeClock::steady_now() const noexcept {
  std::lock_guard<std::mutex> guard(mu_);
  return steady_;
}

void FakeClock::wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                           SteadyTime until) {
  Sleeper self{lock.mutex(), &cv, until};
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (steady_ >= until)
      return;
    // Registered while the caller still holds its own mutex: advance() must take that mutex to
    // notify, so it cannot notify before cv.wait() below has released it. No lost wake-up.
    sleepers_.push_back(&self);
    ++blocking_waits_;
  }
  sleepers_changed_.notify_all();
  cv.wait(lock);

  std::unique_lock<std::mutex> guard(mu_);
  if (self.being_woken) {
    // advance() has taken `self` off the list but has yet to lock our mutex and notify; `self`
    // lives on this stack, so stay until it is done. Our mutex is released meanwhile, or
    // advance() could never take it.
    lock.unlock();
    sleepers_changed_.wait(guard, [&self] { return !self.being_woken; });
    guard.unlock();
    lock.lock();
    return;
  }
  std::erase(sleepers_, &self);
}

void FakeClock::advance(std::chrono::milliseconds by) {
  std::vector<Sleeper*> due;
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (by > std::chrono::milliseconds::zero()) {
      steady_ += by;
      wall_ += by;
    }
    auto first_due = std::stable_partition(sleepers_.begin(), sleepers_.end(),
                                           [this](const Sleeper* s) { return s->until > steady_; });
    for (auto it = first_due; it != sleepers_.end(); ++it)
      (*it)->being_woken = true;
    due.assign(first_due, sleepers_.end());
    sleepers_.erase(first_due, sleepers_.end());
  }
  if (due.empty())
    return;
  // Not under mu_: a waiter holds its own mutex while it takes mu_, so the opposite order here
  // could deadlock.
  for (Sleeper* sleeper : due) {
    std::lock_guard<std::mutex> owner(*sleeper->mutex);
    sleeper->cv->notify_all();
  }
  {
    std::lock_guard<std::mutex> guard(mu_);
    for (Sleeper* sleeper : due)
      sleeper->being_woken = false;
  }
  sleepers_changed_.notify_all();
}

void FakeClock::advance_to(SteadyTime when) {
  SteadyTime current = steady_now();
  if (when <= current)
    return;
  // Round up so that `when` is always reached, even for a sub-millisecond target.
  advance(std::chrono::ceil<std::chrono::milliseconds>(when - current));
}

std::size_t FakeClock::sleepers() const {
  std::lock_guard<std::mutex> guard(mu_);
  return sleepers_.size();
}

std::optional<Clock::SteadyTime> FakeClock::earliest_wakeup() const {
  std::lock_guard<std::mutex> guard(mu_);
  if (sleepers_.empty())
    return std::nullopt;
  SteadyTime earliest = SteadyTime::max();
  for (const Sleeper* s : sleepers_)
    earliest = std::min(earliest, s->until);
  return earliest;
}

void FakeClock::await_sleepers(std::size_t count) const {
  std::unique_lock<std::mutex> guard(mu_);
  sleepers_changed_.wait(guard, [&] { return sleepers_.size() >= count; });
}

std::uint64_t FakeClock::blocking_waits() const {
  std::lock_guard<std::mutex> guard(mu_);
  return blocking_waits_;
}

}  // namespace vigil::core
