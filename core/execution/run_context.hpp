#pragma once
// The sdk::Context a plugin sees while the host runs it: a check run or an action execution.
#include <atomic>
#include <string>

#include "core/log/logging.hpp"
#include "vigil/sdk/context.hpp"

namespace vigil::core {

// `name` must outlive the context; stop_requested() turns true at the deadline or when the
// host cancels (shutdown, timeout).
class RunContext final : public sdk::Context {
 public:
  RunContext(const std::string& name, const sdk::Clock& clock, sdk::StateStore& state,
             sdk::TimePoint deadline, const std::atomic<bool>* cancel)
      : name_(name),
        logger_(name),
        clock_(clock),
        state_(state),
        deadline_(deadline),
        cancel_(cancel) {}

  sdk::Logger& log() noexcept override { return logger_; }
  const sdk::Clock& clock() const noexcept override { return clock_; }
  sdk::StateStore& state() noexcept override { return state_; }
  const std::string& name() const noexcept override { return name_; }
  sdk::TimePoint deadline() const noexcept override { return deadline_; }
  bool stop_requested() const noexcept override {
    return (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) ||
           clock_.now() >= deadline_;
  }

 private:
  const std::string& name_;
  TaggedLogger logger_;
  const sdk::Clock& clock_;
  sdk::StateStore& state_;
  sdk::TimePoint deadline_;
  const std::atomic<bool>* cancel_;
};

}  // namespace vigil::core
