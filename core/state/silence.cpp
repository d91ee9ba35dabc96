#include <regex>
#include <stdexcept>

#include "core/state/records.hpp"

namespace vigil::core {

SilenceMatcher SilenceMatcher::parse(std::string_view text) {
  // The first operator wins, so a regex may itself contain '=' or '!'.
  auto pos = text.find_first_of("=!");
  if (pos == std::string_view::npos) {
    throw std::invalid_argument("matcher \"" + std::string(text) +
                                "\" has no operator; expected name=value, name!=value, "
                                "name=~regex or name!~regex");
  }
  SilenceMatcher m;
  m.name = std::string(text.substr(0, pos));
  std::string_view rest = text.substr(pos);
  if (rest.rfind("!=", 0) == 0) {
    m.negate = true;
    rest.remove_prefix(2);
  } else if (rest.rfind("!~", 0) == 0) {
    m.negate = true;
    m.regex = true;
    rest.remove_prefix(2);
  } else if (rest.rfind("=~", 0) == 0) {
    m.regex = true;
    rest.remove_prefix(2);
  } else if (rest.front() == '=') {
    rest.remove_prefix(1);
  } else {
    throw std::invalid_argument("matcher \"" + std::string(text) +
                                "\": expected =, !=, =~ or !~ after the label name");
  }
  if (m.name.empty())
    throw std::invalid_argument("matcher \"" + std::string(text) + "\" has no label name");
  for (char c : m.name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      throw std::invalid_argument("matcher \"" + std::string(text) + "\": label name \"" + m.name +
                                  "\" may hold only letters, digits and '_'");
    }
  }
  m.value = std::string(rest);
  if (m.regex) {
    try {
      std::regex check(m.value);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("matcher \"" + std::string(text) +
                                  "\": invalid regex: " + e.what());
    }
  }
  return m;
}

std::string SilenceMatcher::to_string() const {
  const char* op = regex ? (negate ? "!~" : "=~") : (negate ? "!=" : "=");
  return name + op + value;
}

bool SilenceMatcher::matches(const sdk::Labels& labels) const {
  auto it = labels.find(name);
  const std::string& actual = it == labels.end() ? std::string() : it->second;
  bool hit = false;
  if (regex) {
    try {
      // std::regex_match already anchors at both ends.
      hit = std::regex_match(actual, std::regex(value));
    } catch (const std::regex_error&) {
      hit = false;  // parse() refuses these; a stored one matches nothing rather than throw
    }
  } else {
    hit = actual == value;
  }
  return negate ? !hit : hit;
}

bool Silence::active_at(sdk::TimePoint t) const {
  if (expired_at && *expired_at <= t)
    return false;
  return starts_at <= t && t < ends_at;
}

bool Silence::matches(const sdk::Labels& alert_labels) const {
  if (matchers.empty())
    return false;
  for (const auto& m : matchers) {
    if (!m.matches(alert_labels))
      return false;
  }
  return true;
}

}  // namespace vigil::core
