#pragma once
#include "vigil/sdk/context.hpp"
#include "vigil/sdk/export.hpp"
#include "vigil/sdk/options.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::sdk {

// What a check plugin author implements: measure, and return a Result. Construct from the
// typed Options (throw ConfigError for combinations that make no sense); the host owns the
// schedule, the timeout, thresholds and everything that happens after.
//
// run() may throw: the SDK's adapter, compiled into the plugin, turns any exception into an
// UNKNOWN result naming it. It may be called from any worker thread, but never concurrently for
// one instance.
class VIGIL_SYMBOL_VISIBLE Check {
 public:
  virtual ~Check() = default;
  virtual Result run(Context& ctx) = 0;
};

}  // namespace vigil::sdk
