// Phase 2 of ConfigLoader: each check's and each action's options against its type's schema
// (see config.hpp).
#include <set>
#include <string>
#include <utility>

#include "core/config/config.hpp"
#include "core/config/config_node.hpp"
#include "core/config/config_support.hpp"
#include "core/config/secret_file.hpp"
#include "core/config/suggest.hpp"
#include "vigil/sdk/option_text.hpp"

namespace vigil::core {

namespace {

class OptionResolver {
 public:
  explicit OptionResolver(ConfigLoadResult& result)
      : issues_(result.issues),
        warnings_(result.warnings),
        secrets_(result.config.secrets),
        secret_files_dir_(result.config.secret_files_dir) {}

  // CheckConfig or ActionConfig: both carry the same fields for their options.
  template <class Target>
  void resolve(Target& target, sdk::PluginKind kind, const SchemaLookup& lookup) {
    // A missing or unreadable plugin was reported by phase 1.
    if (target.plugin.empty())
      return;
    const std::string plugin_path = child_path(target.path, "plugin");
    const sdk::TypeInfo* type = lookup ? lookup(target.plugin) : nullptr;
    const std::string kind_name = type_word(kind);
    if (type == nullptr) {
      report(target.plugin_where, plugin_path,
             "unknown " + kind_name + " " + quote_unless_secret(target.plugin, secrets_) +
                 ": no loaded plugin" +
                 (kind == sdk::PluginKind::Action ? " or host built-in" : "") +
                 " provides it (`vigil plugins` lists the loaded types)");
      return;
    }
    if (type->kind != kind) {
      report(target.plugin_where, plugin_path,
             quote_unless_secret(target.plugin, secrets_) + " is " +
                 (type->kind == sdk::PluginKind::Action ? "an action type" : "a check type") +
                 ", not " + (kind == sdk::PluginKind::Action ? "an action type" : "a check type"));
      return;
    }
    resolve_options(target, *type, kind_name);
  }

 private:
  void report(const SourceLocation& where, const std::string& path, std::string message) {
    issues_.push_back({where, path, std::move(message)});
  }

  static std::string type_word(sdk::PluginKind kind) {
    return kind == sdk::PluginKind::Action ? "action type" : "check type";
  }

  template <class Target>
  void resolve_options(Target& target, const sdk::TypeInfo& type, const std::string& kind_name) {
    const std::string options_path = child_path(target.path, "options");
    std::vector<std::string_view> known;
    for (const auto& spec : type.options)
      known.push_back(spec.name);

    std::map<std::string, sdk::OptionValue, std::less<>> values;
    std::set<std::string, std::less<>> written;  // given in the file, valid or not
    std::vector<std::pair<const ConfigNode::Entry*, const sdk::OptionSpec*>> from_files;
    if (const ConfigNode* raw = target.raw_options.get(); raw != nullptr && raw->is_map()) {
      for (const auto& entry : raw->entries) {
        const std::string path = child_path(options_path, entry.key);
        const sdk::OptionSpec* spec = type.find_option(entry.key);
        if (spec == nullptr) {
          if (const sdk::OptionSpec* secret = secret_option_for_file_key(type, entry.key)) {
            from_files.emplace_back(&entry, secret);  // once every option given inline is known
            continue;
          }
          report(entry.key_where, path,
                 "unknown option '" + entry.key + "' for " + kind_name + " '" + type.name +
                     "' (known: " + (known.empty() ? std::string("none") : join_names(known)) +
                     ")" + did_you_mean(entry.key, known));
          continue;
        }
        written.insert(entry.key);
        target.option_locations[entry.key] = entry.value.where;
        if (spec->secret)
          remember_secret_values(entry.value);
        if (auto value = convert(entry.value, *spec, path))
          values[entry.key] = std::move(*value);
      }
    }
    for (const auto& [entry, spec] : from_files) {
      const std::string path = child_path(options_path, entry->key);
      if (!written.insert(spec->name).second) {
        report(entry->key_where, path,
               "give either '" + spec->name + "' or '" + entry->key + "', not both");
        continue;
      }
      target.option_locations[spec->name] = entry->value.where;
      std::optional<ConfigNode> node = secret_from_file(entry->value, *spec, path);
      if (!node)
        continue;
      remember_secret_values(*node);
      if (auto value = convert(*node, *spec, path))
        values[spec->name] = std::move(*value);
    }
    for (const auto& spec : type.options) {
      if (written.count(spec.name) != 0)
        continue;
      const std::string path = child_path(options_path, spec.name);
      if (spec.default_text) {
        auto parsed = sdk::parse_option_text(spec, *spec.default_text);
        if (parsed.ok()) {
          values[spec.name] = parsed.value();
        } else {  // the plugin's own mistake, but it stops this check or action from being built
          report(target.where, path,
                 kind_name + " '" + type.name + "' declares an invalid default for option '" +
                     spec.name + "' (" + parsed.error() + "); report this to the plugin's author");
        }
      } else if (spec.required) {
        std::string kind(sdk::to_string(spec.type));
        if (spec.type == sdk::OptionType::List || spec.type == sdk::OptionType::Map) {
          kind += " of " + std::string(sdk::to_string(spec.element));
        }
        report(target.options_where, path,
               "missing required option '" + spec.name + "' (" + kind +
                   (spec.description.empty() ? std::string{} : ": " + spec.description) + ")");
      }
    }
    target.options = sdk::Options(std::move(values));
  }

  std::optional<sdk::OptionValue> convert(const ConfigNode& node, const sdk::OptionSpec& spec,
                                          const std::string& path) {
    if (node.unresolved)
      return std::nullopt;
    const std::string element(sdk::to_string(spec.element));
    switch (spec.type) {
      case sdk::OptionType::List: {
        if (node.is_scalar()) {  // one element, as `-o key=value` gives on the command line
          auto one = convert_scalar(node, spec.element, path, spec.secret);
          if (!one)
            return std::nullopt;
          return sdk::OptionValue{sdk::ScalarList{std::move(*one)}};
        }
        if (!node.is_sequence()) {
          report(node.where, path,
                 "expected a list of " + element + " values, got " + describe_node(node));
          return std::nullopt;
        }
        sdk::ScalarList list;
        bool ok = true;
        for (std::size_t i = 0; i < node.items.size(); ++i) {
          auto item = convert_scalar(node.items[i], spec.element,
                                     path + "[" + std::to_string(i) + "]", spec.secret);
          if (item) {
            list.push_back(std::move(*item));
          } else {
            ok = false;  // keep going: every bad element is reported
          }
        }
        if (!ok)
          return std::nullopt;
        return sdk::OptionValue{std::move(list)};
      }
      case sdk::OptionType::Map: {
        if (!node.is_map()) {
          report(node.where, path,
                 "expected a map of names to " + element + " values, got " + describe_node(node));
          return std::nullopt;
        }
        sdk::ScalarMap map;
        bool ok = true;
        for (const auto& entry : node.entries) {
          auto value =
              convert_scalar(entry.value, spec.element, child_path(path, entry.key), spec.secret);
          if (value) {
            map[entry.key] = std::move(*value);
          } else {
            ok = false;
          }
        }
        if (!ok)
          return std::nullopt;
        return sdk::OptionValue{std::move(map)};
      }
      default: {
        auto scalar = convert_scalar(node, spec.type, path, spec.secret);
        if (!scalar)
          return std::nullopt;
        return sdk::OptionValue{std::move(*scalar)};
      }
    }
  }

  // sdk::parse_scalar on the YAML text, so that a value means exactly what it means on the
  // command line. Its error message quotes the text, so the message is rebuilt here to hide
  // substituted and secret values.
  std::optional<sdk::Scalar> convert_scalar(const ConfigNode& node, sdk::OptionType type,
                                            const std::string& path, bool secret) {
    if (node.unresolved)
      return std::nullopt;
    const std::string expected = "expected " + sdk::type_expectation(type) + ", got ";
    if (!node.is_scalar()) {
      report(node.where, path, expected + describe_node(node));
      return std::nullopt;
    }
    auto parsed = sdk::parse_scalar(type, node.text);
    if (!parsed.ok()) {
      report(node.where, path,
             expected + (secret && !node.from_environment
                             ? std::string("a value not shown (the option is secret)")
                             : shown_value(node)));
      return std::nullopt;
    }
    return parsed.value();
  }

  // The value of `<option>_file: PATH`: the file's text for a scalar option; for a list or a map
  // the file is a YAML document, so that `headers_file` can hold "Authorization: Bearer ...".
  std::optional<ConfigNode> secret_from_file(const ConfigNode& file_node,
                                             const sdk::OptionSpec& spec, const std::string& path) {
    if (file_node.unresolved)
      return std::nullopt;
    if (!file_node.is_scalar() || file_node.text.empty()) {
      report(file_node.where, path, "expected the path of a file, got " + describe_node(file_node));
      return std::nullopt;
    }
    const std::filesystem::path file(file_node.text);
    const std::string shown =
        file_node.from_environment
            ? "the file named by " + display_text(file_node)
            : (file.is_relative() && secret_files_dir_ ? *secret_files_dir_ / file : file).string();
    SecretFileText read = read_secret_file(file, secret_files_dir_);
    if (!read.text) {
      report(file_node.where, path, shown + " " + read.error);
      return std::nullopt;
    }
    if (read.readable_by_others) {
      warnings_.push_back({file_node.where, path,
                           shown + " holds a secret and every local user can read it "
                                   "(chmod o-r, or give it with systemd's LoadCredential=)"});
    }
    if (spec.type == sdk::OptionType::List || spec.type == sdk::OptionType::Map) {
      std::vector<ConfigIssue> parse_issues;
      std::optional<ConfigNode> doc = parse_yaml_document(*read.text, shown, parse_issues);
      for (auto& issue : parse_issues) {
        issue.path = path;
        issues_.push_back(std::move(issue));
      }
      // The usual message would quote the value: say what is wanted without showing it.
      if (doc && spec.type == sdk::OptionType::Map && !doc->is_map()) {
        report(file_node.where, path,
               shown + " must hold a YAML map (one \"name: value\" per line), not " +
                   (doc->is_scalar() ? std::string("a single value") : describe_node(*doc)));
        return std::nullopt;
      }
      return doc;
    }
    ConfigNode node;
    node.kind = ConfigNode::Kind::Scalar;
    node.where = file_node.where;
    node.text = std::move(*read.text);
    return node;
  }

  void remember_secret_values(const ConfigNode& node) {
    if (node.is_scalar())
      secrets_.push_back(node.text);
    for (const auto& item : node.items)
      remember_secret_values(item);
    for (const auto& entry : node.entries)
      remember_secret_values(entry.value);
  }

  std::vector<ConfigIssue>& issues_;
  std::vector<ConfigIssue>& warnings_;
  std::vector<std::string>& secrets_;
  const std::optional<std::filesystem::path>& secret_files_dir_;
};

}  // namespace

void ConfigLoader::resolve(ConfigLoadResult& result, const SchemaLookup& lookup) {
  OptionResolver resolver(result);
  for (auto& pipeline : result.config.pipelines) {
    for (auto& check : pipeline.checks)
      resolver.resolve(check, sdk::PluginKind::Check, lookup);
  }
  for (auto& action : result.config.actions)
    resolver.resolve(action, sdk::PluginKind::Action, lookup);
  sort_issues(result.issues, result.config.sources);
  sort_issues(result.warnings, result.config.sources);
  normalize_secrets(result.config.secrets);
}

}  // namespace vigil::core
