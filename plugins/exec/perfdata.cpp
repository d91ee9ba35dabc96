#include "perfdata.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <system_error>

#include <vigil/sdk/range.hpp>

namespace vigil::exec {
namespace {

constexpr std::size_t kMaxFields = 5;  // value;warn;crit;min;max
constexpr std::size_t kMaxQuotedItem = 80;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// An item as the operator would recognise it in the plugin's output, cut short if huge.
std::string quoted(std::string_view raw) {
  std::string out = "\"";
  if (raw.size() > kMaxQuotedItem) {
    out.append(raw.substr(0, kMaxQuotedItem));
    out += "...";
  } else {
    out.append(raw);
  }
  out += '"';
  return out;
}

// Reads a decimal number ("-1", "0.5", ".5", "1e-05") from the front of `s`. std::from_chars
// rather than strtod: perfdata is defined in the C locale whatever locale the host runs in.
std::optional<double> take_number(std::string_view& s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  std::size_t digits = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_digit(s[i]); ++i) {
      ++digits;
    }
  }
  if (digits == 0) {
    return std::nullopt;
  }
  // An exponent only when digits follow, so a UOM that starts with 'e' is not swallowed.
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '-' || s[j] == '+')) {
      ++j;
    }
    if (j < s.size() && is_digit(s[j])) {
      while (j < s.size() && is_digit(s[j])) {
        ++j;
      }
      i = j;
    }
  }
  std::string_view number = s.substr(0, i);
  if (number.front() == '+')
    number.remove_prefix(1);  // from_chars refuses a leading '+'
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc{} || end != number.data() + number.size()) {
    return std::nullopt;
  }
  s.remove_prefix(i);
  return value;
}

std::optional<double> parse_plain_number(std::string_view text) {
  std::string_view rest = text;
  auto value = take_number(rest);
  if (!value || !rest.empty()) {
    return std::nullopt;
  }
  return value;
}

// A UOM is whatever follows the number, as long as it cannot be the remains of a number.
bool is_plausible_uom(std::string_view uom) {
  if (uom.empty()) {
    return true;
  }
  if (uom.front() == '.' || uom.front() == ',') {
    return false;
  }
  for (char c : uom) {
    if (is_digit(c) || c == '=' || c == '\'' || c == '"') {
      return false;
    }
  }
  return true;
}

struct RawItem {
  std::string_view raw;   // the whole item as written, for notes
  std::string label;      // unquoted, '' unescaped
  std::string_view data;  // everything after '='
  std::string error;      // why the item cannot be read; empty when it can
};

// Cuts the next item off the front of `text` (which starts at a non-space character).
RawItem take_item(std::string_view& text) {
  RawItem item;
  std::size_t pos = 0;
  if (text.front() == '\'') {
    bool closed = false;
    pos = 1;
    while (pos < text.size()) {
      if (text[pos] == '\'') {
        if (pos + 1 < text.size() && text[pos + 1] == '\'') {
          item.label += '\'';
          pos += 2;
          continue;
        }
        ++pos;
        closed = true;
        break;
      }
      item.label += text[pos++];
    }
    if (!closed) {
      // No closing quote. The likeliest slip is a quote missing before the '=', so the item
      // runs to the first space after the first '='; later items still count.
      const auto equals = text.find('=');
      const auto end = equals == std::string_view::npos ? std::string_view::npos
                                                        : text.find_first_of(" \t\n\r", equals);
      item.raw = text.substr(0, end);
      text.remove_prefix(item.raw.size());
      item.error = "unterminated quote in the label";
      return item;
    }
  } else {
    while (pos < text.size() && text[pos] != '=' && !is_space(text[pos])) {
      ++pos;
    }
    item.label = std::string(text.substr(0, pos));
  }
  std::size_t end = pos;
  while (end < text.size() && !is_space(text[end])) {
    ++end;
  }
  item.raw = text.substr(0, end);
  if (pos >= end || text[pos] != '=') {
    item.error = "no '=' after the label";
  } else if (item.label.empty()) {
    item.error = "empty label";
  } else {
    item.data = text.substr(pos + 1, end - pos - 1);
  }
  text.remove_prefix(end);
  return item;
}

std::string label_for_note(const std::string& label) {
  return "'" + label + "'";
}

void parse_item(const RawItem& item, PerfdataParse& out) {
  std::array<std::string_view, kMaxFields> fields{};
  std::size_t count = 0;
  std::string_view rest = item.data;
  while (true) {
    const auto semicolon = rest.find(';');
    if (count == kMaxFields) {
      out.notes.push_back("perfdata item " + quoted(item.raw) + " skipped: more than " +
                          std::to_string(kMaxFields) + " fields (value;warn;crit;min;max)");
      return;
    }
    fields[count++] = rest.substr(0, semicolon);
    if (semicolon == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(semicolon + 1);
  }

  const std::string_view value_field = fields[0];
  if (value_field == "U") {
    out.notes.push_back("perfdata " + label_for_note(item.label) +
                        ": value undetermined (U), no metric recorded");
    return;
  }
  std::string_view uom = value_field;
  const auto value = take_number(uom);
  if (!value || !is_plausible_uom(uom)) {
    std::string why = "perfdata item " + quoted(item.raw) + " skipped: value " +
                      quoted(value_field) + " is not a number";
    if (value_field.find(',') != std::string_view::npos) {
      why += " (a decimal comma? run the plugin with LC_ALL=C)";
    }
    out.notes.push_back(std::move(why));
    return;
  }

  sdk::Metric metric(item.label, *value, std::string(uom));
  // Thresholds and bounds are for display only, so one that cannot be read costs the field,
  // not the measurement.
  auto drop = [&](std::string_view field_name, std::string_view text, std::string_view expected) {
    out.notes.push_back("perfdata " + label_for_note(item.label) + ": " + std::string(field_name) +
                        " " + quoted(text) + " is not " + std::string(expected) + ", ignored");
  };
  if (count > 1 && !fields[1].empty()) {
    metric.warn = sdk::Range::parse(fields[1]);
    if (!metric.warn) {
      drop("warn", fields[1], "a Nagios range");
    }
  }
  if (count > 2 && !fields[2].empty()) {
    metric.crit = sdk::Range::parse(fields[2]);
    if (!metric.crit) {
      drop("crit", fields[2], "a Nagios range");
    }
  }
  if (count > 3 && !fields[3].empty()) {
    metric.min = parse_plain_number(fields[3]);
    if (!metric.min) {
      drop("min", fields[3], "a number");
    }
  }
  if (count > 4 && !fields[4].empty()) {
    metric.max = parse_plain_number(fields[4]);
    if (!metric.max) {
      drop("max", fields[4], "a number");
    }
  }
  out.metrics.push_back(std::move(metric));
}

}  // namespace

PerfdataParse parse_perfdata(std::string_view text) {
  PerfdataParse out;
  while (true) {
    while (!text.empty() && is_space(text.front())) {
      text.remove_prefix(1);
    }
    if (text.empty()) {
      break;
    }
    const RawItem item = take_item(text);
    if (!item.error.empty()) {
      out.notes.push_back("perfdata item " + quoted(item.raw) + " skipped: " + item.error);
      continue;
    }
    parse_item(item, out);
  }
  return out;
}

}  // namespace vigil::exec
