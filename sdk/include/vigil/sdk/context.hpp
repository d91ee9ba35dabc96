#pragma once
// What the host hands a plugin at run time. These are interfaces the host implements; a plugin
// reaches host services only through them, never through symbols exported by the vigil binary,
// so plugins link with --no-undefined and have no link-time dependency on the host.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/sdk/export.hpp"

namespace vigil::sdk {

using TimePoint = std::chrono::system_clock::time_point;

enum class LogLevel { Debug, Info, Warning, Error };

class VIGIL_SYMBOL_VISIBLE Logger {
 public:
  virtual ~Logger() = default;
  // The host tags each line with the check (or action) name; plugins write only the message.
  virtual void log(LogLevel level, std::string_view message) noexcept = 0;

  void debug(std::string_view m) noexcept { log(LogLevel::Debug, m); }
  void info(std::string_view m) noexcept { log(LogLevel::Info, m); }
  void warn(std::string_view m) noexcept { log(LogLevel::Warning, m); }
  void error(std::string_view m) noexcept { log(LogLevel::Error, m); }
};

// Wall-clock time through an interface, so tests drive time by hand instead of sleeping.
class VIGIL_SYMBOL_VISIBLE Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const noexcept = 0;
};

// A small key/value store private to one check, for values that must survive between runs (a
// counter's previous value, the last /proc/stat sample). The host persists it across restarts
// once durable state exists. Values are strings; the helpers cover the common numeric case.
class VIGIL_SYMBOL_VISIBLE StateStore {
 public:
  virtual ~StateStore() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  virtual void set(std::string_view key, std::string value) = 0;
  virtual void erase(std::string_view key) = 0;

  std::optional<double> get_number(std::string_view key) const {
    auto text = get(key);
    if (!text)
      return std::nullopt;
    try {
      return std::stod(*text);
    } catch (...) {
      return std::nullopt;  // a corrupt value behaves like a first run
    }
  }
  void set_number(std::string_view key, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    set(key, buf);
  }
};

// Cooperative cancellation: in-process code cannot be killed, so a check polls
// stop_requested() or passes remaining() to its own I/O timeouts. The host reports UNKNOWN for a
// run that passes its deadline whether or not the plugin notices.
class VIGIL_SYMBOL_VISIBLE Context {
 public:
  virtual ~Context() = default;
  virtual Logger& log() noexcept = 0;
  virtual const Clock& clock() const noexcept = 0;
  virtual StateStore& state() noexcept = 0;
  // The configured name of the check or action instance ("api-health").
  virtual const std::string& name() const noexcept = 0;
  virtual TimePoint deadline() const noexcept = 0;
  virtual bool stop_requested() const noexcept = 0;

  TimePoint now() const noexcept { return clock().now(); }
  std::chrono::milliseconds remaining() const noexcept {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline() - now());
    return left.count() > 0 ? left : std::chrono::milliseconds{0};
  }
};

}  // namespace vigil::sdk
