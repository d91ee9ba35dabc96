// Phase 1 of ConfigLoader: read, overlay, interpolate, check (see config.hpp).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/config/config.hpp"
#include "core/config/config_node.hpp"
#include "core/config/config_support.hpp"
#include "core/config/document_reader.hpp"
#include "core/config/drop_ins.hpp"
#include "core/config/interpolation.hpp"
#include "core/config/overlay.hpp"

namespace vigil::core {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> process_environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr)
    return std::nullopt;
  return std::string(value);
}

std::optional<std::string> read_text_file(const fs::path& file, std::string* error) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    *error = "is a directory, not a configuration file";
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *error = std::string("cannot be read: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = std::string("cannot be read: ") + std::strerror(errno);
    return std::nullopt;
  }
  return text.str();
}

// The name becomes part of a path, so it may not climb out of environments/.
bool is_environment_name(std::string_view name) {
  if (name.empty() || name.front() == '.')
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::vector<std::string> environments_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml")
      names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Where a configuration came from: its name in messages, and the directories behind it.
struct ConfigSource {
  std::string display;                       // the file as the user named it, or a label
  std::optional<fs::path> base_dir;          // resolves relative paths; absent for bare text
  std::optional<fs::path> environments_dir;  // as displayed ("configs/environments")
  std::optional<fs::path> conf_d_dir;        // as displayed ("/etc/vigil/conf.d")
};

class Loader {
 public:
  Loader(const ConfigLoadOptions& opts, ConfigLoadResult& result)
      : opts_(opts), config_(result.config), issues_(result.issues) {}

  void load(std::string_view text, const ConfigSource& origin) {
    config_.sources.push_back(origin.display);
    std::optional<ConfigNode> root = parse_yaml_document(text, origin.display, issues_);
    // A file that is not YAML gets its parser error only: anything else said about it would be
    // a guess.
    if (!root)
      return;
    if (!apply_drop_ins(origin, *root))
      return;
    if (opts_.env && !apply_overlay(*opts_.env, origin, *root))
      return;

    const auto& getenv = opts_.getenv ? opts_.getenv : process_environment;
    if (auto credentials = getenv("CREDENTIALS_DIRECTORY"); credentials && !credentials->empty())
      config_.secret_files_dir = fs::path(*credentials);
    else
      config_.secret_files_dir = origin.base_dir;
    Interpolator interpolator(getenv, config_.secrets, issues_);
    drop_disabled(*root, interpolator, issues_);
    interpolator.substitute_tree(*root, "");
    read_document(*root, origin.base_dir, config_, issues_);
  }

  void finish() {
    sort_issues(issues_, config_.sources);
    normalize_secrets(config_.secrets);
  }

 private:
  // conf.d/*.yaml beside the base file, merged in lexical order by the overlay rules. Returns
  // false when one is not YAML, which stops the load as a broken overlay does.
  bool apply_drop_ins(const ConfigSource& origin, ConfigNode& root) {
    if (!origin.base_dir || !origin.conf_d_dir)
      return true;
    std::string error;
    for (const DropInFile& file :
         list_drop_ins(*origin.base_dir / "conf.d", *origin.conf_d_dir, &error)) {
      std::optional<std::string> text = read_text_file(file.path, &error);
      if (!text) {
        issues_.push_back({{file.display, 0, 0}, "", "the drop-in " + error});
        error.clear();
        continue;
      }
      config_.sources.push_back(file.display);
      std::optional<ConfigNode> drop_in = parse_yaml_document(*text, file.display, issues_);
      if (!drop_in)
        return false;
      merge_overlay(root, std::move(*drop_in), issues_);
    }
    if (!error.empty())
      issues_.push_back({{origin.conf_d_dir->string(), 0, 0}, "", error});
    return true;
  }

  // Returns false when the overlay exists but is not YAML, which stops the load.
  bool apply_overlay(const std::string& env, const ConfigSource& origin, ConfigNode& root) {
    const SourceLocation base_file{origin.display, 0, 0};
    if (!is_environment_name(env)) {
      issues_.push_back({base_file, "",
                         "environment name \"" + env +
                             "\" is not valid: use letters, digits, '_', '.' and '-', not "
                             "starting with '.'"});
      return true;
    }
    if (!origin.base_dir || !origin.environments_dir) {
      issues_.push_back({base_file, "",
                         "environment overlay '" + env + "' requested, but " + origin.display +
                             " is not a file, so there is no environments/ directory beside it"});
      return true;
    }
    const fs::path real_dir = *origin.base_dir / "environments";
    const fs::path real_file = real_dir / (env + ".yaml");
    const std::string display = (*origin.environments_dir / (env + ".yaml")).string();
    std::error_code ec;
    if (!fs::exists(real_file, ec)) {
      const std::vector<std::string> available = environments_in(real_dir);
      std::string message = "environment '" + env + "' not found: " + display + " does not exist ";
      if (available.empty()) {
        message += "(there are no environments in " + origin.environments_dir->string() + ")";
      } else {
        std::string names;
        for (const auto& n : available)
          names += (names.empty() ? "" : ", ") + n;
        message += "(available: " + names + ")";
      }
      issues_.push_back({{display, 0, 0}, "", std::move(message)});
      return true;
    }
    std::string error;
    std::optional<std::string> text = read_text_file(real_file, &error);
    if (!text) {
      issues_.push_back({{display, 0, 0}, "", "the environment overlay " + error});
      return true;
    }
    config_.sources.push_back(display);
    std::optional<ConfigNode> overlay = parse_yaml_document(*text, display, issues_);
    if (!overlay)
      return false;
    merge_overlay(root, std::move(*overlay), issues_);
    config_.environment = env;
    return true;
  }

  const ConfigLoadOptions& opts_;
  Config& config_;
  std::vector<ConfigIssue>& issues_;
};

ConfigLoadResult load_text(std::string_view text, const ConfigSource& origin,
                           const ConfigLoadOptions& opts) {
  ConfigLoadResult result;
  Loader loader(opts, result);
  loader.load(text, origin);
  loader.finish();
  return result;
}

}  // namespace

ConfigLoadResult ConfigLoader::load_file(const std::filesystem::path& file,
                                         const ConfigLoadOptions& opts) {
  const std::string display = file.string();
  std::string error;
  std::optional<std::string> text = read_text_file(file, &error);
  if (!text) {
    ConfigLoadResult result;
    result.issues.push_back({{display, 0, 0}, "", "the configuration file " + error});
    return result;
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(file, ec);
  if (ec)
    absolute = file;
  ConfigSource origin{display, absolute.parent_path(), file.parent_path() / "environments",
                      file.parent_path() / "conf.d"};
  return load_text(*text, origin, opts);
}

ConfigLoadResult ConfigLoader::load_string(std::string_view yaml, const std::string& display_name,
                                           const ConfigLoadOptions& opts) {
  return load_text(yaml, ConfigSource{display_name, std::nullopt, std::nullopt, std::nullopt},
                   opts);
}

ConfigLoadResult ConfigLoader::load_string(std::string_view yaml, const std::string& display_name,
                                           const ConfigLoadOptions& opts,
                                           const std::filesystem::path& base_dir) {
  std::error_code ec;
  fs::path absolute = fs::absolute(base_dir, ec);
  if (ec)
    absolute = base_dir;
  return load_text(
      yaml, ConfigSource{display_name, absolute, base_dir / "environments", base_dir / "conf.d"},
      opts);
}

}  // namespace vigil::core
