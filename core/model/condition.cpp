#include "core/model/condition.hpp"

#include <cmath>
#include <limits>

#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {
std::string format(double v) {
  return sdk::Range::format_number(v);
}
}  // namespace

std::optional<Condition> Condition::parse(std::string_view text, std::string* error) {
  std::string_view s = sdk::detail::trim(text);
  Condition c;
  c.text_ = std::string(s);
  struct OpText {
    std::string_view token;
    Op op;
  };
  // Two-character operators first so "<=" is not read as "<" followed by "=5".
  static constexpr OpText kOps[] = {{"<=", Op::LessEqual}, {">=", Op::GreaterEqual},
                                    {"==", Op::Equal},     {"!=", Op::NotEqual},
                                    {"<", Op::Less},       {">", Op::Greater}};
  for (const auto& o : kOps) {
    if (s.substr(0, o.token.size()) == o.token) {
      auto v = sdk::parse_double(s.substr(o.token.size()));
      if (!v) {
        if (error) {
          *error = "expected a number after '" + std::string(o.token) + "' in \"" + std::string(s) +
                   "\"";
        }
        return std::nullopt;
      }
      c.op_ = o.op;
      c.bound_ = *v;
      return c;
    }
  }
  if (auto r = sdk::Range::parse(s)) {
    c.op_ = Op::Range;
    c.range_ = *r;
    return c;
  }
  if (error) {
    *error =
        "expected a condition like \"< 95\", \"> 0.5\" or a Nagios range like \"10:20\", "
        "got \"" +
        std::string(s) + "\"";
  }
  return std::nullopt;
}

bool Condition::violated(double v) const noexcept {
  if (std::isnan(v))
    return false;  // no data is not a breach; the plugin reports UNKNOWN
  switch (op_) {
    case Op::Less:
      return v < bound_;
    case Op::LessEqual:
      return v <= bound_;
    case Op::Greater:
      return v > bound_;
    case Op::GreaterEqual:
      return v >= bound_;
    case Op::Equal:
      return v == bound_;
    case Op::NotEqual:
      return v != bound_;
    case Op::Range:
      return range_.alerts(v);
  }
  return false;
}

std::string Condition::explain(double v) const {
  switch (op_) {
    case Op::Less:
      return format(v) + " < " + format(bound_);
    case Op::LessEqual:
      return format(v) + " <= " + format(bound_);
    case Op::Greater:
      return format(v) + " > " + format(bound_);
    case Op::GreaterEqual:
      return format(v) + " >= " + format(bound_);
    case Op::Equal:
      return format(v) + " == " + format(bound_);
    case Op::NotEqual:
      return format(v) + " != " + format(bound_);
    case Op::Range:
      return format(v) + (range_.inside ? " inside " : " outside ") + range_.to_string();
  }
  return format(v);
}

std::optional<double> range_bound(const sdk::Range& range) {
  if (range.inside)
    return std::nullopt;
  const bool low_open = std::isinf(range.start) || range.start == 0;
  if (!std::isinf(range.end) && low_open)
    return range.end;
  if (std::isinf(range.end) && !std::isinf(range.start))
    return range.start;
  return std::nullopt;
}

std::optional<double> Condition::bound() const {
  if (op_ != Op::Range)
    return bound_;
  return range_bound(range_);
}

std::optional<sdk::Range> Condition::as_range() const {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (op_) {
    case Op::Less:  // alert below the bound: OK range is bound..inf
      return sdk::Range{bound_, kInf, false};
    case Op::Greater:  // alert above the bound: OK range is ~..bound
      return sdk::Range{-kInf, bound_, false};
    case Op::Range:
      return range_;
    default:
      return std::nullopt;  // <=, >=, ==, != have no exact Nagios form
  }
}

}  // namespace vigil::core
