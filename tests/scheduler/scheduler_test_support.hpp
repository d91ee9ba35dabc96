#pragma once
// Synchronisation helpers for scheduler tests: the test waits for events (a run started, a
// result arrived) instead of sleeping. Everything a run function touches is held by shared_ptr,
// because an abandoned run may return after its test has finished.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/scheduler/scheduler.hpp"

namespace vigil::core::testing {

using namespace std::chrono_literals;
using SteadyTime = Clock::SteadyTime;

inline CheckResult ok_result(std::string summary = "fine") {
  CheckResult r;
  r.status = sdk::Status::Ok;
  r.plugin_status = sdk::Status::Ok;
  r.summary = std::move(summary);
  return r;
}

inline ScheduledCheck make_check(std::string name, std::chrono::milliseconds interval,
                                 std::chrono::milliseconds timeout,
                                 std::function<CheckResult(const RunRequest&)> run) {
  ScheduledCheck check;
  check.name = std::move(name);
  check.plugin = "test_plugin";
  check.pipeline = "web";
  check.interval = interval;
  check.timeout = timeout;
  check.run = std::move(run);
  return check;
}

// What the sink received, in arrival order.
class Inbox {
 public:
  ResultSink sink() {
    return [this](CheckResult r) {
      std::lock_guard<std::mutex> lock(mu_);
      results_.push_back(std::move(r));
      changed_.notify_all();
    };
  }

  std::vector<CheckResult> wait_for(std::size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return results_.size() >= count; });
    return results_;
  }

  // Waits until `count` results for `check` with `status` have arrived.
  std::vector<CheckResult> wait_for(const std::string& check, sdk::Status status,
                                    std::size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return count_locked(check, status) >= count; });
    return results_;
  }

  std::vector<CheckResult> snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return results_;
  }

  std::size_t count(const std::string& check, sdk::Status status) const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_locked(check, status);
  }

 private:
  std::size_t count_locked(const std::string& check, sdk::Status status) const {
    return static_cast<std::size_t>(std::count_if(
        results_.begin(), results_.end(),
        [&](const CheckResult& r) { return r.check == check && r.status == status; }));
  }

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<CheckResult> results_;
};

// Which runs started, as the run functions saw them.
struct RunRecord {
  std::string check;
  SteadyTime scheduled_for;
  SteadyTime deadline;
};

class RunLog {
 public:
  void record(RunRecord record) {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(std::move(record));
    changed_.notify_all();
  }

  std::vector<RunRecord> wait_for(std::size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return records_.size() >= count; });
    return records_;
  }

  std::vector<RunRecord> snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<RunRecord> records_;
};

// A run function that records its run and returns OK at once.
inline std::function<CheckResult(const RunRequest&)> recording_run(std::shared_ptr<RunLog> log,
                                                                   std::string name) {
  return [log = std::move(log), name = std::move(name)](const RunRequest& request) {
    log->record({name, request.scheduled_for, request.deadline});
    return ok_result();
  };
}

// Run functions block in pass() until the test hands out permits or opens the gate; the gate
// counts how many came in and how many were inside at once.
class Gate {
 public:
  void pass(const RunRequest& request) {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    ++inside_;
    peak_inside_ = std::max(peak_inside_, inside_);
    last_cancel_ = request.cancel;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_ || permits_ > 0; });
    if (!open_)
      --permits_;
    --inside_;
    changed_.notify_all();
  }

  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

  void permit_one() {
    std::lock_guard<std::mutex> lock(mu_);
    ++permits_;
    changed_.notify_all();
  }

  void await_entered(std::size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return entered_ >= count; });
  }

  std::size_t entered() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entered_;
  }
  std::size_t inside() const {
    std::lock_guard<std::mutex> lock(mu_);
    return inside_;
  }
  std::size_t peak_inside() const {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_inside_;
  }
  // The cancel flag of the run that entered last; valid while that run is inside.
  const std::atomic<bool>* last_cancel() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_cancel_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::size_t entered_ = 0;
  std::size_t inside_ = 0;
  std::size_t peak_inside_ = 0;
  std::size_t permits_ = 0;
  bool open_ = false;
  const std::atomic<bool>* last_cancel_ = nullptr;
};

// A run function that waits at `gate`, then returns OK.
inline std::function<CheckResult(const RunRequest&)> gated_run(std::shared_ptr<Gate> gate,
                                                               std::string summary = "late") {
  return [gate = std::move(gate), summary = std::move(summary)](const RunRequest& request) {
    gate->pass(request);
    return ok_result(summary);
  };
}

}  // namespace vigil::core::testing
