#pragma once
// Turns validated check configs into live CheckInstances by asking each plugin's factory for
// an object. A plugin may still refuse its options here (a ConfigError from its constructor);
// that becomes a config issue pointing at the option's place in the file.
#include <memory>
#include <vector>

#include "core/config/config.hpp"
#include "core/execution/check_instance.hpp"
#include "core/execution/isolated_runner.hpp"
#include "core/plugin/plugin_catalog.hpp"

namespace vigil::core {

struct InstantiatedChecks {
  std::vector<std::unique_ptr<CheckInstance>> checks;  // config order
  std::vector<const CheckConfig*> configs;             // parallel to checks
  std::vector<ConfigIssue> issues;
};

// With `isolation` set, checks configured `isolate: true` run through an IsolatedCheckRunner
// built from it (pipeline and check filled in); their plugin object is still constructed once
// here, so a constructor's refusal of its options is caught before anything runs.
InstantiatedChecks instantiate_checks(const Config& config, const PluginCatalog& catalog,
                                      const sdk::Clock& clock,
                                      const IsolatedCheckTarget* isolation = nullptr);

// One check (a reload instantiates only what it adds or changes); nullptr, and an issue
// appended, when it cannot be made.
std::unique_ptr<CheckInstance> instantiate_check(const CheckConfig& check,
                                                 const PluginCatalog& catalog,
                                                 const sdk::Clock& clock,
                                                 const IsolatedCheckTarget* isolation,
                                                 std::vector<ConfigIssue>& issues);

// The identity and thresholds of one configured check (shared with `vigil check`).
CheckIdentity identity_of(const CheckConfig& check);

}  // namespace vigil::core
