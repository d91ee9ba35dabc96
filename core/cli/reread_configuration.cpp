#include "core/cli/reread_configuration.hpp"

#include <cstdlib>

#include "core/cli/embedded_config.hpp"
#include "core/log/logging.hpp"

namespace vigil::cli {

core::ConfigLoadResult reread_configuration(const CommonOptions& opts,
                                            const LoadedConfiguration& loaded) {
  core::ConfigLoadOptions load_opts;
  load_opts.env = opts.env;
  if (!load_opts.env) {
    if (const char* env = std::getenv("VIGIL_ENV"); env != nullptr && *env != '\0')
      load_opts.env = env;
  }
  core::ConfigLoadResult result =
      loaded.config_file
          ? core::ConfigLoader::load_file(*loaded.config_file, load_opts)
          : core::ConfigLoader::load_string(kEmbeddedDefaultConfig, loaded.source, load_opts);
  // As at start (load_configuration): vigil's own variables are no secrets.
  for (const char* name : {"VIGIL_EXE", "VIGIL_STATE_DIR"}) {
    if (const char* value = std::getenv(name); value != nullptr)
      std::erase(result.config.secrets, std::string(value));
  }
  const core::PluginCatalog& catalog = *loaded.catalog;
  core::ConfigLoader::resolve(
      result, [&catalog](std::string_view type) { return catalog.find_type(type); });
  for (const auto& warning : result.warnings)
    core::logger()->warn("{}", warning.to_string());
  return result;
}

}  // namespace vigil::cli
