#pragma once
// Runs actions (notifications, remediation, rollback) away from the checks. Each configured
// action gets its own lane: a queue and a thread, so a notifier that is down, slow or hanging
// delays only its own messages, never a check, a rule or another action. A lane retries a
// failed attempt with doubling backoff, and batches notifications that arrive close together
// into one grouped event so that one incident is not a storm of messages.
//
// Everything a lane does goes through the journal first (begin before the action runs,
// finish after), which is how a restarted vigil knows never to repeat a rollback it ran.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/time/clock.hpp"
#include "vigil/sdk/action.hpp"
#include "vigil/sdk/plugin.hpp"

namespace vigil::core {

struct ActionJob {
  std::string action;  // ActionConfig::name
  sdk::Event event;
  std::string trigger;  // "notify:<rule>", "rule:<rule>:step<N>", "verdict:failed", "manual"
  // Notifications (firing, resolved, reminder) may be batched with others queued on the same
  // lane within group_wait; remediation steps never are.
  bool groupable = false;
  // Called on the lane's thread once the job is finished (after its retries).
  std::function<void(const struct ActionResult&)> done;
};

struct ActionResult {
  std::string action;
  std::string trigger;
  bool ok = false;
  std::string message;  // the last attempt's outcome message
  int attempts = 0;
  sdk::TimePoint started{};
  sdk::TimePoint finished{};
  std::vector<std::string> triggers;  // for a grouped job: every job it covered
};

// Where the dispatcher records what it does. Called from lane threads; implementations are
// thread-safe. begin() returns an id handed back to finish().
class ActionJournal {
 public:
  virtual ~ActionJournal() = default;
  virtual std::int64_t begin(const ActionConfig& action, const ActionJob& job,
                             sdk::TimePoint at) = 0;
  virtual void finish(std::int64_t id, const ActionResult& result) = 0;
};

struct DispatcherOptions {
  // How long a lane waits after the first notification of a batch for others to join it.
  std::chrono::milliseconds group_wait{2000};
  // On stop(), how long lanes get to finish queued work before it is abandoned.
  std::chrono::milliseconds stop_grace{5000};
};

struct DispatcherStats {
  std::uint64_t submitted = 0;
  std::uint64_t executed = 0;  // attempts
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;   // jobs whose every attempt failed
  std::uint64_t grouped = 0;  // jobs folded into another's group
  std::uint64_t dropped_at_stop = 0;
};

class ActionDispatcher {
 public:
  // clock and journal (may be null) must outlive the dispatcher's lanes.
  ActionDispatcher(Clock& clock, ActionJournal* journal, DispatcherOptions options = {});
  ~ActionDispatcher();
  ActionDispatcher(const ActionDispatcher&) = delete;
  ActionDispatcher& operator=(const ActionDispatcher&) = delete;

  // Before or after start() (a reload); `config` must outlive the dispatcher. An action of the
  // same name is replaced: its job in flight finishes first (the new lane waits for it), and
  // its jobs not yet started move to the new lane. Throws std::logic_error after stop().
  void add(const ActionConfig& config, std::unique_ptr<sdk::ActionRunner> runner);
  // Retires an action (a reload removed it): jobs already submitted still run, new ones are
  // refused as for an unknown action. False when there is no such action.
  bool remove(const std::string& action);
  bool has(const std::string& action) const;
  void start();
  // Never blocks on the action. An unknown action name is logged and recorded as failed.
  void submit(ActionJob job);
  // Lanes finish their queues within stop_grace; whatever is left is counted and logged.
  void stop();
  // Blocks until every lane is idle with an empty queue (tests, `--once` style runs).
  void wait_idle();
  DispatcherStats stats() const;

 private:
  struct Shared;
  struct Lane;
  std::shared_ptr<Shared> shared_;
};

}  // namespace vigil::core
