#pragma once
// The configuration read again for a reload (SIGHUP): the same file and overlay as at start,
// resolved against the plugins already loaded, never loading new ones.
#include "core/cli/cli_common.hpp"

namespace vigil::cli {

core::ConfigLoadResult reread_configuration(const CommonOptions& opts,
                                            const LoadedConfiguration& loaded);

}  // namespace vigil::cli
