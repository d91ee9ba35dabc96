#include "core/config/value_reader.hpp"

#include <limits>

#include "core/config/suggest.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

bool is_label_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9'))
    return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

void ValueReader::check_keys(const ConfigNode& map, const std::string& path, const Keys& allowed) {
  for (const auto& entry : map.entries) {
    bool known = false;
    for (std::string_view k : allowed)
      known = known || k == entry.key;
    if (known)
      continue;
    std::string message = "unknown key '" + entry.key + "' (allowed: " + join_names(allowed) + ")" +
                          did_you_mean(entry.key, allowed);
    if (entry.key == "<<") {
      message += "; YAML merge keys are not supported, use pipeline defaults or an overlay";
    }
    report(entry.key_where, child_path(path, entry.key), std::move(message));
  }
}

bool ValueReader::expect_map(const ConfigNode& node, const std::string& path,
                             std::string_view expected) {
  if (node.is_map() || node.is_null())
    return true;
  report(node.where, path, "expected " + std::string(expected) + ", got " + describe_node(node));
  return false;
}

std::optional<std::string> ValueReader::scalar_text(const ConfigNode& node, const std::string& path,
                                                    sdk::OptionType expected) {
  if (node.unresolved)
    return std::nullopt;
  if (!node.is_scalar()) {
    report(node.where, path, expected_got(expected, node));
    return std::nullopt;
  }
  return node.text;
}

std::optional<std::chrono::milliseconds> ValueReader::read_duration(const ConfigNode& node,
                                                                    const std::string& path) {
  return read_typed<std::chrono::milliseconds>(node, path, sdk::OptionType::Duration,
                                               sdk::parse_duration);
}

std::optional<std::chrono::milliseconds> ValueReader::read_positive_duration(
    const ConfigNode& node, const std::string& path) {
  auto value = read_duration(node, path);
  if (value && value->count() <= 0) {
    report(node.where, path, "must be longer than 0");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> ValueReader::read_integer(const ConfigNode& node,
                                                      const std::string& path, std::int64_t minimum,
                                                      std::int64_t maximum) {
  auto value = read_typed<std::int64_t>(node, path, sdk::OptionType::Int, sdk::parse_int);
  if (value && (*value < minimum || *value > maximum)) {
    report(
        node.where, path,
        "must be at least " + std::to_string(minimum) +
            (maximum < std::numeric_limits<int>::max() ? " and at most " + std::to_string(maximum)
                                                       : std::string{}) +
            ", got " + shown_value(node));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ValueReader::read_bool(const ConfigNode& node, const std::string& path) {
  if (node.unresolved)
    return std::nullopt;
  std::optional<bool> value;
  if (node.is_scalar())
    value = sdk::parse_bool(node.text);
  if (!value)
    report(node.where, path, "expected true or false, got " + describe_node(node));
  return value;
}

std::optional<std::string> ValueReader::read_name(const ConfigNode& map, const std::string& path,
                                                  const std::string& what,
                                                  std::map<std::string, SourceLocation>& seen) {
  const ConfigNode* node = map.find("name");
  const std::string name_path = child_path(path, "name");
  if (node == nullptr) {
    report(map.where, name_path, "missing required key 'name' (every " + what + " needs one)");
    return std::nullopt;
  }
  auto text = read_string(*node, name_path);
  if (!text)
    return std::nullopt;
  const std::string shown_name = display_text(*node);
  if (text->empty()) {
    report(node->where, name_path, "a " + what + " name must not be empty");
    return std::nullopt;
  }
  for (char c : *text) {
    if (!is_name_char(c)) {
      report(node->where, name_path,
             what + " name " + shown_value(*node) +
                 " may only contain letters, digits, '_', '.' and '-'");
      return std::nullopt;
    }
  }
  auto [first, inserted] = seen.emplace(*text, node->where);
  if (!inserted) {
    report(node->where, name_path,
           "duplicate " + what + " name '" + shown_name + "' (first defined at " +
               first->second.to_string() + ")");
  }
  return text;
}

sdk::Labels ValueReader::read_labels(const ConfigNode& node, const std::string& path) {
  sdk::Labels labels;
  if (!expect_map(node, path, "a map of label names to strings, like {service: genesis}")) {
    return labels;
  }
  for (const auto& entry : node.entries) {
    const std::string label_path = child_path(path, entry.key);
    if (!is_label_name(entry.key)) {
      report(entry.key_where, label_path,
             "label name '" + entry.key +
                 "' is not valid: labels are exported with results, so a name is letters, "
                 "digits and '_', not starting with a digit");
      continue;
    }
    if (auto value = read_string(entry.value, label_path))
      labels[entry.key] = *value;
  }
  return labels;
}

}  // namespace vigil::core
