#include "core/config/alerting_text.hpp"

#include <cctype>
#include <cmath>

#include "vigil/sdk/status.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_identifier_char(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}

constexpr std::string_view kConditionExamples =
    "write it like \"error_rate > 1\", \"pass_rate < 95\" or \"status >= WARNING\"";

}  // namespace

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::Critical:
      return "critical";
    case Severity::Warning:
      return "warning";
    case Severity::Info:
      return "info";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (Severity s : {Severity::Critical, Severity::Warning, Severity::Info}) {
    if (equals_ignoring_case(text, to_string(s)))
      return s;
  }
  return std::nullopt;
}

std::optional<UnknownPolicy> parse_unknown_policy(std::string_view text) {
  if (equals_ignoring_case(text, "hold"))
    return UnknownPolicy::Hold;
  if (equals_ignoring_case(text, "failing"))
    return UnknownPolicy::Failing;
  if (equals_ignoring_case(text, "reset"))
    return UnknownPolicy::Reset;
  return std::nullopt;
}

std::optional<double> parse_number_or_percent(std::string_view text, bool* had_percent) {
  std::string_view s = trim(text);
  *had_percent = !s.empty() && s.back() == '%';
  if (*had_percent)
    s.remove_suffix(1);
  auto value = sdk::parse_double(s);
  if (!value || !std::isfinite(*value))
    return std::nullopt;
  return value;
}

std::optional<RuleCondition> parse_rule_condition(std::string_view text, std::string* error) {
  const std::string_view s = trim(text);
  if (s.empty()) {
    *error = "the condition is empty; " + std::string(kConditionExamples);
    return std::nullopt;
  }
  std::size_t i = 0;
  if (!is_identifier_start(s[0])) {
    *error =
        "a condition starts with `status` or a metric name (letters, digits and '_', not "
        "starting with a digit); " +
        std::string(kConditionExamples);
    return std::nullopt;
  }
  while (i < s.size() && is_identifier_char(s[i]))
    ++i;
  RuleCondition condition;
  condition.text = std::string(s);
  const std::string_view subject = s.substr(0, i);
  if (subject == "status") {
    condition.subject = RuleCondition::Subject::Status;
  } else {
    condition.subject = RuleCondition::Subject::Metric;
    condition.metric = std::string(subject);
  }
  std::string_view rest = trim(s.substr(i));
  struct OpText {
    std::string_view text;
    RuleCondition::Op op;
  };
  // Two-character operators first, so "<=" is not read as "<" followed by "=".
  static constexpr OpText kOps[] = {
      {"<=", RuleCondition::Op::LessEqual}, {">=", RuleCondition::Op::GreaterEqual},
      {"==", RuleCondition::Op::Equal},     {"!=", RuleCondition::Op::NotEqual},
      {"<", RuleCondition::Op::Less},       {">", RuleCondition::Op::Greater}};
  bool found = false;
  for (const auto& op : kOps) {
    if (rest.substr(0, op.text.size()) == op.text) {
      condition.op = op.op;
      rest = trim(rest.substr(op.text.size()));
      found = true;
      break;
    }
  }
  if (!found) {
    *error = "expected an operator (<, <=, >, >=, == or !=) after '" + std::string(subject) +
             "'; " + std::string(kConditionExamples);
    return std::nullopt;
  }
  if (rest.empty()) {
    *error = "expected a value after the operator; " + std::string(kConditionExamples);
    return std::nullopt;
  }
  if (condition.subject == RuleCondition::Subject::Status) {
    for (sdk::Status st :
         {sdk::Status::Ok, sdk::Status::Warning, sdk::Status::Critical, sdk::Status::Unknown}) {
      if (equals_ignoring_case(rest, sdk::to_string(st))) {
        condition.value = static_cast<int>(st);
        return condition;
      }
    }
    *error = "unknown status '" + std::string(rest) + "' (allowed: OK, WARNING, CRITICAL, UNKNOWN)";
    return std::nullopt;
  }
  auto value = sdk::parse_double(rest);
  if (!value || !std::isfinite(*value)) {
    *error = "expected a number after the operator, got '" + std::string(rest) +
             "' (only `status` compares with status names)";
    return std::nullopt;
  }
  condition.value = *value;
  return condition;
}

}  // namespace vigil::core
