#pragma once
// Whether a plugin may be loaded from where it lies. Loading a library runs its code inside
// vigil, often as root; a file that anyone but root or the user running vigil can change, or
// that lies in a directory where they can replace it, is code they control.
//
// Only the file's own directory is examined, not every ancestor: /tmp and similar sticky,
// world-writable parents are common and harmless, and the directory holding the name is the one
// where a file can be swapped.
#include <filesystem>
#include <optional>
#include <string>

namespace vigil::core {

// nullopt when `file`, its directory and, if the path goes through a symlink, the file it
// resolves to and that file's directory can be changed only by root or the effective user.
// Otherwise why not, continuing a sentence whose subject is `file`: "is in /x, which is
// writable by others (mode 0777); loading it would run code others can change: chmod go-w /x".
std::optional<std::string> untrusted_plugin_file(const std::filesystem::path& file);

// The same for a plugin directory before it is scanned: "is writable by group (mode 0775);
// loading plugins from it would run code others can change: chmod go-w it".
std::optional<std::string> untrusted_plugin_directory(const std::filesystem::path& dir);

}  // namespace vigil::core
