#pragma once
// The demo service's traffic, simulated: the story the default pipeline watches. Release 1.4.2
// serves well; once `degrade_after` has passed, release 1.5.0 takes over with slow answers and
// errors; a rollback brings 1.4.2 back for good.
//
// Requests are synthetic and evenly spaced: request i happens at start + i / rate, and its
// latency and outcome come from a seeded generator in request order. So the figures depend only
// on the settings and on the times tick() and rollback() are called with, never on how often
// the server's timer fires, and a test drives the model with a fake clock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "core/demo/request_histogram.hpp"
#include "core/time/clock.hpp"

namespace vigil::demo {

inline constexpr const char* kHealthyVersion = "1.4.2";
inline constexpr const char* kDegradedVersion = "1.5.0";

enum class Phase {
  Healthy,     // 1.4.2, before the bad release
  Degraded,    // 1.5.0: slow and failing
  RolledBack,  // 1.4.2 again, after a rollback; the bad release does not come back
};

const char* to_string(Phase phase) noexcept;

struct TrafficSettings {
  double requests_per_second = 50;
  std::chrono::milliseconds degrade_after{20000};
  std::uint64_t seed = 42;
  // The requests p95 and the error ratio of /admin/state are computed over: a few seconds of
  // traffic, so a degradation shows within one check interval and so does the recovery.
  std::size_t recent_window = 200;
};

struct TrafficEvent {
  std::chrono::milliseconds at{0};  // since the service started
  std::string event;                // "started", "degraded", "rolled_back"
  std::string version;              // the version serving from then on
};

struct RecentFigures {
  std::size_t requests = 0;
  double p95_seconds = 0;  // nearest rank; 0 with no requests yet
  double error_ratio = 0;
};

struct TrafficSnapshot {
  Phase phase = Phase::Healthy;
  std::string version;
  std::chrono::milliseconds uptime{0};
  std::uint64_t requests_total = 0;
  std::uint64_t errors_total = 0;
  std::uint64_t rollbacks = 0;
  RequestHistogram histogram;
  RecentFigures recent;
  std::vector<TrafficEvent> events;
};

struct RollbackOutcome {
  bool changed = false;  // false: 1.4.2 was serving already
  std::string from;
  std::string to;
};

class DemoTraffic {
 public:
  using SteadyTime = core::Clock::SteadyTime;

  DemoTraffic(TrafficSettings settings, SteadyTime start);

  // Serves every synthetic request due by `now`. A time before the last tick does nothing.
  void tick(SteadyTime now);

  // Serves what is due by `now`, then pins release 1.4.2 from `now` on. Counters carry on:
  // Prometheus counters only reset when a process restarts, and this one does not.
  RollbackOutcome rollback(SteadyTime now);

  Phase phase() const noexcept { return phase_; }
  TrafficSnapshot snapshot() const;

 private:
  struct Served {
    double seconds;
    bool error;
  };

  Served serve_one(Phase phase);
  double uniform();  // [0, 1), the same on every platform for a given seed
  SteadyTime due_time(std::uint64_t index) const;
  void enter(Phase phase, SteadyTime at);

  TrafficSettings settings_;
  SteadyTime start_;
  SteadyTime last_tick_;
  std::mt19937_64 rng_;
  std::uint64_t next_index_ = 0;  // the next request not yet served
  Phase phase_ = Phase::Healthy;
  std::uint64_t requests_total_ = 0;
  std::uint64_t errors_total_ = 0;
  std::uint64_t rollbacks_ = 0;
  RequestHistogram histogram_;
  std::deque<Served> recent_;
  std::vector<TrafficEvent> events_;
};

}  // namespace vigil::demo
