#pragma once
// ${VAR} substitution in scalar values. Values are substituted as text after parsing, so a
// variable can never change the structure of the document (no YAML injection); map keys are
// never substituted, so the structure can be checked without the environment.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config_node.hpp"

namespace vigil::core {

using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view)>;

class Interpolator {
 public:
  // Substituted values are appended to `secrets`; problems to `issues`.
  Interpolator(EnvironmentLookup lookup, std::vector<std::string>& secrets,
               std::vector<ConfigIssue>& issues);

  // Substitutes every ${VAR} in one scalar, once: a scalar already substituted is left alone, so
  // a value that itself contains "${" is never expanded again. Returns false when a reference
  // was malformed or unset (reported at the scalar, which is then marked unresolved).
  bool substitute(ConfigNode& scalar, const std::string& path);

  // substitute() on every scalar under `node`.
  void substitute_tree(ConfigNode& node, const std::string& path);

 private:
  EnvironmentLookup lookup_;
  std::vector<std::string>& secrets_;
  std::vector<ConfigIssue>& issues_;
};

}  // namespace vigil::core
