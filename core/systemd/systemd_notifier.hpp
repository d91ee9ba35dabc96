#pragma once
// vigil's side of systemd's notification protocol (sd_notify(3)) for a Type=notify unit:
// READY=1 once configuration, plugins and state are loaded, RELOADING=1 around a reload,
// STOPPING=1, a STATUS= line for `systemctl status`, and WATCHDOG=1 pings. Outside systemd
// ($NOTIFY_SOCKET unset) every call does nothing.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::core {

class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID once. The variables stay set:
  // children inherit them, but a unit with NotifyAccess=main ignores anything they send.
  SystemdNotifier();

  bool enabled() const noexcept { return enabled_; }

  // WatchdogSec= of the unit, when systemd asked this process for pings.
  std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return watchdog_; }

  // `wanted`, shortened to half the watchdog interval so that a loop that pings once per
  // wake-up pings in time (sd_watchdog_enabled(3) recommends half).
  std::chrono::milliseconds cap_sleep(std::chrono::milliseconds wanted) const noexcept;

  void ready(std::string_view status);
  // RELOADING=1 with MONOTONIC_USEC (what Type=notify-reload needs); ready() ends the reload.
  void reloading();
  void stopping(std::string_view status);
  void status(std::string_view text);
  // WATCHDOG=1 when the watchdog is enabled. Call it only from the loop whose liveness it
  // vouches for: a ping from a helper thread would keep a wedged main loop alive.
  void watchdog_ping();

 private:
  void send(const std::string& state);

  bool enabled_ = false;
  bool warned_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace vigil::core
