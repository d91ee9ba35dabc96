#include "core/window/verdict.hpp"

#include <cstdio>

namespace vigil::core {

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::Successful:
      return "successful";
    case Verdict::Failed:
      return "failed";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

std::optional<Verdict> parse_verdict(std::string_view text) noexcept {
  for (Verdict v : {Verdict::Successful, Verdict::Failed, Verdict::Inconclusive}) {
    if (to_string(v) == text)
      return v;
  }
  return std::nullopt;
}

namespace {

// Severity order: critical is the worst, info the mildest.
int rank(Severity s) {
  switch (s) {
    case Severity::Critical:
      return 2;
    case Severity::Warning:
      return 1;
    case Severity::Info:
      return 0;
  }
  return 0;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

VerdictDecision decide_verdict(const WindowFacts& facts, const WindowConfig& window) {
  if (!facts.rollbacks.empty())
    return {Verdict::Failed, "rolled back (" + join(facts.rollbacks) + ")"};
  if (facts.aborted)
    return {Verdict::Failed, "aborted by an operator: " + *facts.aborted};
  if (facts.promoted)
    return {Verdict::Successful, "promoted by an operator: " + *facts.promoted};
  std::vector<std::string> failing;
  for (const auto& f : facts.fired) {
    if (rank(f.severity) >= rank(window.fail_on))
      failing.push_back(f.rule + " (" + std::string(to_string(f.severity)) + ")");
  }
  if (!failing.empty()) {
    return {Verdict::Failed,
            std::string(failing.size() == 1 ? "rule " : "rules ") + join(failing) + " fired"};
  }
  if (facts.results == 0)
    return {Verdict::Inconclusive, "no check results in the window"};
  const double ratio =
      static_cast<double>(facts.unknown_results) / static_cast<double>(facts.results);
  if (ratio > window.max_unknown_ratio) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%zu of %zu results UNKNOWN (%.1f%%, limit %.1f%%)",
                  facts.unknown_results, facts.results, ratio * 100,
                  window.max_unknown_ratio * 100);
    return {Verdict::Inconclusive, buf};
  }
  if (!facts.flapped.empty() && window.flapping_is_inconclusive)
    return {Verdict::Inconclusive, "flapping: " + join(facts.flapped)};
  return {Verdict::Successful, "no " + std::string(to_string(window.fail_on)) + " rule fired in " +
                                   std::to_string(facts.results) + " results"};
}

}  // namespace vigil::core
