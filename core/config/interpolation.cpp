#include "core/config/interpolation.hpp"

#include <utility>

namespace vigil::core {

namespace {

bool is_variable_name(std::string_view name) {
  if (name.empty())
    return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!letter(name.front()))
    return false;
  for (char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9'))
      return false;
  }
  return true;
}

}  // namespace

Interpolator::Interpolator(EnvironmentLookup lookup, std::vector<std::string>& secrets,
                           std::vector<ConfigIssue>& issues)
    : lookup_(std::move(lookup)), secrets_(secrets), issues_(issues) {}

bool Interpolator::substitute(ConfigNode& scalar, const std::string& path) {
  if (!scalar.is_scalar() || scalar.interpolated)
    return !scalar.unresolved;
  scalar.interpolated = true;
  const std::string& in = scalar.written;
  if (in.find('$') == std::string::npos)
    return true;

  std::string out;
  bool substituted = false;
  bool resolved = true;
  std::size_t i = 0;
  while (i < in.size()) {
    if (in.compare(i, 3, "$${") == 0) {  // an escaped, literal "${"
      out += "${";
      i += 3;
      continue;
    }
    if (in.compare(i, 2, "${") != 0) {
      out += in[i++];
      continue;
    }
    const std::size_t close = in.find('}', i + 2);
    if (close == std::string::npos) {
      issues_.push_back({scalar.where, path, "unterminated \"${\" (write $${ for a literal ${)"});
      resolved = false;
      break;
    }
    const std::string name = in.substr(i + 2, close - i - 2);
    const std::string reference = "${" + name + "}";
    i = close + 1;
    if (!is_variable_name(name)) {
      issues_.push_back({scalar.where, path,
                         "\"" + reference +
                             "\" is not a variable reference: a name is letters, digits and '_', "
                             "not starting with a digit (write $${ for a literal ${)"});
      resolved = false;
      continue;
    }
    std::optional<std::string> value = lookup_(name);
    if (!value) {
      issues_.push_back({scalar.where, path, reference + " is not set in the environment"});
      resolved = false;
      continue;
    }
    if (!value->empty())
      secrets_.push_back(*value);
    out += *value;
    substituted = true;
  }
  scalar.text = std::move(out);
  scalar.from_environment = substituted;
  scalar.unresolved = !resolved;
  return resolved;
}

void Interpolator::substitute_tree(ConfigNode& node, const std::string& path) {
  switch (node.kind) {
    case ConfigNode::Kind::Null:
      break;
    case ConfigNode::Kind::Scalar:
      substitute(node, path);
      break;
    case ConfigNode::Kind::Sequence:
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        substitute_tree(node.items[i], item_path(path, node.items[i], i));
      }
      break;
    case ConfigNode::Kind::Map:
      for (auto& entry : node.entries)
        substitute_tree(entry.value, child_path(path, entry.key));
      break;
  }
}

}  // namespace vigil::core
