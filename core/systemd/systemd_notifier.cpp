#include "core/systemd/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "core/log/logging.hpp"

namespace vigil::core {

namespace {

// STATUS= is one line of the message; a newline would start a field of its own.
std::string one_line(std::string_view text) {
  std::string line = redact(std::string(text));
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  if (!enabled_)
    return;
  // > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID, if set, is this process.
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_ = std::chrono::microseconds(static_cast<std::int64_t>(usec));
}

std::chrono::milliseconds SystemdNotifier::cap_sleep(
    std::chrono::milliseconds wanted) const noexcept {
  if (!watchdog_)
    return wanted;
  const auto half = std::max(std::chrono::milliseconds(1),
                             std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_ / 2));
  return std::min(wanted, half);
}

void SystemdNotifier::ready(std::string_view status) {
  send("READY=1\nSTATUS=" + one_line(status));
}

void SystemdNotifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::uint64_t usec = static_cast<std::uint64_t>(ts.tv_sec) * 1000000U +
                             static_cast<std::uint64_t>(ts.tv_nsec) / 1000U;
  send("RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::stopping(std::string_view status) {
  send("STOPPING=1\nSTATUS=" + one_line(status));
}

void SystemdNotifier::status(std::string_view text) {
  send("STATUS=" + one_line(text));
}

void SystemdNotifier::watchdog_ping() {
  if (watchdog_)
    send("WATCHDOG=1");
}

void SystemdNotifier::send(const std::string& state) {
  if (!enabled_)
    return;
  const int rc = sd_notify(0, state.c_str());
  // Once is enough: under systemd a lost READY=1 ends in the start timeout, and that message
  // should point here.
  if (rc < 0 && !warned_) {
    warned_ = true;
    logger()->warn("cannot notify systemd through $NOTIFY_SOCKET: {}", std::strerror(-rc));
  }
}

}  // namespace vigil::core
