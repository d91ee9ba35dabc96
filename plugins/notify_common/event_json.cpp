#include "event_json.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace vigil::notify {

std::string rfc3339(sdk::TimePoint t) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  auto seconds = since_epoch.count() / 1000;
  auto millis = since_epoch.count() % 1000;
  if (millis < 0) {  // before 1970: floor, so the millisecond part stays positive
    millis += 1000;
    seconds -= 1;
  }
  const std::time_t whole = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(text, n);
  if (millis != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis));
    out += fraction;
  }
  return out + "Z";
}

bool unset(sdk::TimePoint t) {
  return t.time_since_epoch().count() == 0;
}

nlohmann::json event_json(const sdk::Event& event) {
  nlohmann::json out = {
      {"kind", event.kind},
      {"rule", event.rule},
      {"check", event.check},
      {"severity", event.severity},
      {"status", std::string(sdk::to_string(event.status))},
      {"summary", event.summary},
      {"deployment", event.deployment},
      {"fingerprint", event.fingerprint},
      {"startsAt", rfc3339(event.starts_at)},
      {"endsAt", event.ends_at ? nlohmann::json(rfc3339(*event.ends_at)) : nlohmann::json()},
      {"labels", nlohmann::json::object()},
      {"annotations", nlohmann::json::object()},
      {"group", nlohmann::json::array()},
  };
  for (const auto& [name, value] : event.labels)
    out["labels"][name] = value;
  for (const auto& [name, value] : event.annotations)
    out["annotations"][name] = value;
  for (const auto& member : event.group)
    out["group"].push_back(event_json(member));
  return out;
}

}  // namespace vigil::notify
