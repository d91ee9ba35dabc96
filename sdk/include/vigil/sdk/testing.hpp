#pragma once
// Unit-test a plugin without loading it: link the plugin's sources into a test binary together
// with this header (CMake target vigil::sdk_testing) and drive it through the same entry point
// and noexcept adapters the host uses, with a manual clock, a captured log and an in-memory
// state store.
//
//   vigil::sdk::testing::LocalPlugin plugin;               // calls vigil_plugin_init_v1
//   vigil::sdk::testing::FakeContext ctx;
//   auto check = plugin.check("hello", {{"greeting", "hi"}});
//   vigil::sdk::Result r = check->run(ctx);
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "vigil/sdk/option_text.hpp"
#include "vigil/sdk/plugin.hpp"

extern "C" int vigil_plugin_init_v1(::vigil::sdk::Registry* registry, char* error,
                                    size_t error_size) noexcept;

namespace vigil::sdk::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{std::chrono::seconds{1760801520}})
      : now_(start) {}
  TimePoint now() const noexcept override { return now_; }
  void advance(std::chrono::milliseconds d) noexcept { now_ += d; }
  void set(TimePoint t) noexcept { now_ = t; }

 private:
  TimePoint now_;
};

class CapturingLogger final : public Logger {
 public:
  struct Line {
    LogLevel level;
    std::string message;
  };
  void log(LogLevel level, std::string_view message) noexcept override {
    try {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back({level, std::string(message)});
    } catch (...) {
    }
  }
  std::vector<Line> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  bool contains(std::string_view needle) const {
    for (const auto& l : lines()) {
      if (l.message.find(needle) != std::string::npos)
        return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Line> lines_;
};

class MemoryStateStore final : public StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = values_.find(std::string(key));
    if (it == values_.end())
      return std::nullopt;
    return it->second;
  }
  void set(std::string_view key, std::string value) override {
    values_[std::string(key)] = std::move(value);
  }
  void erase(std::string_view key) override { values_.erase(std::string(key)); }

 private:
  std::map<std::string, std::string> values_;
};

class FakeContext final : public Context {
 public:
  explicit FakeContext(std::string name = "test-check",
                       std::chrono::milliseconds timeout = std::chrono::seconds{10})
      : name_(std::move(name)), timeout_(timeout) {}

  Logger& log() noexcept override { return logger_; }
  const Clock& clock() const noexcept override { return clock_; }
  StateStore& state() noexcept override { return state_; }
  const std::string& name() const noexcept override { return name_; }
  TimePoint deadline() const noexcept override { return clock_.now() + timeout_; }
  bool stop_requested() const noexcept override { return stop_; }

  ManualClock& manual_clock() noexcept { return clock_; }
  CapturingLogger& captured() noexcept { return logger_; }
  MemoryStateStore& memory() noexcept { return state_; }
  void request_stop() noexcept { stop_ = true; }

 private:
  std::string name_;
  std::chrono::milliseconds timeout_;
  ManualClock clock_;
  CapturingLogger logger_;
  MemoryStateStore state_;
  bool stop_ = false;
};

// The plugin linked into the test binary, registered through its real entry point.
class LocalPlugin final : public Registry {
 public:
  LocalPlugin() {
    char error[512] = {0};
    if (vigil_plugin_init_v1(this, error, sizeof error) != 0) {
      throw std::runtime_error(std::string("plugin init failed: ") + error);
    }
  }
  void add_check(std::unique_ptr<CheckFactory> f) override {
    checks_[f->info().name] = std::move(f);
  }
  void add_action(std::unique_ptr<ActionFactory> f) override {
    actions_[f->info().name] = std::move(f);
  }

  const TypeInfo& info(const std::string& type) const {
    if (auto it = checks_.find(type); it != checks_.end())
      return it->second->info();
    if (auto it = actions_.find(type); it != actions_.end())
      return it->second->info();
    throw std::runtime_error("plugin registers no type '" + type + "'");
  }

  // Options as text, resolved against the schema with defaults applied, exactly as
  // `vigil check TYPE -o key=value` does. Throws with every error joined.
  Options options(const std::string& type,
                  const std::vector<std::pair<std::string, std::string>>& raw) const {
    std::vector<TextOptionError> errors;
    Options opts = resolve_text_options(info(type).options, raw, errors);
    if (!errors.empty()) {
      std::string all;
      for (const auto& e : errors)
        all += (all.empty() ? "" : "; ") + e.message;
      throw std::runtime_error(all);
    }
    return opts;
  }

  std::unique_ptr<CheckRunner> check(const std::string& type,
                                     const std::vector<std::pair<std::string, std::string>>& raw) {
    auto it = checks_.find(type);
    if (it == checks_.end())
      throw std::runtime_error("plugin registers no check '" + type + "'");
    auto created = it->second->create(options(type, raw));
    if (!created.instance)
      throw ConfigError(created.error_option, created.error);
    return std::move(created.instance);
  }

  std::unique_ptr<ActionRunner> action(
      const std::string& type, const std::vector<std::pair<std::string, std::string>>& raw) {
    auto it = actions_.find(type);
    if (it == actions_.end())
      throw std::runtime_error("plugin registers no action '" + type + "'");
    auto created = it->second->create(options(type, raw));
    if (!created.instance)
      throw ConfigError(created.error_option, created.error);
    return std::move(created.instance);
  }

 private:
  std::map<std::string, std::unique_ptr<CheckFactory>> checks_;
  std::map<std::string, std::unique_ptr<ActionFactory>> actions_;
};

}  // namespace vigil::sdk::testing
