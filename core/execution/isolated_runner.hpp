#pragma once
// Runs one configured check in a child process: vigil re-executes itself with the hidden verb
// `__run-check`, which loads the configuration and the plugin, runs that single check once and
// prints the plugin's raw result as JSON. A plugin that crashes (SIGSEGV, abort) or hangs past
// any hope of cooperation then costs one child, never the host: the host kills the child's
// process group at the deadline and reports UNKNOWN with the reason.
//
// The price: a process start and a config load per run, and no state carried between runs
// (the child's state store is fresh each time). Isolate checks whose plugins you do not trust,
// not every check.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vigil/sdk/plugin.hpp"

namespace vigil::core {

struct IsolatedCheckTarget {
  std::filesystem::path executable;                // this vigil binary
  std::optional<std::string> config_file;          // empty: the embedded default
  std::optional<std::string> environment;          // the overlay in force
  std::vector<std::filesystem::path> plugin_dirs;  // the search path the host used
  std::string pipeline;
  std::string check;
};

class IsolatedCheckRunner final : public sdk::CheckRunner {
 public:
  explicit IsolatedCheckRunner(IsolatedCheckTarget target) : target_(std::move(target)) {}
  sdk::Result run(sdk::Context& ctx) noexcept override;

  // The argv the child is started with (exposed for tests and logs).
  std::vector<std::string> child_argv(std::chrono::milliseconds timeout) const;

 private:
  IsolatedCheckTarget target_;
};

// Reads the JSON a `__run-check` child printed back into a plugin result. nullopt (with *error
// set) when the text is not such a result.
std::optional<sdk::Result> result_from_json(const std::string& text, std::string* error);

}  // namespace vigil::core
