#include "core/rules/alert_status_json.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vigil::core {

namespace {

using nlohmann::json;
constexpr int kFormat = 1;

json time_json(const std::optional<sdk::TimePoint>& t) {
  if (!t)
    return nullptr;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t->time_since_epoch()).count();
}

json value_json(const std::optional<double>& v) {
  if (!v || std::isnan(*v))
    return nullptr;
  if (std::isinf(*v))
    return *v > 0 ? "inf" : "-inf";
  return *v;
}

// Reads one field of the saved object, naming it in every complaint.
class Reader {
 public:
  Reader(const json& object, std::string_view rule) : object_(object), rule_(rule) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("rule " + rule_ + ": saved state: " + what);
  }

  const json& field(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end())
      fail(std::string("missing field '") + key + "'");
    return *it;
  }

  int count(const char* key) const {
    const json& v = field(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
        v.get<std::int64_t>() > std::numeric_limits<int>::max())
      fail(std::string("'") + key + "' must be a count (an integer >= 0), got " + v.dump());
    return v.get<int>();
  }

  std::string text(const char* key) const {
    const json& v = field(key);
    if (!v.is_string())
      fail(std::string("'") + key + "' must be a string, got " + v.dump());
    return v.get<std::string>();
  }

  bool flag(const char* key) const {
    const json& v = field(key);
    if (!v.is_boolean())
      fail(std::string("'") + key + "' must be true or false, got " + v.dump());
    return v.get<bool>();
  }

  std::optional<sdk::TimePoint> time(const char* key) const {
    const json& v = field(key);
    if (v.is_null())
      return std::nullopt;
    if (!v.is_number_integer())
      fail(std::string("'") + key + "' must be nanoseconds since the epoch or null, got " +
           v.dump());
    const std::chrono::nanoseconds ns{v.get<std::int64_t>()};
    return sdk::TimePoint{std::chrono::duration_cast<sdk::TimePoint::duration>(ns)};
  }

  std::optional<double> value(const char* key) const {
    const json& v = field(key);
    if (v.is_null())
      return std::nullopt;
    if (v.is_number())
      return v.get<double>();
    if (v == "inf")
      return std::numeric_limits<double>::infinity();
    if (v == "-inf")
      return -std::numeric_limits<double>::infinity();
    fail(std::string("'") + key + "' must be a number, \"inf\", \"-inf\" or null, got " + v.dump());
  }

 private:
  const json& object_;
  std::string rule_;
};

}  // namespace

std::string alert_status_to_json(const AlertStatus& s, std::string_view rule) {
  json j;
  j["format"] = kFormat;
  j["rule"] = std::string(rule);
  j["state"] = std::string(to_string(s.state));
  j["pending_since_ns"] = time_json(s.pending_since);
  j["firing_since_ns"] = time_json(s.firing_since);
  j["clear_since_ns"] = time_json(s.clear_since);
  j["last_resolved_ns"] = time_json(s.last_resolved);
  j["consecutive_failures"] = s.consecutive_failures;
  j["consecutive_passes"] = s.consecutive_passes;
  j["failures"] = s.failures;
  j["evaluations"] = s.evaluations;
  j["unknowns"] = s.unknowns;
  j["fired_count"] = s.fired_count;
  j["flapping"] = s.flapping;
  j["flap_percent"] = s.flap_percent;
  j["history"] = s.history;
  j["last_value"] = value_json(s.last_value);
  j["last_reason"] = s.last_reason;
  j["last_evaluated_ns"] = time_json(s.last_evaluated);
  // Replace, not throw, on invalid UTF-8: a reason quotes plugin output.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

AlertStatus alert_status_from_json(std::string_view text, std::string_view rule) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at ...".
    std::string what = e.what();
    if (auto end = what.find("] "); what.rfind('[', 0) == 0 && end != std::string::npos)
      what.erase(0, end + 2);
    throw std::runtime_error("rule " + std::string(rule) + ": saved state is not JSON: " + what);
  }
  if (!j.is_object())
    Reader(j, rule).fail("expected a JSON object, got " + std::string(j.type_name()));
  const Reader in(j, rule);

  const json& format = in.field("format");
  if (format != kFormat)
    in.fail("unsupported format " + format.dump() + " (this vigil reads format " +
            std::to_string(kFormat) + ")");
  if (const std::string saved_for = in.text("rule"); saved_for != rule)
    in.fail("saved for rule " + saved_for);

  AlertStatus s;
  const std::string state = in.text("state");
  const auto parsed = alert_state_from_string(state);
  if (!parsed)
    in.fail("'state' must be inactive, pending or firing, got \"" + state + "\"");
  s.state = *parsed;
  s.pending_since = in.time("pending_since_ns");
  s.firing_since = in.time("firing_since_ns");
  s.clear_since = in.time("clear_since_ns");
  s.last_resolved = in.time("last_resolved_ns");
  s.consecutive_failures = in.count("consecutive_failures");
  s.consecutive_passes = in.count("consecutive_passes");
  s.failures = in.count("failures");
  s.evaluations = in.count("evaluations");
  s.unknowns = in.count("unknowns");
  s.fired_count = in.count("fired_count");
  s.flapping = in.flag("flapping");
  const json& percent = in.field("flap_percent");
  if (!percent.is_number() || percent.get<double>() < 0 || percent.get<double>() > 100)
    in.fail("'flap_percent' must be a number from 0 to 100, got " + percent.dump());
  s.flap_percent = percent.get<double>();
  const json& history = in.field("history");
  if (!history.is_array() || history.size() > AlertStatus::kHistorySize)
    in.fail("'history' must be an array of at most " + std::to_string(AlertStatus::kHistorySize) +
            " booleans");
  for (const json& h : history) {
    if (!h.is_boolean())
      in.fail("'history' must hold only true (fail) and false (pass), got " + h.dump());
    s.history.push_back(h.get<bool>());
  }
  s.last_value = in.value("last_value");
  s.last_reason = in.text("last_reason");
  s.last_evaluated = in.time("last_evaluated_ns");

  // A state the evaluator could never have reached would misbehave later, far from the cause.
  if (s.state == AlertState::Pending && !s.pending_since)
    in.fail("a pending alert needs 'pending_since_ns'");
  if (s.state == AlertState::Firing && !s.firing_since)
    in.fail("a firing alert needs 'firing_since_ns'");
  if (s.state != AlertState::Firing && s.clear_since)
    in.fail("only a firing alert has 'clear_since_ns'");
  if (s.consecutive_failures > 0 && s.consecutive_passes > 0)
    in.fail("'consecutive_failures' and 'consecutive_passes' cannot both be above 0");
  return s;
}

}  // namespace vigil::core
