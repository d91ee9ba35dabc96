#include "core/plugin/plugin_catalog.hpp"

#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include "core/plugin/file_trust.hpp"
#include "core/plugin/library_screen.hpp"
#include "vigil/sdk/manifest.h"
#include "vigil/sdk/version.hpp"

namespace vigil::core {

namespace {

namespace fs = std::filesystem;

using ManifestFunction = const vigil_plugin_manifest*();
using InitFunction = int(sdk::Registry*, char*, std::size_t);

// The fields ABI 1 defines. A plugin's struct_size must cover them; fields a later SDK appends
// are read only when struct_size covers those too, which is why this is not sizeof().
constexpr std::size_t kManifestV1Size =
    offsetof(vigil_plugin_manifest, description) + sizeof(const char*);

// How the plugin ABI identifies a build; the host's comes from the same SDK macros a plugin's
// manifest does, so the two are computed alike.
struct BuildIdentity {
  std::uint32_t abi = 0;
  std::string sdk_version;
  std::string compiler_id;
  std::uint32_t compiler_major = 0;
  std::int32_t cxx11_abi = -1;
};

BuildIdentity host_identity() {
  return {VIGIL_PLUGIN_ABI, VIGIL_SDK_VERSION_STRING, VIGIL_SDK_COMPILER_ID,
          static_cast<std::uint32_t>(VIGIL_SDK_COMPILER_MAJOR), VIGIL_SDK_CXX11_ABI};
}

std::string text_or(const char* text, std::string fallback) {
  return text != nullptr && *text != '\0' ? std::string(text) : std::move(fallback);
}

std::string cxx11_abi_text(std::int32_t value) {
  return value < 0 ? "none" : std::to_string(value);
}

// "(vigil-sdk 1.0.0, gcc 12, cxx11-abi=1)"
std::string build_details(const BuildIdentity& id) {
  return "(vigil-sdk " + id.sdk_version + ", " + id.compiler_id + " " +
         std::to_string(id.compiler_major) + ", cxx11-abi=" + cxx11_abi_text(id.cxx11_abi) + ")";
}

std::string sdk_series() {
  return "vigil_sdk " + std::to_string(VIGIL_SDK_VERSION_MAJOR) + ".x";
}

// nullopt when a plugin built as `manifest` says can share objects with this host; otherwise
// why not, naming both sides and what to rebuild it with.
std::optional<std::string> manifest_mismatch(const vigil_plugin_manifest& manifest) {
  const BuildIdentity host = host_identity();
  const std::string requirement =
      "this vigil requires ABI " + std::to_string(host.abi) + " " + build_details(host);
  if (manifest.struct_size < kManifestV1Size) {
    return "has a plugin manifest of " + std::to_string(manifest.struct_size) + " bytes, not the " +
           std::to_string(kManifestV1Size) + " of ABI " + std::to_string(host.abi) + "; " +
           requirement + ": rebuild it against " + sdk_series();
  }
  const BuildIdentity plugin{manifest.abi_version, text_or(manifest.sdk_version, "?"),
                             text_or(manifest.compiler_id, "unknown"), manifest.compiler_major,
                             manifest.cxx11_abi};
  std::vector<std::string> rebuild_with;
  if (plugin.compiler_id != host.compiler_id || plugin.compiler_major != host.compiler_major) {
    rebuild_with.push_back(host.compiler_id + " " + std::to_string(host.compiler_major));
  }
  if (plugin.cxx11_abi != host.cxx11_abi) {
    rebuild_with.push_back(host.cxx11_abi < 0
                               ? "the C++ standard library vigil uses"
                               : "_GLIBCXX_USE_CXX11_ABI=" + std::to_string(host.cxx11_abi));
  }
  if (plugin.abi == host.abi && rebuild_with.empty())
    return std::nullopt;

  std::string fix = "rebuild it against " + sdk_series();
  for (std::size_t i = 0; i < rebuild_with.size(); ++i) {
    fix += (i == 0 ? " with " : " and ") + rebuild_with[i];
  }
  return "was built for plugin ABI " + std::to_string(plugin.abi) + " " + build_details(plugin) +
         "; " + requirement + ": " + fix;
}

// Text from a plugin or the loader must not break the one-line-per-problem output.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

bool is_plugin_file_name(std::string_view name) {
  constexpr std::string_view kPrefix = "vigil_", kSuffix = ".so";
  return name.size() > kPrefix.size() + kSuffix.size() &&
         name.substr(0, kPrefix.size()) == kPrefix &&
         name.substr(name.size() - kSuffix.size()) == kSuffix;
}

// A type name that can be part of a file name: `vigil check ../../x` must not reach outside the
// plugin directories.
bool is_plain_type_name(std::string_view type) {
  if (type.empty() || type.front() == '.')
    return false;
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

fs::path absolute_path(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec).lexically_normal();
  if (ec)
    absolute = path.lexically_normal();
  if (!absolute.has_filename() && absolute.has_parent_path())
    absolute = absolute.parent_path();
  return absolute;
}

// The name under which a file counts as tried: the same library reached through a symlink or a
// second directory path is the same library.
fs::path identity_of(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  return ec ? path : canonical;
}

// The plugin name a file implies, for a manifest that gives none: vigil_<name>.so.
std::string name_from_file(const fs::path& file) {
  std::string stem = file.stem().string();
  return stem.rfind("vigil_", 0) == 0 ? stem.substr(6) : stem;
}

}  // namespace

std::string PluginProblem::to_string() const {
  return (file.empty() ? std::string("vigil's built-in registration") : file.string()) + " " +
         message;
}

PluginCatalog::PluginCatalog() = default;

PluginCatalog::~PluginCatalog() {
  // The member order already destroys factories before libraries; clearing them here keeps that
  // true even if the members are ever reordered.
  types_.clear();
}

void PluginCatalog::add_problem(const fs::path& file, std::string message) {
  problems_.push_back({file, one_line(std::move(message))});
}

void PluginCatalog::load_directory(const fs::path& dir) {
  const fs::path named = absolute_path(dir);
  std::error_code ec;
  const fs::file_status status = fs::status(named, ec);
  if (!fs::exists(status)) {
    add_problem(named,
                "does not exist: create it, or remove it from the plugin search path "
                "(--plugin-dir, VIGIL_PLUGIN_PATH, plugin_dirs)");
    return;
  }
  if (!fs::is_directory(status)) {
    add_problem(named,
                "is not a directory: the plugin search path lists directories of "
                "vigil_<name>.so files");
    return;
  }
  if (auto why = untrusted_plugin_directory(named)) {
    add_problem(named, std::move(*why));
    return;
  }

  std::vector<fs::path> candidates;
  fs::directory_iterator it(named, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (is_plugin_file_name(it->path().filename().string()))
      candidates.push_back(it->path());
  }
  if (ec) {
    add_problem(named, "cannot be read (" + ec.message() +
                           "): let the user running vigil list it (chmod u+rx it)");
    return;
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto& file : candidates)
    load_file(file);
}

bool PluginCatalog::load_file(const fs::path& file) {
  const fs::path named = absolute_path(file);
  const fs::path identity = identity_of(named);
  if (auto it = attempted_.find(identity); it != attempted_.end())
    return it->second;
  const bool loaded = load_library(named);
  attempted_.emplace(identity, loaded);
  return loaded;
}

bool PluginCatalog::load_library(const fs::path& file) {
  std::error_code ec;
  const fs::file_status link_status = fs::symlink_status(file, ec);
  if (!fs::exists(link_status)) {
    add_problem(file, "does not exist: check the path");
    return false;
  }
  if (fs::is_symlink(link_status) && !fs::exists(fs::status(file, ec))) {
    add_problem(file, "is a symlink to " + fs::read_symlink(file, ec).string() +
                          ", which does not exist: fix or remove the link");
    return false;
  }
  if (auto why = untrusted_plugin_file(file)) {
    add_problem(file, std::move(*why));
    return false;
  }
  if (!fs::is_regular_file(fs::status(file, ec))) {
    add_problem(file, "is not a regular file: remove it from the plugin directory");
    return false;
  }
  if (auto why = screen_plugin_library(file)) {
    add_problem(file, std::move(*why));
    return false;
  }

  // RTLD_NOW: an unresolved symbol fails here, with the loader's words, and not at the first
  // call in the middle of a check. RTLD_LOCAL: one plugin's symbols never satisfy or override
  // another's.
  boost::dll::shared_library library;
  std::error_code load_error;
  library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
               load_error);
  if (load_error) {
    const char* loader_message = ::dlerror();
    std::string why = loader_message != nullptr ? loader_message : load_error.message();
    // dlerror() starts with the file name, which the problem already leads with.
    if (const std::string lead = file.string() + ": "; why.rfind(lead, 0) == 0) {
      why.erase(0, lead.size());
    }
    add_problem(file, "could not be loaded: " + why +
                          "; install what it needs or rebuild it for this system (`ldd -r " +
                          file.string() + "` lists what is missing)");
    return false;
  }
  // Owned from here on, whatever happens next: its static constructors have run, and unloading
  // it now would run its destructors at a point nobody planned for.
  libraries_.push_back(std::move(library));
  const boost::dll::shared_library& loaded = libraries_.back();

  if (!loaded.has(VIGIL_PLUGIN_MANIFEST_SYMBOL)) {
    add_problem(file, std::string("lists ") + VIGIL_PLUGIN_MANIFEST_SYMBOL +
                          " but the loader cannot find it: rebuild it with VIGIL_PLUGIN(...)");
    return false;
  }
  const vigil_plugin_manifest* manifest =
      loaded.get<ManifestFunction>(VIGIL_PLUGIN_MANIFEST_SYMBOL)();
  if (manifest == nullptr) {
    add_problem(file, std::string(VIGIL_PLUGIN_MANIFEST_SYMBOL) +
                          "() returned no manifest: rebuild it against " + sdk_series());
    return false;
  }
  if (auto why = manifest_mismatch(*manifest)) {
    add_problem(file, std::move(*why));
    return false;
  }
  if (!loaded.has(VIGIL_PLUGIN_INIT_SYMBOL)) {
    add_problem(file, std::string("exports no ") + VIGIL_PLUGIN_INIT_SYMBOL +
                          ": rebuild it with VIGIL_PLUGIN(...) against " + sdk_series());
    return false;
  }

  PendingRegistrations pending;
  char error[1024] = {};
  int status = 0;
  pending_ = &pending;
  try {
    status = loaded.get<InitFunction>(VIGIL_PLUGIN_INIT_SYMBOL)(this, error, sizeof error);
  } catch (const std::exception& e) {
    // The SDK's init never throws; a hand-written one might.
    status = -1;
    std::snprintf(error, sizeof error, "%s threw: %s", VIGIL_PLUGIN_INIT_SYMBOL, e.what());
  } catch (...) {
    status = -1;
    std::snprintf(error, sizeof error, "%s threw", VIGIL_PLUGIN_INIT_SYMBOL);
  }
  pending_ = nullptr;
  error[sizeof error - 1] = '\0';
  if (status != 0) {
    const std::string why = error[0] != '\0' ? std::string(error)
                                             : std::string(VIGIL_PLUGIN_INIT_SYMBOL) +
                                                   " returned " + std::to_string(status);
    // `pending` is destroyed on return, while the library is still loaded.
    add_problem(file, "failed to initialise: " + why +
                          "; none of its types are used: fix the plugin or remove it from the "
                          "plugin directory");
    return false;
  }

  PluginInfo info;
  info.file = file;
  info.name = text_or(manifest->plugin_name, name_from_file(file));
  info.version = text_or(manifest->plugin_version, "");
  info.description = text_or(manifest->description, "");
  info.sdk_version = text_or(manifest->sdk_version, "");
  info.compiler = text_or(manifest->compiler_id, "unknown") + " " +
                  std::to_string(manifest->compiler_major) + " (" +
                  text_or(manifest->compiler_version, "?") + ")";
  plugins_.push_back(std::move(info));
  const std::size_t index = plugins_.size() - 1;
  for (auto& factory : pending.checks)
    register_type(file, index, {std::move(factory), {}, index});
  for (auto& factory : pending.actions)
    register_type(file, index, {{}, std::move(factory), index});
  return true;
}

bool PluginCatalog::load_for_type(const std::vector<fs::path>& dirs, std::string_view type) {
  if (find(type) != nullptr)
    return true;
  if (is_plain_type_name(type)) {
    const std::string file_name = "vigil_" + std::string(type) + ".so";
    for (const auto& dir : dirs) {
      std::error_code ec;
      const fs::path candidate = dir / file_name;
      if (!fs::exists(fs::symlink_status(candidate, ec)))
        continue;
      load_file(candidate);
      if (find(type) != nullptr)
        return true;
      break;  // only the first directory that has the file; its problem stays recorded
    }
  }
  for (const auto& dir : dirs)
    load_directory(dir);
  return find(type) != nullptr;
}

void PluginCatalog::add_check(std::unique_ptr<sdk::CheckFactory> factory) {
  if (pending_ != nullptr) {
    pending_->checks.push_back(std::move(factory));
    return;
  }
  register_type({}, kHostRegistered, {std::move(factory), {}, kHostRegistered});
}

void PluginCatalog::add_action(std::unique_ptr<sdk::ActionFactory> factory) {
  if (pending_ != nullptr) {
    pending_->actions.push_back(std::move(factory));
    return;
  }
  register_type({}, kHostRegistered, {{}, std::move(factory), kHostRegistered});
}

void PluginCatalog::register_type(const fs::path& file, std::size_t plugin,
                                  RegisteredType registered) {
  const bool is_check = registered.check != nullptr;
  const std::string kind = is_check ? "check" : "action";
  if (!is_check && registered.action == nullptr) {
    add_problem(file, "registers a null factory, which is ignored: fix the plugin");
    return;
  }
  const std::string name =
      is_check ? registered.check->info().name : registered.action->info().name;
  if (name.empty()) {
    add_problem(file,
                "registers a " + kind + " type without a name, which is ignored: fix the plugin");
    return;
  }
  if (auto it = types_.find(name); it != types_.end()) {
    // The losing factory is destroyed on return, while its library is still loaded.
    const std::size_t first = it->second.plugin;
    if (first == plugin) {
      add_problem(file, "registers " + kind + " type '" + name +
                            "' twice; the first registration is used: fix the plugin");
    } else {
      const std::string first_file =
          first == kHostRegistered ? std::string("vigil itself") : plugins_[first].file.string();
      add_problem(file, "registers " + kind + " type '" + name + "', which " + first_file +
                            " already registers; the first is used: remove one of the two "
                            "plugins from the plugin search path");
    }
    return;
  }
  if (plugin != kHostRegistered) {
    (is_check ? plugins_[plugin].checks : plugins_[plugin].actions).push_back(name);
  }
  types_.emplace(name, std::move(registered));
}

const PluginCatalog::RegisteredType* PluginCatalog::find(std::string_view type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : &it->second;
}

const sdk::CheckFactory* PluginCatalog::find_check(std::string_view type) const {
  const RegisteredType* found = find(type);
  return found != nullptr ? found->check.get() : nullptr;
}

const sdk::ActionFactory* PluginCatalog::find_action(std::string_view type) const {
  const RegisteredType* found = find(type);
  return found != nullptr ? found->action.get() : nullptr;
}

const sdk::TypeInfo* PluginCatalog::find_type(std::string_view type) const {
  const RegisteredType* found = find(type);
  if (found == nullptr)
    return nullptr;
  return found->check ? &found->check->info() : &found->action->info();
}

const PluginInfo* PluginCatalog::plugin_of(std::string_view type) const {
  const RegisteredType* found = find(type);
  if (found == nullptr || found->plugin == kHostRegistered)
    return nullptr;
  return &plugins_[found->plugin];
}

std::string host_build_description() {
  const BuildIdentity host = host_identity();
  return "plugin ABI " + std::to_string(host.abi) + ", vigil-sdk " + host.sdk_version + ", " +
         host.compiler_id + " " + std::to_string(host.compiler_major) + " (" + __VERSION__ +
         "), cxx11-abi=" + cxx11_abi_text(host.cxx11_abi);
}

}  // namespace vigil::core
