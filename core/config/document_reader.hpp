#pragma once
// Phase 1's checks on the merged tree: the structure and every key the host owns.
#include <filesystem>
#include <optional>
#include <vector>

#include "core/config/config_node.hpp"
#include "core/config/interpolation.hpp"

namespace vigil::core {

// Removes pipelines, checks and rules whose `enabled` is false, and the rules of a disabled
// check, before the rest of the tree is interpolated, so a disabled check's ${VAR}s need not be
// set. `enabled` itself is interpolated
// first; a value that is not a boolean is reported and the entry kept.
void drop_disabled(ConfigNode& root, Interpolator& interpolator, std::vector<ConfigIssue>& issues);

// Checks the merged, interpolated tree and fills config.global, pipelines, rules, actions and
// window, reporting
// every problem. Every check that is a map is kept even when it has errors, so that resolve()
// can still report its options. Relative paths are resolved against base_dir when there is one.
void read_document(const ConfigNode& root, const std::optional<std::filesystem::path>& base_dir,
                   Config& config, std::vector<ConfigIssue>& issues);

}  // namespace vigil::core
