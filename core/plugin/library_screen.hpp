#pragma once
// Looking at a library without loading it. dlopen runs a library's static constructors before
// the host can ask it anything, so a file is only loaded once its symbol table, read from disk,
// shows the plugin manifest.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vigil::core {

// nullopt when `file` is an ELF shared object exporting vigil_plugin_manifest_v1; otherwise
// why it is skipped, continuing a sentence whose subject is `file`. Never loads the file.
std::optional<std::string> screen_plugin_library(const std::filesystem::path& file);

// The defined symbols of an ELF file's dynamic symbol table that other objects can bind to:
// what dlsym() would find. Throws std::runtime_error for a file that is not a well-formed ELF
// object of this machine's byte order.
std::vector<std::string> exported_dynamic_symbols(const std::filesystem::path& file);

}  // namespace vigil::core
