#include "core/execution/instantiate.hpp"

namespace vigil::core {

CheckIdentity identity_of(const CheckConfig& check) {
  return CheckIdentity{check.name, check.plugin, check.pipeline, check.labels};
}

std::unique_ptr<CheckInstance> instantiate_check(const CheckConfig& check,
                                                 const PluginCatalog& catalog,
                                                 const sdk::Clock& clock,
                                                 const IsolatedCheckTarget* isolation,
                                                 std::vector<ConfigIssue>& issues) {
  const std::string path = "pipelines[" + check.pipeline + "].checks[" + check.name + "]";
  const sdk::CheckFactory* factory = catalog.find_check(check.plugin);
  if (factory == nullptr) {
    issues.push_back({check.where, path + ".plugin",
                      "no loaded plugin provides check type '" + check.plugin + "'"});
    return nullptr;
  }
  auto created = factory->create(check.options);
  if (!created.instance) {
    SourceLocation where = check.where;
    std::string option_path = path + ".options";
    if (!created.error_option.empty()) {
      option_path += "." + created.error_option;
      if (auto it = check.option_locations.find(created.error_option);
          it != check.option_locations.end()) {
        where = it->second;
      }
    }
    issues.push_back({where, option_path, created.error});
    return nullptr;
  }
  std::unique_ptr<sdk::CheckRunner> runner = std::move(created.instance);
  if (check.isolate && isolation != nullptr) {
    IsolatedCheckTarget target = *isolation;
    target.pipeline = check.pipeline;
    target.check = check.name;
    runner = std::make_unique<IsolatedCheckRunner>(std::move(target));
  }
  return std::make_unique<CheckInstance>(identity_of(check), check.thresholds, std::move(runner),
                                         clock);
}

InstantiatedChecks instantiate_checks(const Config& config, const PluginCatalog& catalog,
                                      const sdk::Clock& clock,
                                      const IsolatedCheckTarget* isolation) {
  InstantiatedChecks out;
  for (const auto& pipeline : config.pipelines) {
    for (const auto& check : pipeline.checks) {
      if (auto instance = instantiate_check(check, catalog, clock, isolation, out.issues)) {
        out.checks.push_back(std::move(instance));
        out.configs.push_back(&check);
      }
    }
  }
  return out;
}

}  // namespace vigil::core
