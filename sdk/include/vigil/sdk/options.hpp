#pragma once
// Typed, host-validated options. A plugin declares its options (OptionSpec) when it registers;
// the host parses the YAML or command line, checks every value against the declaration, fills
// in defaults and rejects unknown keys. The plugin only ever sees an Options of typed values.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vigil/sdk/export.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::sdk {

enum class OptionType { String, Int, Double, Bool, Duration, Size, List, Map };

inline constexpr std::string_view to_string(OptionType t) noexcept {
  switch (t) {
    case OptionType::String:
      return "string";
    case OptionType::Int:
      return "int";
    case OptionType::Double:
      return "double";
    case OptionType::Bool:
      return "bool";
    case OptionType::Duration:
      return "duration";
    case OptionType::Size:
      return "size";
    case OptionType::List:
      return "list";
    case OptionType::Map:
      return "map";
  }
  return "?";
}

struct ByteSize {
  std::uint64_t bytes = 0;
  friend bool operator==(ByteSize a, ByteSize b) { return a.bytes == b.bytes; }
};

using Scalar =
    std::variant<std::string, std::int64_t, double, bool, std::chrono::milliseconds, ByteSize>;
using ScalarList = std::vector<Scalar>;
using ScalarMap = std::map<std::string, Scalar>;
using OptionValue = std::variant<Scalar, ScalarList, ScalarMap>;

// One declared option. `default_text` is written the way a user would write the value in YAML
// ("10s", "1MiB", "[200-299]", "true"); the host parses it like config, so docs show exactly
// what a user can type.
struct OptionSpec {
  std::string name;
  OptionType type = OptionType::String;
  OptionType element = OptionType::String;  // element type of a List, value type of a Map
  bool required = false;
  std::optional<std::string> default_text;
  std::string description;
  bool secret = false;  // never printed in logs or `vigil check` echo
};

// Thrown by a plugin's constructor when options are individually valid but do not make sense
// together ("url and targets are mutually exclusive"). The SDK adapter catches it inside the
// plugin and hands it to the host as data; it never unwinds across the boundary.
class VIGIL_SYMBOL_VISIBLE ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string option, const std::string& message)
      : std::runtime_error(message), option_(std::move(option)) {}
  const std::string& option() const noexcept { return option_; }

 private:
  std::string option_;
};

class Options {
 public:
  Options() = default;
  explicit Options(std::map<std::string, OptionValue, std::less<>> values)
      : values_(std::move(values)) {}

  bool has(std::string_view key) const { return values_.find(key) != values_.end(); }
  const std::map<std::string, OptionValue, std::less<>>& values() const noexcept { return values_; }
  void set(std::string key, OptionValue v) { values_[std::move(key)] = std::move(v); }

  std::string string(std::string_view key) const { return scalar_as<std::string>(key); }
  std::int64_t integer(std::string_view key) const { return scalar_as<std::int64_t>(key); }
  double number(std::string_view key) const { return scalar_as<double>(key); }
  bool flag(std::string_view key) const { return scalar_as<bool>(key); }
  std::chrono::milliseconds duration(std::string_view key) const {
    return scalar_as<std::chrono::milliseconds>(key);
  }
  std::uint64_t size(std::string_view key) const { return scalar_as<ByteSize>(key).bytes; }

  std::vector<std::string> strings(std::string_view key) const { return list_as<std::string>(key); }
  std::vector<double> numbers(std::string_view key) const { return list_as<double>(key); }
  std::vector<std::int64_t> integers(std::string_view key) const {
    return list_as<std::int64_t>(key);
  }
  std::map<std::string, std::string> string_map(std::string_view key) const {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : map_of(key))
      out.emplace(k, convert<std::string>(key, v));
    return out;
  }

  std::optional<std::string> find_string(std::string_view key) const {
    if (!has(key))
      return std::nullopt;
    return string(key);
  }

  // Text of a scalar as the user would write it (for messages and echo).
  static std::string to_text(const Scalar& s) {
    struct Visitor {
      std::string operator()(const std::string& v) const { return v; }
      std::string operator()(std::int64_t v) const { return std::to_string(v); }
      std::string operator()(double v) const {
        std::string t = std::to_string(v);
        while (t.find('.') != std::string::npos && !t.empty() && t.back() == '0')
          t.pop_back();
        if (!t.empty() && t.back() == '.')
          t.pop_back();
        return t;
      }
      std::string operator()(bool v) const { return v ? "true" : "false"; }
      std::string operator()(std::chrono::milliseconds v) const { return format_duration(v); }
      std::string operator()(ByteSize v) const { return std::to_string(v.bytes) + "B"; }
    };
    return std::visit(Visitor{}, s);
  }

 private:
  const OptionValue& at(std::string_view key) const {
    auto it = values_.find(key);
    if (it == values_.end()) {
      throw ConfigError(std::string(key), "option '" + std::string(key) +
                                              "' has no value and no default; declare it "
                                              "required or give it a default");
    }
    return it->second;
  }

  template <class T>
  static T convert(std::string_view key, const Scalar& s) {
    if (const T* v = std::get_if<T>(&s))
      return *v;
    if constexpr (std::is_same_v<T, double>) {
      if (const auto* i = std::get_if<std::int64_t>(&s))
        return static_cast<double>(*i);
    }
    if constexpr (std::is_same_v<T, std::string>)
      return to_text(s);
    throw ConfigError(std::string(key), "option '" + std::string(key) +
                                            "' is read with a type other than its declared one");
  }

  template <class T>
  T scalar_as(std::string_view key) const {
    const OptionValue& v = at(key);
    if (const auto* s = std::get_if<Scalar>(&v))
      return convert<T>(key, *s);
    throw ConfigError(std::string(key), "option '" + std::string(key) + "' is not a scalar");
  }

  template <class T>
  std::vector<T> list_as(std::string_view key) const {
    const OptionValue& v = at(key);
    std::vector<T> out;
    if (const auto* l = std::get_if<ScalarList>(&v)) {
      for (const auto& s : *l)
        out.push_back(convert<T>(key, s));
    } else if (const auto* s = std::get_if<Scalar>(&v)) {
      out.push_back(convert<T>(key, *s));  // a scalar where a list is declared is a 1-list
    } else {
      throw ConfigError(std::string(key), "option '" + std::string(key) + "' is not a list");
    }
    return out;
  }

  const ScalarMap& map_of(std::string_view key) const {
    const OptionValue& v = at(key);
    if (const auto* m = std::get_if<ScalarMap>(&v))
      return *m;
    throw ConfigError(std::string(key), "option '" + std::string(key) + "' is not a map");
  }

  std::map<std::string, OptionValue, std::less<>> values_;
};

}  // namespace vigil::sdk
