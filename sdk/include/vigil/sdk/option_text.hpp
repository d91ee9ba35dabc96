#pragma once
// Turns option text into typed values: the one routine behind schema defaults, `vigil check -o
// key=value` and the testing harness. The host's YAML reader calls parse_scalar() for each YAML
// scalar, so a value means the same thing wherever it is written.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vigil/sdk/options.hpp"

namespace vigil::sdk {

// Either a value or the reason it is not one ("expected a duration like 30s, 5m or 48h").
template <class T>
struct Parsed {
  std::variant<T, std::string> v;
  bool ok() const noexcept { return v.index() == 0; }
  const T& value() const { return std::get<0>(v); }
  const std::string& error() const { return std::get<1>(v); }
};

inline std::string type_expectation(OptionType t) {
  switch (t) {
    case OptionType::String:
      return "a string";
    case OptionType::Int:
      return "an integer";
    case OptionType::Double:
      return "a number";
    case OptionType::Bool:
      return "true or false";
    case OptionType::Duration:
      return "a duration like 250ms, 30s, 5m or 48h";
    case OptionType::Size:
      return "a size like 512KiB or 1MiB";
    case OptionType::List:
      return "a list";
    case OptionType::Map:
      return "a map";
  }
  return "a value";
}

inline Parsed<Scalar> parse_scalar(OptionType t, std::string_view text) {
  auto fail = [&](void) -> Parsed<Scalar> {
    return {"expected " + type_expectation(t) + ", got \"" + std::string(text) + "\""};
  };
  switch (t) {
    case OptionType::String:
      return {Scalar{std::string(text)}};
    case OptionType::Int:
      if (auto v = parse_int(text))
        return {Scalar{*v}};
      return fail();
    case OptionType::Double:
      if (auto v = parse_double(text))
        return {Scalar{*v}};
      return fail();
    case OptionType::Bool:
      if (auto v = parse_bool(text))
        return {Scalar{*v}};
      return fail();
    case OptionType::Duration:
      if (auto v = parse_duration(text))
        return {Scalar{*v}};
      return fail();
    case OptionType::Size:
      if (auto v = parse_size(text))
        return {Scalar{ByteSize{*v}}};
      return fail();
    case OptionType::List:
    case OptionType::Map:
      break;
  }
  return fail();
}

namespace detail {
inline std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 &&
      ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    s = s.substr(1, s.size() - 2);
  }
  return std::string(s);
}
// Splits "a, 'b,c', d" on top-level commas, honouring simple quotes.
inline std::vector<std::string> split_flow(std::string_view s) {
  std::vector<std::string> parts;
  std::string cur;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote)
        quote = 0;
      cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      cur += c;
    } else if (c == ',') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!trim(cur).empty() || !parts.empty())
    parts.push_back(cur);
  return parts;
}
}  // namespace detail

// Text form of any option: scalars as written; lists as YAML flow "[a, b]" (or a bare single
// element); maps as YAML flow "{k: v, k2: v2}".
inline Parsed<OptionValue> parse_option_text(const OptionSpec& spec, std::string_view text) {
  std::string_view s = detail::trim(text);
  if (spec.type == OptionType::List) {
    ScalarList list;
    std::vector<std::string> items;
    if (!s.empty() && s.front() == '[') {
      if (s.back() != ']')
        return {std::string("unterminated list, expected \"[a, b]\"")};
      items = detail::split_flow(s.substr(1, s.size() - 2));
    } else {
      items.emplace_back(s);
    }
    for (const auto& item : items) {
      auto v = parse_scalar(spec.element, detail::unquote(item));
      if (!v.ok())
        return {v.error()};
      list.push_back(v.value());
    }
    return {OptionValue{std::move(list)}};
  }
  if (spec.type == OptionType::Map) {
    ScalarMap map;
    if (s.empty() || s.front() != '{' || s.back() != '}') {
      return {std::string("expected a map like \"{key: value}\"")};
    }
    for (const auto& item : detail::split_flow(s.substr(1, s.size() - 2))) {
      auto colon = item.find(':');
      if (colon == std::string::npos) {
        return {"map entry \"" + std::string(detail::trim(item)) + "\" has no ':'"};
      }
      auto v = parse_scalar(spec.element, detail::unquote(item.substr(colon + 1)));
      if (!v.ok())
        return {v.error()};
      map[detail::unquote(item.substr(0, colon))] = v.value();
    }
    return {OptionValue{std::move(map)}};
  }
  auto v = parse_scalar(spec.type, detail::unquote(s));
  if (!v.ok())
    return {v.error()};
  return {OptionValue{v.value()}};
}

}  // namespace vigil::sdk

namespace vigil::sdk {

struct TextOptionError {
  std::string option;
  std::string message;
};

// Resolves key=value pairs against a schema, the command-line form of options:
//   key=value          a scalar, or one element of a list (repeat the key to add more)
//   key=[a, b]         a whole list in YAML flow form
//   key.sub=value      one entry of a map (or key={sub: value, ...})
// Unknown keys, bad values and missing required options are all reported, not just the first.
inline Options resolve_text_options(const std::vector<OptionSpec>& schema,
                                    const std::vector<std::pair<std::string, std::string>>& raw,
                                    std::vector<TextOptionError>& errors) {
  Options out;
  auto find = [&](std::string_view name) -> const OptionSpec* {
    for (const auto& s : schema) {
      if (s.name == name)
        return &s;
    }
    return nullptr;
  };
  std::map<std::string, OptionValue, std::less<>> values;
  for (const auto& [key, text] : raw) {
    std::string name = key;
    std::string sub;
    const OptionSpec* spec = find(name);
    if (spec == nullptr) {
      auto dot = key.find('.');
      if (dot != std::string::npos) {
        name = key.substr(0, dot);
        sub = key.substr(dot + 1);
        spec = find(name);
        if (spec != nullptr && spec->type != OptionType::Map)
          spec = nullptr;
      }
    }
    if (spec == nullptr) {
      std::string known;
      for (const auto& s : schema)
        known += (known.empty() ? "" : ", ") + s.name;
      errors.push_back({key, "unknown option '" + key + "' (known: " + known + ")"});
      continue;
    }
    if (spec->type == OptionType::Map && !sub.empty()) {
      auto v = parse_scalar(spec->element, text);
      if (!v.ok()) {
        errors.push_back({key, "option '" + key + "': " + v.error()});
        continue;
      }
      auto& slot = values[name];
      if (!std::holds_alternative<ScalarMap>(slot))
        slot = ScalarMap{};
      std::get<ScalarMap>(slot)[sub] = v.value();
      continue;
    }
    auto v = parse_option_text(*spec, text);
    if (!v.ok()) {
      errors.push_back({key, "option '" + key + "': " + v.error()});
      continue;
    }
    auto it = values.find(name);
    if (spec->type == OptionType::List && it != values.end() &&
        std::holds_alternative<ScalarList>(it->second)) {
      auto& list = std::get<ScalarList>(it->second);
      for (const auto& s : std::get<ScalarList>(v.value()))
        list.push_back(s);
    } else {
      values[name] = v.value();
    }
  }
  for (const auto& spec : schema) {
    if (values.count(spec.name) != 0)
      continue;
    if (spec.default_text) {
      auto v = parse_option_text(spec, *spec.default_text);
      if (v.ok()) {
        values[spec.name] = v.value();
      } else {
        errors.push_back(
            {spec.name, "default of option '" + spec.name + "' is invalid: " + v.error()});
      }
    } else if (spec.required) {
      errors.push_back({spec.name, "missing required option '" + spec.name + "'"});
    }
  }
  for (auto& [k, v] : values)
    out.set(k, std::move(v));
  return out;
}

}  // namespace vigil::sdk
