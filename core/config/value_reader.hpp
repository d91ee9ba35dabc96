#pragma once
// Phase 1's primitives for reading host-owned values out of ConfigNodes: each reports what is
// wrong at the node at fault and returns nothing, so that callers keep going and every issue
// is collected. Shared by the readers of pipelines and checks (document_reader.cpp) and of
// rules, actions and the window (alerting_reader.cpp).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/config_node.hpp"
#include "vigil/sdk/option_text.hpp"

namespace vigil::core {

// Labels are exported with results (JSON, /metrics), so names follow Prometheus' data model.
bool is_label_name(std::string_view name);

class ValueReader {
 public:
  using Keys = std::vector<std::string_view>;

  explicit ValueReader(std::vector<ConfigIssue>& issues) : issues_(issues) {}

 protected:
  void report(const SourceLocation& where, const std::string& path, std::string message) {
    issues_.push_back({where, path, std::move(message)});
  }

  // Every key of `map` not in `allowed` is reported with the allowed ones and the likely one.
  void check_keys(const ConfigNode& map, const std::string& path, const Keys& allowed);

  // A map, or nothing (an empty map: "labels:" with the values commented out is common).
  bool expect_map(const ConfigNode& node, const std::string& path, std::string_view expected);

  static std::string expected_got(sdk::OptionType type, const ConfigNode& node) {
    return "expected " + sdk::type_expectation(type) + ", got " + describe_node(node);
  }

  // The text of a scalar, or nullopt after reporting why there is none. An unresolved ${VAR}
  // was reported by the interpolator and is not reported again.
  std::optional<std::string> scalar_text(const ConfigNode& node, const std::string& path,
                                         sdk::OptionType expected);

  std::optional<std::string> read_string(const ConfigNode& node, const std::string& path) {
    return scalar_text(node, path, sdk::OptionType::String);
  }

  template <class T, class Parse>
  std::optional<T> read_typed(const ConfigNode& node, const std::string& path, sdk::OptionType type,
                              Parse parse) {
    auto text = scalar_text(node, path, type);
    if (!text)
      return std::nullopt;
    std::optional<T> value = parse(*text);
    if (!value)
      report(node.where, path, expected_got(type, node));
    return value;
  }

  std::optional<std::chrono::milliseconds> read_duration(const ConfigNode& node,
                                                         const std::string& path);

  // A duration longer than zero.
  std::optional<std::chrono::milliseconds> read_positive_duration(const ConfigNode& node,
                                                                  const std::string& path);

  // An integer in [minimum, maximum].
  std::optional<std::int64_t> read_integer(const ConfigNode& node, const std::string& path,
                                           std::int64_t minimum, std::int64_t maximum);

  std::optional<bool> read_bool(const ConfigNode& node, const std::string& path);

  // A value for a message: its text when written in the file, "the value of ${X}" when not.
  static std::string shown(const ConfigNode* node, const std::string& formatted) {
    return node != nullptr && node->from_environment ? shown_value(*node) : formatted;
  }

  // A pipeline, check, rule or action name: required, [A-Za-z0-9_.-]+, unique in `seen`.
  std::optional<std::string> read_name(const ConfigNode& map, const std::string& path,
                                       const std::string& what,
                                       std::map<std::string, SourceLocation>& seen);

  sdk::Labels read_labels(const ConfigNode& node, const std::string& path);

  std::vector<ConfigIssue>& issues_;
};

}  // namespace vigil::core
