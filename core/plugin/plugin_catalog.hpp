#pragma once
// Plugin discovery and loading. A plugin file is checked in the order that keeps untrusted or
// foreign code from running at all:
//
//   1. trust:    only root and the user running vigil can change the file and its directory
//                (and, for a symlink, the file it resolves to and that file's directory);
//   2. screen:   its symbol table exports vigil_plugin_manifest_v1, read without loading it, so
//                a stray library's static constructors never run;
//   3. load:     dlopen with RTLD_NOW | RTLD_LOCAL, so a missing symbol fails here and not in the
//                middle of a check, and plugins cannot interpose on each other;
//   4. manifest: the plain C manifest matches this host's ABI, compiler and string ABI before
//                any C++ object crosses the boundary;
//   5. init:     vigil_plugin_init_v1 registers the plugin's factories into this catalog.
//
// Each failure becomes a PluginProblem and the next file is tried; nothing here throws for a bad
// plugin. Loading is single-threaded (dlopen is not reentrant everywhere, and static
// constructors of plugins may not be either); once loading is done, the const lookups may be
// used from any thread.
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/sdk/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace vigil::core {

// What a loaded plugin says about itself (its manifest) and what it registered.
struct PluginInfo {
  std::filesystem::path file;
  std::string name, version, description, sdk_version, compiler;
  std::vector<std::string> checks, actions;  // only the types this plugin won (see add_check)
};

// A plugin file, or a plugin directory, that was not used, and why.
struct PluginProblem {
  std::filesystem::path file;
  // Continues a sentence whose subject is `file`: "is writable by group (mode 0664); loading it
  // would run code others can change: chmod go-w it". Always one line.
  std::string message;
  // "<file> <message>": names the file, why it was not used, and what to do about it.
  std::string to_string() const;
};

class PluginCatalog final : public sdk::Registry {
 public:
  PluginCatalog();
  // Destroys every factory, then unloads the libraries. Whatever a factory created (checks,
  // actions) holds code from a library and must be destroyed before the catalog.
  ~PluginCatalog() override;
  PluginCatalog(const PluginCatalog&) = delete;
  PluginCatalog& operator=(const PluginCatalog&) = delete;

  // Loads every vigil_*.so in `dir`, in name order. Problems are collected, never thrown.
  void load_directory(const std::filesystem::path& dir);
  // Loads one library; false (and a problem) when it was not loaded. A file already tried,
  // under this or another path, is not tried again and returns the first answer.
  bool load_file(const std::filesystem::path& file);
  // `vigil check TYPE` loads only the plugin it runs: vigil_<TYPE>.so from the first of `dirs`
  // that has one, if that file registers TYPE; otherwise every plugin in every dir. True when
  // TYPE is known afterwards.
  bool load_for_type(const std::vector<std::filesystem::path>& dirs, std::string_view type);

  const sdk::CheckFactory* find_check(std::string_view type) const;
  const sdk::ActionFactory* find_action(std::string_view type) const;
  const sdk::TypeInfo* find_type(std::string_view type) const;  // a check or an action
  // The plugin that registered `type`; nullptr for an unknown type. Pointers into plugins() stay
  // valid until the next load.
  const PluginInfo* plugin_of(std::string_view type) const;
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  const std::vector<PluginProblem>& problems() const { return problems_; }

  // sdk::Registry, called by a plugin's vigil_plugin_init_v1. Check and action types share one
  // namespace; a name registered twice is a problem naming both files, and the first
  // registration wins. Registrations made outside a plugin's init are the host's own.
  void add_check(std::unique_ptr<sdk::CheckFactory> factory) override;
  void add_action(std::unique_ptr<sdk::ActionFactory> factory) override;

 private:
  static constexpr std::size_t kHostRegistered = static_cast<std::size_t>(-1);

  struct RegisteredType {
    std::unique_ptr<sdk::CheckFactory> check;  // exactly one of check and action is set
    std::unique_ptr<sdk::ActionFactory> action;
    std::size_t plugin = kHostRegistered;  // index into plugins_
  };
  // Factories a plugin hands over during its init, kept back until init has succeeded so that a
  // plugin that fails half-way registers nothing.
  struct PendingRegistrations {
    std::vector<std::unique_ptr<sdk::CheckFactory>> checks;
    std::vector<std::unique_ptr<sdk::ActionFactory>> actions;
  };

  bool load_library(const std::filesystem::path& file);
  void register_type(const std::filesystem::path& file, std::size_t plugin,
                     RegisteredType registered);
  void add_problem(const std::filesystem::path& file, std::string message);
  const RegisteredType* find(std::string_view type) const;

  // Member order is destruction order reversed: the libraries are declared first so they are
  // unloaded last, after every factory (whose vtables and code live in them) is gone.
  std::vector<boost::dll::shared_library> libraries_;
  std::vector<PluginInfo> plugins_;
  std::vector<PluginProblem> problems_;
  std::map<std::string, RegisteredType, std::less<>> types_;
  PendingRegistrations* pending_ = nullptr;  // set while a plugin's init runs
  // Canonical paths of every file tried, with the outcome, so that a directory scanned twice or
  // a fallback after load_for_type does not load a library twice or repeat its problem.
  std::map<std::filesystem::path, bool> attempted_;
};

// This host's side of the plugin ABI, for `vigil --version` and mismatch messages:
// "plugin ABI 1, vigil-sdk 1.0.0, gcc 12 (12.2.0), cxx11-abi=1".
std::string host_build_description();

}  // namespace vigil::core
