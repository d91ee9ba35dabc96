#include "core/demo/demo_traffic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vigil::demo {

namespace {

// A timer that stalls (a suspended laptop, a stopped process) should not make the next tick
// replay hours of traffic: beyond a minute's worth, what was missed is skipped, not served.
constexpr double kMaxCatchUpSeconds = 60;

}  // namespace

const char* to_string(Phase phase) noexcept {
  switch (phase) {
    case Phase::Healthy:
      return "healthy";
    case Phase::Degraded:
      return "degraded";
    case Phase::RolledBack:
      return "rolled_back";
  }
  return "healthy";
}

DemoTraffic::DemoTraffic(TrafficSettings settings, SteadyTime start)
    : settings_(settings), start_(start), last_tick_(start), rng_(settings.seed) {
  if (!(settings_.requests_per_second > 0))
    throw std::invalid_argument("requests per second must be positive");
  if (settings_.recent_window == 0)
    throw std::invalid_argument("the recent window must hold at least one request");
  events_.push_back({std::chrono::milliseconds{0}, "started", kHealthyVersion});
}

double DemoTraffic::uniform() {
  // The top 53 bits as a fraction: std::uniform_real_distribution's output is left to each
  // standard library, this is not.
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

DemoTraffic::SteadyTime DemoTraffic::due_time(std::uint64_t index) const {
  const auto offset =
      std::chrono::duration<double>(static_cast<double>(index) / settings_.requests_per_second);
  return start_ + std::chrono::duration_cast<SteadyTime::duration>(offset);
}

DemoTraffic::Served DemoTraffic::serve_one(Phase phase) {
  // Three draws per request whatever the phase, so the sequence lines up across phases.
  const double fails = uniform();
  const double shape = uniform();
  const double spread = uniform();
  if (phase == Phase::Degraded) {
    // 1.5.0: 300-900 ms, 5% errors.
    return {0.3 + 0.6 * spread, fails < 0.05};
  }
  // 1.4.2: mostly 20-80 ms with a thin tail to 250 ms, 0.05% errors.
  const double seconds = shape < 0.97 ? 0.02 + 0.06 * spread : 0.08 + 0.17 * spread;
  return {seconds, fails < 0.0005};
}

void DemoTraffic::enter(Phase phase, SteadyTime at) {
  phase_ = phase;
  const auto since_start = std::chrono::duration_cast<std::chrono::milliseconds>(at - start_);
  if (phase == Phase::Degraded)
    events_.push_back({since_start, "degraded", kDegradedVersion});
  else if (phase == Phase::RolledBack)
    events_.push_back({since_start, "rolled_back", kHealthyVersion});
}

void DemoTraffic::tick(SteadyTime now) {
  if (now <= last_tick_)
    return;
  const SteadyTime degrade_at = start_ + settings_.degrade_after;
  const double behind = std::chrono::duration<double>(now - due_time(next_index_)).count();
  if (behind > kMaxCatchUpSeconds) {
    const auto skipped = static_cast<std::uint64_t>(
        std::floor((behind - kMaxCatchUpSeconds) * settings_.requests_per_second));
    next_index_ += skipped;
  }
  for (SteadyTime due = due_time(next_index_); due <= now; due = due_time(++next_index_)) {
    if (phase_ == Phase::Healthy && due >= degrade_at)
      enter(Phase::Degraded, degrade_at);
    const Served served = serve_one(phase_);
    ++requests_total_;
    if (served.error)
      ++errors_total_;
    histogram_.observe(served.seconds);
    recent_.push_back(served);
    if (recent_.size() > settings_.recent_window)
      recent_.pop_front();
  }
  // The release changes at its time even when no request fell on it.
  if (phase_ == Phase::Healthy && now >= degrade_at)
    enter(Phase::Degraded, degrade_at);
  last_tick_ = now;
}

RollbackOutcome DemoTraffic::rollback(SteadyTime now) {
  tick(now);
  RollbackOutcome outcome;
  outcome.to = kHealthyVersion;
  if (phase_ == Phase::Degraded) {
    outcome.changed = true;
    outcome.from = kDegradedVersion;
    ++rollbacks_;
    enter(Phase::RolledBack, std::max(now, last_tick_));
  } else {
    outcome.from = kHealthyVersion;
    // Rolling back before the bad release arrives still withdraws it.
    phase_ = Phase::RolledBack;
  }
  return outcome;
}

TrafficSnapshot DemoTraffic::snapshot() const {
  TrafficSnapshot s;
  s.phase = phase_;
  s.version = phase_ == Phase::Degraded ? kDegradedVersion : kHealthyVersion;
  s.uptime = std::chrono::duration_cast<std::chrono::milliseconds>(last_tick_ - start_);
  s.requests_total = requests_total_;
  s.errors_total = errors_total_;
  s.rollbacks = rollbacks_;
  s.histogram = histogram_;
  s.events = events_;
  s.recent.requests = recent_.size();
  if (!recent_.empty()) {
    std::vector<double> latencies;
    latencies.reserve(recent_.size());
    std::size_t errors = 0;
    for (const Served& served : recent_) {
      latencies.push_back(served.seconds);
      errors += served.error ? 1 : 0;
    }
    // Nearest rank: the smallest latency with at least 95% of the requests at or below it.
    const auto rank =
        static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(latencies.size())));
    const std::size_t index = std::max<std::size_t>(rank, 1) - 1;
    std::nth_element(latencies.begin(), latencies.begin() + static_cast<std::ptrdiff_t>(index),
                     latencies.end());
    s.recent.p95_seconds = latencies[index];
    s.recent.error_ratio = static_cast<double>(errors) / static_cast<double>(recent_.size());
  }
  return s;
}

}  // namespace vigil::demo
