#pragma once
// How an observation window concludes. The mapping, in order (docs/config.md, "Verdict"):
//
//   1. a rollback ran (automatic or by an operator)                     -> Failed
//   2. an operator ran `vigil abort`                                    -> Failed
//   3. an operator ran `vigil promote`                                  -> Successful
//   4. a rule of window.fail_on severity or worse fired (dry runs excluded) -> Failed
//   5. more than window.max_unknown_ratio of the results were UNKNOWN   -> Inconclusive
//   6. a rule flapped and window.flapping_is_inconclusive               -> Inconclusive
//   7. no result at all                                                 -> Inconclusive
//   8. otherwise                                                        -> Successful
//
// The same function gives the "verdict so far" that `vigil status` shows while watching.
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace vigil::core {

enum class Verdict { Successful, Failed, Inconclusive };
std::string_view to_string(Verdict v) noexcept;  // "successful", "failed", "inconclusive"
std::optional<Verdict> parse_verdict(std::string_view text) noexcept;

struct FiredRule {
  std::string rule;
  Severity severity = Severity::Warning;
};

// What happened in the window, as the engine counted it (shadow checks and rules excluded).
struct WindowFacts {
  std::size_t results = 0;
  std::size_t unknown_results = 0;
  std::vector<FiredRule> fired;         // rules that reached firing at least once
  std::vector<std::string> flapped;     // rules that were flapping at least once
  std::vector<std::string> rollbacks;   // "rollback by rule error-rate-critical", "manual: ..."
  std::optional<std::string> aborted;   // operator's reason
  std::optional<std::string> promoted;  // operator's reason
};

struct VerdictDecision {
  Verdict verdict = Verdict::Inconclusive;
  std::string reason;  // one line: "rule error-rate-critical (critical) fired"
};

VerdictDecision decide_verdict(const WindowFacts& facts, const WindowConfig& window);

}  // namespace vigil::core
