#pragma once
// Environment overlays: environments/<env>.yaml patched onto the base configuration.
#include <vector>

#include "core/config/config_node.hpp"

namespace vigil::core {

// Merges `overlay` into `base`, before ${VAR} substitution:
//   - maps merge key by key, recursively; a key set to null in the overlay is removed;
//   - `pipelines` and `actions` merge by name, and so do a pipeline's `checks` and `rules`: a
//     matching entry is merged as a map, any other entry is added;
//   - every other list, and every scalar, is replaced by the overlay's.
// Merged-in nodes keep the overlay's file, so errors in them point into the overlay. An overlay
// entry that disables (`enabled: false`) a pipeline, check or rule the base does not define is an
// error, since the thing meant to be switched off would otherwise quietly keep running.
void merge_overlay(ConfigNode& base, ConfigNode overlay, std::vector<ConfigIssue>& issues);

}  // namespace vigil::core
