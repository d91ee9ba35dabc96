#pragma once
#include <optional>
#include <string_view>

namespace vigil::sdk {

// Numbered as in the Nagios/Monitoring Plugins API, so `vigil check` exit codes and the exec
// plugin interoperate with Icinga and Nagios without translation.
enum class Status : int { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

inline constexpr std::string_view to_string(Status s) noexcept {
  switch (s) {
    case Status::Ok:
      return "OK";
    case Status::Warning:
      return "WARNING";
    case Status::Critical:
      return "CRITICAL";
    case Status::Unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

inline std::optional<Status> status_from_string(std::string_view s) noexcept {
  if (s == "OK")
    return Status::Ok;
  if (s == "WARNING")
    return Status::Warning;
  if (s == "CRITICAL")
    return Status::Critical;
  if (s == "UNKNOWN")
    return Status::Unknown;
  return std::nullopt;
}

// Severity is not the numeric order: CRITICAL > WARNING > UNKNOWN > OK, as Monitoring Plugins'
// max_state_alt() ranks them. A known problem outranks "could not tell".
inline constexpr int severity(Status s) noexcept {
  switch (s) {
    case Status::Ok:
      return 0;
    case Status::Unknown:
      return 1;
    case Status::Warning:
      return 2;
    case Status::Critical:
      return 3;
  }
  return 1;
}

inline constexpr Status worst(Status a, Status b) noexcept {
  return severity(a) >= severity(b) ? a : b;
}

}  // namespace vigil::sdk
