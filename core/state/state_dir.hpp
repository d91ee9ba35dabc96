#pragma once
#include <filesystem>
#include <optional>

namespace vigil::core {

// Where state lives: --state-dir, else the config's vigil.state_dir, else $STATE_DIRECTORY
// (systemd's StateDirectory=; the first entry when it lists several), else /var/lib/vigil when
// running as root, else $XDG_STATE_HOME/vigil, else ~/.local/state/vigil.
std::filesystem::path resolve_state_dir(const std::optional<std::filesystem::path>& cli,
                                        const std::optional<std::filesystem::path>& config);
// The same with the root question answered by the caller (the above asks geteuid()).
std::filesystem::path resolve_state_dir(const std::optional<std::filesystem::path>& cli,
                                        const std::optional<std::filesystem::path>& config,
                                        bool running_as_root);

}  // namespace vigil::core
