#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "vigil/sdk/range.hpp"

namespace vigil::core {

// One threshold bound, written the way an SRE states an SLO: "< 95", ">= 0.5", or a Nagios
// range ("10:20", "@~:5") for those who think in check_* terms. violated() says whether a
// value breaks it.
class Condition {
 public:
  enum class Op { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, Range };

  // Parses "< 98", "<98", ">= 0.5", "== 1", "!= 0" or a Nagios range. On failure returns
  // nullopt and sets *error to a sentence saying what was expected.
  static std::optional<Condition> parse(std::string_view text, std::string* error);

  bool violated(double value) const noexcept;
  // "93.1 < 95": the value and the bound it broke, for summaries.
  std::string explain(double value) const;
  const std::string& text() const noexcept { return text_; }
  // The one line a chart draws for it: the bound of `< 95` or `>= 0.5`, the finite end of a
  // one-sided range (`~:8`, `10:`, `10`). nullopt for a two-sided range, which has two.
  std::optional<double> bound() const;
  // The Nagios range with the same meaning when one exists (for perfdata output).
  std::optional<sdk::Range> as_range() const;

 private:
  Op op_ = Op::Range;
  double bound_ = 0;
  sdk::Range range_{};
  std::string text_;
};

// The one bound of a Nagios range that alerts on one side only: `~:8` and `10` (0..10, as
// Nagios plugins write a limit for values that cannot go below 0) alert above 8 and 10, `10:`
// below 10. nullopt for `@` ranges and ranges with two finite ends other than 0.
std::optional<double> range_bound(const sdk::Range& range);

}  // namespace vigil::core
